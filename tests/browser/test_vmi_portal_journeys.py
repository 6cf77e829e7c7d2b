"""The VMI pages of the buyer and the supplier in a real browser, in both languages: the buyer filters and
exports the VMI stock view, approves one supplier adjustment and rejects another with a comment, and buys
out part of an agreement's stock; a supplier sees only its own VMI stock, files an adjustment with a reason,
and sees what production took of its stock, with the settlement line, right after the warehouse scans it."""
import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from openvmi.catalog.models import Item, SupplierItem
from openvmi.db import create_db_engine, create_session_factory
from openvmi.ledger.queries import on_hand
from openvmi.locations.models import Location
from openvmi.parties.models import Party
from openvmi.vmi.agreements.models import VmiAgreement
from openvmi.vmi.agreements.rules import AgreementState
from tests.browser.conftest import go_to, log_in, screenshot

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class Consigned:
    """An active agreement as the journeys pick it: its supplier's code, item, store and the stock there."""

    agreement_id: int
    supplier_id: int
    supplier_code: str
    item_code: str
    location_id: int
    location_code: str
    stock: Decimal
    needs_approval: bool
    only_agreement_there: bool


@pytest.fixture(scope="module")
def consigned(demo_database, live_server) -> list[Consigned]:
    """Every active agreement of the demo, newest first (the other journeys take the oldest)."""
    engine = create_db_engine(demo_database)
    with create_session_factory(engine)() as session:
        rows = session.execute(
            select(VmiAgreement.id, VmiAgreement.supplier_id, Party.code, Item.code, Item.id, Location.id,
                   Location.code, VmiAgreement.adjustments_need_approval)
            .join(SupplierItem, SupplierItem.id == VmiAgreement.supplier_item_id)
            .join(Item, Item.id == SupplierItem.item_id).join(Party, Party.id == VmiAgreement.supplier_id)
            .join(Location, Location.id == VmiAgreement.location_id)
            .where(VmiAgreement.state == AgreementState.ACTIVE).order_by(VmiAgreement.id.desc())).all()
        covered = Counter((item_id, location_id) for *_, item_id, location_id, _, _ in rows)
        found = [Consigned(agreement_id, supplier_id, supplier_code, item_code, location_id, location_code,
                           on_hand(session, item_id=item_id, location_id=location_id, owner_id=supplier_id),
                           needs_approval, covered[(item_id, location_id)] == 1)
                 for agreement_id, supplier_id, supplier_code, item_code, item_id, location_id, location_code,
                 needs_approval in rows]
    engine.dispose()
    return found


def pick(consigned: list[Consigned], supplier_code: str, *, skip: int = 0, **wanted) -> Consigned:
    """The `skip`-th agreement of the supplier with at least 50 in stock (and the wanted flags)."""
    matching = [c for c in consigned if c.supplier_code == supplier_code and c.stock >= 50
                and all(getattr(c, name) == value for name, value in wanted.items())]
    return matching[skip]


def supplier_stock_now(page, agreement_id: int) -> Decimal:
    """The supplier-owned figure of one agreement's row on the VMI stock page."""
    row = page.locator("tbody tr").filter(has=page.locator(f"a[href='/vmi/agreements/{agreement_id}']"))
    return Decimal(row.locator("td.num").first.inner_text().split()[0].replace(",", ""))


def switch_language(page, language: str) -> None:
    page.locator(f".language-switch button[value={language}]").click()


def test_the_buyer_filters_the_vmi_stock_and_exports_what_it_shows(new_page, consigned):
    wanted = pick(consigned, "S-WXRB")
    buyer = new_page(locale="zh-CN")
    log_in(buyer, "buyer")
    switch_language(buyer, "zh_CN")  # the demo buyer reads English: Chinese for this run only
    try:
        go_to(buyer, "VMI 库存")
        buyer.locator("#f-supplier").select_option(str(wanted.supplier_id))
        buyer.locator("#f-location").select_option(str(wanted.location_id))
        buyer.get_by_role("button", name="筛选").click()
        rows = buyer.locator("tbody tr")
        expect(rows.first).to_be_visible()
        for row in rows.all():  # the supplier's column and the store's: only what was asked for
            expect(row.locator("td").nth(1)).to_have_text("S-WXRB")
            expect(row.locator("td").nth(2)).to_contain_text(wanted.location_code)
        expect(buyer.locator("main")).to_contain_text(wanted.item_code)
        screenshot(buyer, "vmi-stock-buyer-zh")

        with buyer.expect_download() as download:
            buyer.get_by_role("button", name="导出 CSV").click()
        exported = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
        assert "供应商" in exported[0]
        assert {row[exported[0].index("供应商")] for row in exported[1:]} == {"S-WXRB"}
        assert len(exported) - 1 == rows.count()
    finally:
        switch_language(buyer, "en")


def test_the_supplier_asks_two_adjustments_and_the_buyer_approves_one_and_rejects_the_other(new_page, consigned):
    wanted = pick(consigned, "S-NBHD", needs_approval=True)

    # Hengda, in Chinese: two adjustments of its stock at the store, each with a reason
    hengda = new_page(locale="zh-CN")
    log_in(hengda, "hengda")
    go_to(hengda, "调整 VMI 库存")
    asked = []
    for direction, quantity, reason, comment in (("decrease", "3", "damage", "叉车撞坏三件"),
                                                  ("increase", "7", "cycle_count", "盘点多出七件")):
        hengda.get_by_role("button", name="新建调整").click()
        hengda.locator("#f-agreement_id").select_option(str(wanted.agreement_id))
        hengda.locator("#f-direction").select_option(direction)
        hengda.locator("#f-quantity").fill(quantity)
        hengda.locator("#f-reason").select_option(reason)
        hengda.locator("#f-comment").fill(comment)
        if direction == "decrease":
            screenshot(hengda, "adjustment-form-zh")
        hengda.get_by_role("button", name="提交调整").click()
        flash = hengda.locator(".flash")
        expect(flash).to_contain_text("正在等待采购方审批")
        asked.append(re.search(r"#(\d+)", flash.inner_text()).group(1))

    # the buyer, in English: nothing moved yet; one approved, one refused without a comment, then rejected
    buyer = new_page(locale="en-US")
    log_in(buyer, "buyer")
    buyer.goto(f"/vmi/stock?supplier={wanted.supplier_id}&location={wanted.location_id}")
    before = supplier_stock_now(buyer, wanted.agreement_id)
    go_to(buyer, "Adjustments to approve")
    damaged, found = (buyer.locator("tbody tr").filter(has_text=f"#{number}") for number in asked)
    expect(damaged).to_contain_text("Damage")
    expect(damaged).to_contain_text("叉车撞坏三件")
    screenshot(buyer, "adjustment-approval-en")
    damaged.locator("input[name=comment]").fill("Photos received")
    damaged.get_by_role("button", name="Approve").click()
    expect(buyer.locator(".flash")).to_have_text(f"Adjustment #{asked[0]} approved.")
    found.get_by_role("button", name="Reject").click()
    expect(buyer.locator("#form-errors")).to_be_visible()  # a rejection needs its reason
    found = buyer.locator("tbody tr").filter(has_text=f"#{asked[1]}")
    found.locator("input[name=comment]").fill("Count again with our warehouse")
    found.get_by_role("button", name="Reject").click()
    expect(buyer.locator(".flash")).to_have_text(f"Adjustment #{asked[1]} rejected.")
    buyer.goto(f"/vmi/stock?supplier={wanted.supplier_id}&location={wanted.location_id}")
    assert supplier_stock_now(buyer, wanted.agreement_id) == before - 3

    # Hengda reads both decisions with the buyer's words
    hengda.reload()
    expect(hengda.locator("tbody tr").filter(has_text=f"#{asked[0]}")).to_contain_text("已过账")
    expect(hengda.locator("tbody tr").filter(has_text=f"#{asked[0]}")).to_contain_text("Photos received")
    expect(hengda.locator("tbody tr").filter(has_text=f"#{asked[1]}")).to_contain_text("已拒绝")
    expect(hengda.locator("tbody tr").filter(has_text=f"#{asked[1]}")).to_contain_text("Count again")


def test_the_buyer_buys_out_part_of_an_agreements_stock(new_page, consigned):
    wanted = pick(consigned, "S-WXRB", skip=1)
    buyer = new_page(locale="zh-CN")
    log_in(buyer, "buyer")
    switch_language(buyer, "zh_CN")
    try:
        buyer.goto(f"/vmi/stock?supplier={wanted.supplier_id}&location={wanted.location_id}")
        before = supplier_stock_now(buyer, wanted.agreement_id)
        buyer.locator(f"a[href='/vmi/agreements/{wanted.agreement_id}']").click()
        buyer.get_by_role("button", name="买断或带库存终止").click()
        buyer.locator("#f-quantity").fill("10")
        buyer.get_by_role("button", name="买断", exact=True).click()
        expect(buyer.locator(".flash")).to_contain_text("10")
        expect(buyer.locator("dl.facts")).to_contain_text(f"{before - 10:,f}".rstrip("0").rstrip("."))
        expect(buyer.locator("tbody tr")).to_have_count(1)
        screenshot(buyer, "buyout-zh")

        buyer.goto(f"/vmi/stock?supplier={wanted.supplier_id}&location={wanted.location_id}")
        assert supplier_stock_now(buyer, wanted.agreement_id) == before - 10
        row = buyer.locator("tbody tr").filter(has=buyer.locator(f"a[href='/vmi/agreements/{wanted.agreement_id}']"))
        expect(row.locator("td.num").nth(1)).to_contain_text("10")  # now the buyer's, on the same shelf
    finally:
        switch_language(buyer, "en")


def test_a_supplier_sees_its_own_vmi_stock_and_no_one_elses(new_page, consigned):
    own, other = pick(consigned, "S-NBHD"), pick(consigned, "S-WXRB")
    hengda = new_page(locale="zh-CN")
    log_in(hengda, "hengda")
    go_to(hengda, "VMI 库存")
    expect(hengda.get_by_role("columnheader", name="供应商", exact=True)).to_have_count(0)  # all its own
    expect(hengda.locator("main")).to_contain_text(own.item_code)
    expect(hengda.locator("main")).not_to_contain_text(other.item_code)
    screenshot(hengda, "supplier-vmi-stock-zh")

    hengda.goto(f"/vmi/stock?supplier={other.supplier_id}")
    expect(hengda.locator("tbody tr")).to_have_count(0)
    hengda.goto(f"/vmi/agreements/{other.agreement_id}")
    expect(hengda.locator("main")).not_to_contain_text(other.item_code)


def test_the_supplier_sees_its_consumption_and_settlement_line_as_soon_as_production_takes_stock(
        new_page, consigned):
    wanted = pick(consigned, "S-WXRB", only_agreement_there=True)
    ruibao = new_page(locale="en-US")
    log_in(ruibao, "ruibao")
    switch_language(ruibao, "en")  # Ruibao's people read Chinese: English for this run only
    try:
        ruibao.goto(f"/vmi/stock?location={wanted.location_id}")
        before = supplier_stock_now(ruibao, wanted.agreement_id)

        # the warehouse scans two on a phone, in Chinese (its own language)
        clerk = new_page(locale="zh-CN", viewport=PHONE)
        log_in(clerk, "warehouse")
        go_to(clerk, "扫码领用")
        clerk.locator("#f-location_id").select_option(str(wanted.location_id))
        clerk.locator("#f-quantity").fill("2")
        clerk.locator("#f-item_code").fill(wanted.item_code)
        clerk.locator("#f-item_code").press("Enter")
        expect(clerk.get_by_text(f"已领用 {wanted.item_code} 2。")).to_be_visible()

        # Ruibao: the line on top of its settlement lines, with the store; its stock view agrees
        go_to(ruibao, "Settlement lines")
        newest = ruibao.locator("table").last.locator("tbody tr").first  # the lines come after the totals
        expect(newest).to_contain_text("Consumption")
        expect(newest).to_contain_text(wanted.item_code)
        expect(newest).to_contain_text(wanted.location_code)
        expect(newest.locator("td.num").first).to_contain_text("2")
        screenshot(ruibao, "supplier-settlement-lines-en")
        ruibao.goto(f"/vmi/stock?location={wanted.location_id}")
        assert supplier_stock_now(ruibao, wanted.agreement_id) == before - 2
        row = ruibao.locator("tbody tr").filter(has=ruibao.locator(f"a[href='/vmi/agreements/{wanted.agreement_id}']"))
        expect(row.locator("td").last).to_contain_text("2")  # its last consumptions
    finally:
        switch_language(ruibao, "zh_CN")


def settlement_lines_of(page, agreement_id: int) -> int:
    """How many settlement lines the settlement page lists for one agreement."""
    page.goto(f"/settlement/lines?agreement={agreement_id}")
    return page.locator(f"tbody a[href='/vmi/agreements/{agreement_id}']").count()


def test_the_buyer_ends_an_agreement_with_stock_left_and_returns_it_to_the_supplier(new_page, consigned):
    wanted = next(c for c in consigned if c.supplier_code not in ("S-WXRB", "S-NBHD") and c.only_agreement_there
                  and c.stock >= 50)  # a supplier no other journey touches
    buyer = new_page(locale="zh-CN")
    log_in(buyer, "buyer")
    switch_language(buyer, "zh_CN")
    try:
        lines_before = settlement_lines_of(buyer, wanted.agreement_id)
        buyer.goto(f"/vmi/stock?supplier={wanted.supplier_id}&location={wanted.location_id}")
        before = supplier_stock_now(buyer, wanted.agreement_id)
        assert before > 0
        buyer.locator(f"a[href='/vmi/agreements/{wanted.agreement_id}']").click()
        buyer.get_by_role("button", name="买断或带库存终止").click()
        left = buyer.locator("dl.facts dd").last
        expect(left).to_contain_text(f"{before:,f}".rstrip("0").rstrip("."))

        # ending asks what becomes of the stock: buy it out or return it
        choice = buyer.locator("#f-leftover")
        assert {"买断", "退回供应商"} <= {text.strip() for text in choice.locator("option").all_inner_texts()}
        expect(choice).to_have_value("")  # nothing chosen for the buyer
        buyer.get_by_role("button", name="终止协议").click()
        expect(buyer.locator("#form-errors")).to_be_visible()  # not without a choice while stock is left
        expect(left).to_contain_text(f"{before:,f}".rstrip("0").rstrip("."))
        choice.select_option("return")
        screenshot(buyer, "agreement-end-zh")
        buyer.get_by_role("button", name="终止协议").click()
        expect(buyer.locator(".flash")).to_have_text(f"协议 #{wanted.agreement_id} 已终止。")
        expect(buyer.locator("#terms-heading .badge")).to_have_text("已终止")

        # the stock left the store for the supplier: nothing under the agreement, no line to settle
        buyer.goto(f"/vmi/stock?supplier={wanted.supplier_id}&location={wanted.location_id}")
        expect(buyer.locator(f"tbody a[href='/vmi/agreements/{wanted.agreement_id}']")).to_have_count(0)
        buyer.goto(f"/vmi/buyouts/{wanted.agreement_id}")
        expect(buyer.locator("dl.facts dd").last).to_have_text(re.compile(r"^0\b"))
        assert settlement_lines_of(buyer, wanted.agreement_id) == lines_before
    finally:
        switch_language(buyer, "en")
