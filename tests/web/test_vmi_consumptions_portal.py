"""Consumption in the portal, as the warehouse does it on a phone: scan a line, return some, post a backflush
file after checking it. Every refusal says what is wrong in the reader's language and posts nothing."""
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openvmi.access import Role
from openvmi.catalog.models import Item
from openvmi.catalog.schemas import PriceCreate
from openvmi.ledger.queries import on_hand
from openvmi.settlement.models import SettlementLine
from tests.builders import (
    make_buyer, make_item, make_party, make_production_location, make_supplier_item, make_user, make_vmi_agreement,
    make_vmi_location, receive,
)
from tests.web.conftest import field_error

PRICE = Decimal("7.31")  # a figure that appears nowhere else on the pages


class Case:
    pass


@pytest.fixture
def vmi(session):
    """10 units of a supplier's item in a VMI store under an active agreement; a warehouse clerk in each language."""
    case = Case()
    case.supplier = make_party(session)
    case.store = make_vmi_location(session)
    make_production_location(session, at=case.store)
    supplier_item = make_supplier_item(session, supplier=case.supplier, prices=[
        PriceCreate(price=PRICE, currency="CNY", valid_from=date(2026, 1, 1))])
    make_vmi_agreement(session, supplier_item=supplier_item, location=case.store, activate=True)
    make_buyer(session)
    case.item = session.get(Item, supplier_item.item_id)
    receive(session, item=case.item, location=case.store, owner=case.supplier, quantity=10)
    case.clerk_en = make_user(session, role=Role.WAREHOUSE, locale="en")
    case.clerk_zh = make_user(session, role=Role.WAREHOUSE, locale="zh_CN")
    session.commit()
    return case


def supplier_stock(session, case) -> Decimal:
    session.expire_all()
    return on_hand(session, item_id=case.item.id, location_id=case.store.id, owner_id=case.supplier.id)


def settlement_lines(session) -> int:
    return session.scalar(select(func.count()).select_from(SettlementLine))


def scan(portal, case, quantity, *, key="tap-1", item_code=None):
    return portal.post("/vmi/consume", {"item_code": item_code or case.item.code, "quantity": str(quantity),
                                        "location_id": str(case.store.id), "idempotency_key": key})


def return_form(html: str) -> dict[str, str]:
    form = html.split('action="/vmi/consume/return"', 1)[1].split("</form>", 1)[0]
    return dict(re.findall(r'name="(consumption_id|line_id)" value="(\d+)"', form))


def test_a_scan_posts_once_even_when_tapped_twice_and_lists_the_line_without_prices(session, portal, vmi):
    portal.sign_in(vmi.clerk_en)

    first = scan(portal, vmi, 3)
    second = scan(portal, vmi, 3)  # the same rendered form, tapped again

    assert first.status_code == 200 and "Consumed 3 of " + vmi.item.code in first.text
    assert second.status_code == 200
    assert supplier_stock(session, vmi) == 7 and settlement_lines(session) == 1
    page = portal.get("/vmi/consume")
    assert vmi.item.code in page.text.split('id="recent-heading"')[1]
    assert f'<option value="{vmi.store.id}" selected' in page.text  # the store is kept for the next scan
    assert "7.31" not in page.text and "7,31" not in page.text  # the warehouse sees quantities, not money


@pytest.mark.parametrize("locale, expected", [
    ("en", "Not enough stock of {item} at {store}: 10 there, 12 wanted, 2 missing."),
    ("zh_CN", "{item} 在 {store} 库存不足：现有 10，需要 12，缺 2。"),
])
def test_short_stock_is_refused_with_what_is_missing(session, portal, vmi, locale, expected):
    portal.sign_in(vmi.clerk_en if locale == "en" else vmi.clerk_zh)

    refused = scan(portal, vmi, 12)

    assert refused.status_code == 409
    assert expected.format(item=vmi.item.code, store=vmi.store.code) in refused.text
    assert supplier_stock(session, vmi) == 10 and settlement_lines(session) == 0


def test_an_unknown_code_and_an_item_without_agreement_are_told_apart(session, portal, vmi):
    stranger = make_item(session)
    session.commit()
    portal.sign_in(vmi.clerk_zh)

    unknown = scan(portal, vmi, 1, item_code="NO-SUCH-CODE")
    uncovered = scan(portal, vmi, 1, item_code=stranger.code, key="tap-2")

    assert unknown.status_code == 422 and field_error(unknown.text, "item_code") == "物料不存在"
    assert uncovered.status_code == 422 and "有效 VMI 协议" in uncovered.text
    assert supplier_stock(session, vmi) == 10 and settlement_lines(session) == 0


def test_a_return_brings_stock_back_and_never_more_than_is_left(session, portal, vmi):
    portal.sign_in(vmi.clerk_en)
    scan(portal, vmi, 4)
    ids = return_form(portal.get("/vmi/consume").text)

    returned = portal.post("/vmi/consume/return", ids | {"quantity": "1", "location_id": str(vmi.store.id)})
    too_much = portal.post("/vmi/consume/return", ids | {"quantity": "5", "location_id": str(vmi.store.id)})

    assert returned.status_code == 200 and "1 returned to the VMI location." in returned.text
    assert too_much.status_code == 422
    assert f"At most 3 of {vmi.item.code} can come back: 4 taken, 1 returned already." in too_much.text
    assert supplier_stock(session, vmi) == 7 and settlement_lines(session) == 2


def test_a_return_of_another_consumptions_line_is_not_found(session, portal, vmi):
    portal.sign_in(vmi.clerk_en)
    scan(portal, vmi, 2)
    ids = return_form(portal.get("/vmi/consume").text)

    refused = portal.post("/vmi/consume/return", {"consumption_id": str(int(ids["consumption_id"]) + 1),
                                                  "line_id": ids["line_id"], "quantity": "1"})

    assert refused.status_code == 404 and supplier_stock(session, vmi) == 8


def test_other_roles_do_not_get_the_scan_pages(session, portal, vmi):
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=vmi.supplier))

    for url in ("/vmi/consume", "/vmi/consume/upload", "/vmi/consume/upload/template"):
        assert portal.get(url).status_code == 403, url
    assert scan(portal, vmi, 1).status_code == 403 and supplier_stock(session, vmi) == 10


def upload(portal, content: str, action: str, *, name="backflush.csv", key="file-1"):
    return portal.post("/vmi/consume/upload", {"action": action, "idempotency_key": key, "reference": "MO-7"},
                       files={"file": (name, io.BytesIO(content.encode("utf-8")), "text/csv")})


def test_a_backflush_file_is_checked_without_posting_then_posted_whole(session, portal, vmi):
    portal.sign_in(vmi.clerk_zh)
    content = f"物料编码,数量,库位\n{vmi.item.code},2,{vmi.store.code}\n{vmi.item.code},3,{vmi.store.code}\n"

    checked = upload(portal, content, "check")
    assert checked.status_code == 200 and "文件没有问题：尚未过账" in checked.text
    assert supplier_stock(session, vmi) == 10 and settlement_lines(session) == 0

    posted = upload(portal, content, "post")
    again = upload(portal, content, "post")  # the same form sent twice

    assert posted.status_code == 200 and "2 行" in posted.text
    assert again.status_code == 200
    assert supplier_stock(session, vmi) == 5 and settlement_lines(session) == 2


def test_a_backflush_file_with_a_bad_row_or_a_short_line_posts_nothing(session, portal, vmi):
    portal.sign_in(vmi.clerk_en)

    bad = upload(portal, f"item,quantity,location\n{vmi.item.code},2,{vmi.store.code}\nNOPE,-1,{vmi.store.code}\n",
                 "post")
    short = upload(portal, f"item,quantity,location\n{vmi.item.code},8,{vmi.store.code}\n"
                           f"{vmi.item.code},8,{vmi.store.code}\n", "post", key="file-2")

    assert bad.status_code == 422 and "The file was not imported" in bad.text and "<td class=\"num\">3</td>" in bad.text
    assert short.status_code == 409 and f"Not enough stock of {vmi.item.code}" in short.text
    assert supplier_stock(session, vmi) == 10 and settlement_lines(session) == 0


@pytest.mark.parametrize("headers, first", [("zh_CN", "物料编码"), ("en", "item code")])
def test_the_template_file_reads_back_as_a_backflush_file(session, portal, vmi, headers, first):
    portal.sign_in(vmi.clerk_en)

    template = portal.get("/vmi/consume/upload/template", params={"format": "csv", "headers": headers})
    header = template.content.decode("utf-8-sig").splitlines()[0]
    checked = upload(portal, f"{header}\n{vmi.item.code},1,{vmi.store.code},\n", "check",
                     name=f"template-{headers}.csv")

    assert template.status_code == 200 and header.startswith(first)
    assert checked.status_code == 200, checked.text
