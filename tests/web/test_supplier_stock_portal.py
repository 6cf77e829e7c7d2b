"""The supplier stock pages: upload with preview and error report, adjustment form, availability."""
from decimal import Decimal

from openvmi.access import Role
from tests.builders import make_user
from tests.service.supplier_stock.world import make_world, stock_of
from tests.unit.supplier_stock.files import csv_bytes, xlsx_bytes
from tests.web.conftest import CSRF_VALUE


def upload(portal, data, *, filename="stock.csv", csrf=True, follow_redirects=True, **fields):
    form = {"mode": "full", **fields} | ({"csrf_token": CSRF_VALUE} if csrf else {})
    return portal.client.post("/supplier-stock/upload", data=form, follow_redirects=follow_redirects,
                              files={"file": (filename, data, "application/octet-stream")})


def test_a_supplier_previews_then_imports_its_file(session, portal):
    world = make_world(session)
    (bolt, nut, _), (site, _) = list(world.items), list(world.sites)
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=world.supplier, locale="en"))
    data = csv_bytes([["物料编码", "仓库", "现存量", "可用量"], [bolt, site, 100, 80], [nut, site, 5, 5]], encoding="gbk")

    preview = upload(portal, data, dry_run="on")
    assert preview.status_code == 200 and "Dry run: nothing was imported yet" in preview.text
    assert preview.text.count("<td>new</td>") == 2  # what the import would do to each line
    assert stock_of(session, world.supplier) == {}

    imported = upload(portal, data)
    assert imported.status_code == 200 and "Imported" in imported.text
    assert stock_of(session, world.supplier)[(bolt, site)] == (Decimal(100), Decimal(80))
    listed = portal.get("/supplier-stock")
    assert bolt in listed.text and nut in listed.text


def test_a_bad_workbook_shows_every_bad_row_and_changes_nothing(session, portal):
    world = make_world(session)
    (bolt, nut, cable), (site, _) = list(world.items), list(world.sites)
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=world.supplier, locale="zh_CN"))
    workbook = xlsx_bytes([["料号", "仓库", "库存", "可用量"], [bolt, site, 10, 5], [nut, site, 20, "=C3/2"],
                           [cable, site, -3, 1]])

    answer = upload(portal, workbook, filename="库存.xlsx")

    assert answer.status_code == 422
    assert "文件未导入" in answer.text
    assert '<td class="num">3</td><td>可用量</td>' in answer.text
    assert '<td class="num">4</td><td>库存</td><td>数量为负数</td>' in answer.text  # the reason in the reader's language
    assert stock_of(session, world.supplier) == {}


def test_an_upload_without_the_form_token_is_refused_and_imports_nothing(session, portal):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=world.supplier))

    answer = upload(portal, csv_bytes([["item", "site", "qty"], [bolt, site, 10]]), csrf=False)

    assert answer.status_code == 403
    assert stock_of(session, world.supplier) == {}


def imported_line(session, portal, *, locale):
    """A supplier user (reading `locale`) who imported one line of 10 from a file: (world, bolt, site, line id)."""
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=world.supplier, locale=locale))
    upload(portal, csv_bytes([["item", "site", "qty"], [bolt, site, 10]]))
    [(line_id,)] = session.execute(
        __import__("sqlalchemy").text("SELECT id FROM supplier_stock WHERE supplier_id = :s"),
        {"s": world.supplier.id}).all()
    return world, bolt, site, line_id


def test_an_adjustment_from_a_stale_page_is_refused_with_a_reason(session, portal):
    world, bolt, site, line_id = imported_line(session, portal, locale="en")

    saved = portal.post(f"/supplier-stock/{line_id}", {"on_hand": "7", "available": "", "version": "1"},
                        follow_redirects=False)
    stale = portal.post(f"/supplier-stock/{line_id}", {"on_hand": "3", "available": "", "version": "1"})
    page = portal.get(f"/supplier-stock/{line_id}")

    assert saved.status_code == 303
    assert stale.status_code == 422 and "Someone else changed this stock line" in stale.text
    assert stock_of(session, world.supplier)[(bolt, site)] == (Decimal(7), Decimal(7))
    assert "Entered in the portal" in page.text  # the history says where each change came from, in words
    assert "File import #" in page.text and "import:" not in page.text


def test_a_refused_adjustment_and_the_history_read_in_chinese(session, portal):
    # given a line imported from a file, on the page of a supplier user who reads Chinese
    *_, line_id = imported_line(session, portal, locale="zh_CN")

    # when it sets more available than on hand
    refused = portal.post(f"/supplier-stock/{line_id}", {"on_hand": "5", "available": "8", "version": "1"})

    # then the service's refusal and the history's source are in Chinese
    assert refused.status_code == 422
    assert "可用量（8）大于现存量（5）" in refused.text and "is more than on hand" not in refused.text
    assert "文件导入 #" in refused.text


def test_a_buyer_finds_who_has_an_item_and_another_supplier_does_not(session, portal, api_client):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    supplier_portal = portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=world.supplier))
    upload(supplier_portal, csv_bytes([["item", "site", "qty"], [bolt, site, 42]]))

    portal.sign_in(make_user(session, role=Role.BUYER, locale="en"))
    for_buyer = portal.get("/availability", params={"q": bolt})
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=world.other, locale="en"))
    for_other = portal.get("/availability", params={"q": bolt})

    assert for_buyer.status_code == 200 and world.supplier.code in for_buyer.text and site in for_buyer.text
    assert "<td>supplier</td>" in for_buyer.text  # where the stock is
    # availability across suppliers is a buyer's page: a supplier's menu does not offer it
    assert for_other.status_code == 403 and world.supplier.code not in for_other.text


def test_a_big_file_is_imported_in_the_background_and_its_page_follows_it(session, portal, api_app):
    world = make_world(session)
    (bolt, nut, _), (site, _) = list(world.items), list(world.sites)
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=world.supplier, locale="en"))
    api_app.state.settings.import_background_bytes = 10  # every file here counts as big
    data = csv_bytes([["物料编码", "仓库", "现存量"], [bolt, site, 100], [nut, site, 5]])

    queued = upload(portal, data, follow_redirects=False)

    assert queued.status_code == 303
    status_page = queued.headers["location"]
    waiting = portal.get(status_page)
    assert "Waiting for its turn" in waiting.text and 'hx-trigger="every 1s"' in waiting.text
    assert stock_of(session, world.supplier) == {}

    api_app.state.import_runner.run_pending()

    done = portal.get(status_page)
    assert "Imported" in done.text and "hx-trigger" not in done.text
    assert "<dt>New</dt><dd>2</dd>" in done.text
    assert stock_of(session, world.supplier)[(bolt, site)] == (Decimal(100), Decimal(100))


def test_a_big_bad_file_shows_its_rows_on_the_status_page_and_only_to_its_supplier(session, portal, api_app):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=world.supplier, locale="zh_CN"))
    api_app.state.settings.import_background_bytes = 10
    status_page = upload(portal, csv_bytes([["物料编码", "仓库", "现存量"], [bolt, site, "abc"]]),
                         follow_redirects=False).headers["location"]

    api_app.state.import_runner.run_pending()

    answer = portal.get(status_page)
    assert "文件未导入" in answer.text and '<td class="num">2</td><td>现存量</td><td>不是数字</td>' in answer.text
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=world.other))
    assert portal.get(status_page).status_code == 404
