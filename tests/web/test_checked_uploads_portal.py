"""The upload page: a check to confirm without the file, the lines a full import zeroes, a site
alias added from the error report, templates to fill in, and staff choosing the supplier."""
import io
import re
from decimal import Decimal
from html import unescape

import pytest

from openvmi.access import Role
from openvmi.supplier_stock.service.imports import import_supplier_stock
from openvmi.supplier_stock.schemas import ImportRequest
from tests.builders import make_user
from tests.service.supplier_stock.world import fixture_bytes, make_fixture_world, make_world, stock_of
from tests.unit.supplier_stock.files import csv_bytes
from tests.web.conftest import CSRF_VALUE, field_error

HEADER = ["item", "site", "on hand", "available"]


def upload(portal, data, *, filename="stock.csv", **fields):
    form = {"mode": "full", "csrf_token": CSRF_VALUE, **fields}
    return portal.client.post("/supplier-stock/upload", data=form, files={"file": (filename, data, "text/csv")})


def follow(portal, page, pattern):
    """The first link or form action on `page` matching `pattern`."""
    return unescape(re.search(pattern, page.text).group(0))


def test_a_checked_full_file_warns_of_the_lines_it_zeroes_and_is_confirmed_without_the_file(session, portal):
    world = make_world(session)
    (bolt, nut, _), (site, _) = list(world.items), list(world.sites)
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=world.supplier, locale="en"))
    upload(portal, csv_bytes([HEADER, [bolt, site, 10, 10], [nut, site, 20, 20]]))

    checked = upload(portal, csv_bytes([HEADER, [bolt, site, 12, 12]]), dry_run="on")

    assert checked.status_code == 200
    assert "This full import sets 1 line(s) to zero" in checked.text
    assert re.search(rf"<td>{nut}</td><td>{site}</td>\s*<td class=\"num\">20 → 0</td>", checked.text)
    action = follow(portal, checked, r"/supplier-stock/imports/\d+/confirm")
    assert stock_of(session, world.supplier)[(nut, site)] == (20, 20)

    confirmed = portal.post(action)  # no file this time

    assert confirmed.status_code == 200 and "The file was imported." in confirmed.text
    assert stock_of(session, world.supplier) == {(bolt, site): (12, 12), (nut, site): (0, 0)}
    assert "can no longer be used" in portal.post(action).text  # once only


def test_the_error_report_adds_an_unknown_site_as_an_alias_and_checks_the_file_again(session, portal):
    # given a supplier whose ERP calls its warehouses 主仓 and 二号仓
    world = make_fixture_world(session)
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=world.supplier, locale="zh_CN"))

    # when it checks the ERP's GBK export, every row is refused with a link to add the name as an alias
    refused = upload(portal, fixture_bytes("erp_site_names_gbk.csv"), filename="库存.csv", dry_run="on")
    assert refused.status_code == 422
    assert "NB-WH1" in refused.text and "别名" in refused.text  # the sites, and how to add an alias, in Chinese
    link = follow(portal, refused, r'/supplier-stock/site-aliases/new\?[^"]*')
    form = portal.get(link)
    assert form.status_code == 200 and 'value="主仓"' in form.text

    # when it adds 主仓 for NB-WH1, the file is checked again at once: only 二号仓 is left
    partly = portal.post("/supplier-stock/site-aliases/new", {"alias": "主仓", "site_code": "NB-WH1",
                                                              "import_id": re.search(r"import_id=(\d+)", link).group(1)})
    assert partly.status_code == 200 and "主仓" in partly.text
    assert "alias=%E4%BA%8C%E5%8F%B7%E4%BB%93" in partly.text  # 二号仓 is still offered as an alias
    assert "alias=%E4%B8%BB%E4%BB%93" not in partly.text  # 主仓 is not: it is known now
    second = portal.get(follow(portal, partly, r'/supplier-stock/site-aliases/new\?[^"]*'))
    passed = portal.post("/supplier-stock/site-aliases/new", {
        "alias": "二号仓", "site_code": "NB-WH2",
        "import_id": re.search(r'name="import_id" value="(\d+)"', second.text).group(1)})

    # then the check passes and its confirmation imports the file
    assert "/confirm" in passed.text, passed.text
    assert "<td>FX-CABLE-2C</td><td>NB-WH2</td>" in passed.text  # the page shows what the check found
    portal.post(follow(portal, passed, r"/supplier-stock/imports/\d+/confirm"))
    assert stock_of(session, world.supplier)[("FX-BOLT-M8", "NB-WH1")] == (Decimal(1200), Decimal(1000))
    assert stock_of(session, world.supplier)[("FX-CABLE-2C", "NB-WH2")] == (Decimal("12.5"), Decimal("12.5"))


def test_staff_choose_the_supplier_of_an_upload(session, portal):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    portal.sign_in(make_user(session, role=Role.ADMIN, locale="en"))

    page = portal.get("/supplier-stock/upload")
    unchosen = upload(portal, csv_bytes([HEADER, [bolt, site, 5, 5]]))
    chosen = upload(portal, csv_bytes([HEADER, [bolt, site, 5, 5]]), supplier_code=world.supplier.code)

    assert re.search(r'<select id="f-supplier_code"[^>]*>\s*<option value="" selected>', page.text)
    assert unchosen.status_code == 422
    assert field_error(unchosen.text, "supplier_code") == "Choose the supplier whose stock this file is."
    assert chosen.status_code == 200 and stock_of(session, world.supplier) == {(bolt, site): (5, 5)}


@pytest.mark.parametrize("headers", ["zh_CN", "en"])
@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_a_template_reads_back_through_the_importer_without_a_problem(session, portal, headers, format):
    world = make_world(session)
    (bolt, nut, cable), (site_a, site_b) = list(world.items), list(world.sites)
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=world.supplier, locale="en"))
    upload(portal, csv_bytes([HEADER + ["next available date"], [bolt, site_a, "1200.5", 1000, "2099-01-31"],
                              [cable, site_b, 7, 7, ""]]))
    empty_world = make_world(session)
    portal_two = make_user(session, role=Role.SUPPLIER, supplier=empty_world.supplier)

    template = portal.get(f"/supplier-stock/upload/template?format={format}&headers={headers}")
    portal.sign_in(portal_two)
    starter = portal.get(f"/supplier-stock/upload/template?format={format}&headers={headers}")

    assert template.status_code == 200 and "attachment" in template.headers["content-disposition"]
    for world_, data, expected in ((world, template.content, 2), (empty_world, starter.content, 3)):
        checked = import_supplier_stock(session, ImportRequest(supplier_code=world_.supplier.code,
                                                               filename=f"template.{format}", dry_run=True),
                                        stream=io.BytesIO(data), actor_id=None)
        assert checked.batch.error_count == 0 and checked.batch.row_count == expected
    assert checked.batch.new_count == 3  # the starter lists each item at the first site, at zero


def test_a_supplier_sees_and_removes_only_its_own_aliases_in_the_portal(session, portal):
    world = make_world(session)
    site = next(iter(world.sites))
    other = make_user(session, role=Role.SUPPLIER, supplier=world.other, locale="en")
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=world.supplier, locale="en"))

    added = portal.post("/supplier-stock/site-aliases/new", {"alias": "主仓", "site_code": site, "import_id": ""})
    listed = portal.get("/supplier-stock/site-aliases/new")
    alias_id = re.search(r"/supplier-stock/site-aliases/(\d+)/remove", listed.text).group(1)
    portal.sign_in(other)
    theirs = portal.get("/supplier-stock/site-aliases/new")
    foreign_removal = portal.post(f"/supplier-stock/site-aliases/{alias_id}/remove")

    assert "Alias 主仓 added." in added.text
    assert "<td>主仓</td>" in listed.text and "<td>主仓</td>" not in theirs.text
    assert foreign_removal.status_code == 404
    assert f'value="{site}"' not in theirs.text  # nor can it pick the other supplier's sites


def test_a_name_already_given_to_another_site_is_refused_in_the_readers_language(session, portal):
    world = make_world(session)
    first, second = list(world.sites)[:2]
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=world.supplier, locale="zh_CN"))
    portal.post("/supplier-stock/site-aliases/new", {"alias": "主仓", "site_code": first, "import_id": ""})

    again = portal.post("/supplier-stock/site-aliases/new", {"alias": "主仓", "site_code": second, "import_id": ""})

    assert again.status_code == 409 or again.status_code == 422
    assert f"主仓 已是站点 {first} 的别名；请先在那里删除" in unescape(again.text)
    assert "already an alias" not in again.text
