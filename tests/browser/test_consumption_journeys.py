"""Production consumption on a phone, as the warehouse does it: two scans, the one short of stock refused with
what is missing, and part of the other returned to the VMI store; in Chinese and in English."""
import re
from collections import Counter
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from openvmi.catalog.models import Item, SupplierItem
from openvmi.db import create_db_engine, create_session_factory
from openvmi.ledger.queries import on_hand
from openvmi.vmi.agreements.models import VmiAgreement
from openvmi.vmi.agreements.rules import AgreementState
from tests.browser.conftest import go_to, log_in, screenshot

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
WORDS = {
    "zh-CN": {"menu": "扫码领用", "missing": "缺 {missing}。", "consumed": "已领用 {item} 3。",
              "returned": "已将 1 退回 VMI 库位。", "return": "退回 VMI 库位", "left": "已退回 1"},
    "en-US": {"menu": "Scan consumption", "missing": "{missing} missing.", "consumed": "Consumed 3 of {item}.",
              "returned": "1 returned to the VMI location.", "return": "Return to VMI location", "left": "1 returned"},
}


@pytest.fixture(scope="module")
def consignments(demo_database, live_server) -> list[tuple[str, int, Decimal]]:
    """(item code, VMI store id, the supplier's stock there) of demo items one active agreement covers."""
    engine = create_db_engine(demo_database)
    with create_session_factory(engine)() as session:
        rows = session.execute(
            select(Item.code, VmiAgreement.location_id, SupplierItem.item_id, VmiAgreement.supplier_id)
            .join(SupplierItem, SupplierItem.id == VmiAgreement.supplier_item_id)
            .join(Item, Item.id == SupplierItem.item_id)
            .where(VmiAgreement.state == AgreementState.ACTIVE).order_by(VmiAgreement.id)).all()
        covered = Counter((item_id, location_id) for _, location_id, item_id, _ in rows)
        found = [(code, location_id, on_hand(session, item_id=item_id, location_id=location_id, owner_id=supplier_id))
                 for code, location_id, item_id, supplier_id in rows if covered[(item_id, location_id)] == 1]
    engine.dispose()
    return [row for row in found if row[2] >= 5]


@pytest.mark.parametrize("locale", WORDS)
def test_the_warehouse_scans_is_refused_what_is_short_and_returns_part_on_a_phone(new_page, consignments, locale):
    words = WORDS[locale]
    code, store_id, stock = consignments[list(WORDS).index(locale)]
    page = new_page(locale=locale, viewport=PHONE)
    log_in(page, "warehouse")
    if locale == "en-US":  # the demo's warehouse clerk reads Chinese: English for this run only
        page.locator(".language-switch button[value=en]").click()
    try:
        scan_short_consume_and_return(page, words, code, store_id, stock, locale)
    finally:  # the choice is stored on the user, and the live server's demo serves later journeys too
        if locale == "en-US":
            page.locator(".language-switch button[value=zh_CN]").click()


def scan_short_consume_and_return(page, words, code, store_id, stock, locale) -> None:
    go_to(page, words["menu"])

    # a scan of more than the store holds is refused, saying how much is missing
    page.locator("#f-location_id").select_option(str(store_id))
    page.locator("#f-quantity").fill(f"{(stock + 5).normalize():f}")
    page.locator("#f-item_code").fill(code)
    page.locator("#f-item_code").press("Enter")
    expect(page.locator("#form-errors")).to_contain_text(words["missing"].format(missing=5))
    screenshot(page, f"consumption-short-{locale[:2]}", full_page=False)

    # three are consumed; the store is still chosen for the next scan
    page.locator("#f-quantity").fill("3")
    page.locator("#f-item_code").fill(code)
    page.locator("#f-item_code").press("Enter")
    expect(page.get_by_text(words["consumed"].format(item=code))).to_be_visible()
    expect(page.locator("#f-location_id")).to_have_value(str(store_id))

    # one comes back from production
    posting = page.locator(".scan-list li").first
    expect(posting).to_contain_text(code)
    posting.locator("input[name=quantity]").fill("1")
    posting.get_by_role("button", name=words["return"]).click()
    expect(page.get_by_text(words["returned"])).to_be_visible()
    expect(page.locator(".scan-list li").first).to_contain_text(words["left"])
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    screenshot(page, f"consumption-phone-{locale[:2]}")
