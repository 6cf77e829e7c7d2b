"""The VMI inbound loop through the portal in a real browser, in both languages: the buyer (English)
publishes a plan that raises one of Hengda's items, calls off the board's suggestions and sends them;
Hengda (Chinese) sees the jump and counter-proposes; the buyer accepts; Hengda ships and prints the
packing list; the warehouse (Chinese, on a phone) scans the ASN number and receives it short and
damaged; Hengda sees the differences; the buyer closes the shipment."""
import csv
import io
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from openvmi.catalog.models import Item, SupplierItem
from openvmi.db import create_db_engine, create_session_factory, utcnow
from openvmi.locations.models import Location
from openvmi.parties.models import Party, Plant
from openvmi.planning.models import DemandPlanLine
from openvmi.planning.queries import get_current_version
from openvmi.planning.rules import week_label
from openvmi.vmi.agreements.models import VmiAgreement
from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser
WEEKLY = 3000  # the raised demand: well above the agreement's max of 1,200 a week
PHONE = {"width": 390, "height": 844}


def journey_setup(demo_database: str) -> tuple[str, int, bytes]:
    """Hengda's second planned item at the Suzhou VMI store (the demo calls off nothing of it but a draft),
    its agreement, and the current plan as a file with that item's Suzhou weeks raised to WEEKLY."""
    engine = create_db_engine(demo_database)
    with create_session_factory(engine)() as session:
        hengda = session.scalar(select(Party.id).where(Party.code == "S-NBHD"))
        store = session.scalar(select(Location.id).where(Location.code == "SZ01-VMI"))
        supplier_item_id, item_id, code = session.execute(
            select(SupplierItem.id, Item.id, Item.code).join(Item, Item.id == SupplierItem.item_id)
            .where(SupplierItem.supplier_id == hengda).order_by(SupplierItem.id).offset(1).limit(1)).one()
        agreement = session.scalar(select(VmiAgreement.id).where(
            VmiAgreement.supplier_item_id == supplier_item_id, VmiAgreement.location_id == store,
            VmiAgreement.state == "active"))
        version = get_current_version(session)
        rows = session.execute(
            select(Item.code, Plant.code, DemandPlanLine.week_start, DemandPlanLine.quantity, DemandPlanLine.item_id)
            .join(Item, Item.id == DemandPlanLine.item_id).join(Plant, Plant.id == DemandPlanLine.plant_id)
            .where(DemandPlanLine.version_id == version.id).order_by(DemandPlanLine.id)).all()
    engine.dispose()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["物料编码", "工厂", "周", "数量"])
    for item_code, plant, monday, quantity, line_item in rows:
        raised = line_item == item_id and plant == "SZ01"
        writer.writerow([item_code, plant, week_label(monday), WEEKLY if raised else f"{quantity:f}"])
    assert agreement is not None
    return code, agreement, out.getvalue().encode("utf-8-sig")


def test_the_inbound_loop_from_plan_to_closed_shipment_in_both_languages(new_page, demo_database, tmp_path):
    item, agreement, plan = journey_setup(demo_database)
    plan_file = tmp_path / "要货计划.csv"
    plan_file.write_bytes(plan)

    # the buyer checks the plan file, then publishes it with one click (the file is kept)
    buyer = new_page(locale="en-US")
    log_in(buyer, "buyer")
    buyer.goto("/demand-plans/upload")
    buyer.locator("#f-file").set_input_files(str(plan_file))
    buyer.get_by_role("button", name="Check file").click()
    expect(buyer.locator("#result-heading")).to_have_text("The file is good: nothing was published yet")
    buyer.get_by_role("button", name="Publish this plan").click()
    expect(buyer.locator(".flash")).to_contain_text(re.compile(r"Demand plan version \d+ published\."))

    # the replenishment board: the chart, and suggestions turned into a call-off that is sent
    buyer.goto(f"/vmi/replenishment/{agreement}")
    expect(buyer.locator("figure.chart svg")).to_be_visible()
    expect(buyer.locator("figure.chart polyline").first).to_have_attribute("points", re.compile(r"\d"))
    expect(buyer.locator("#suggestions-heading")).to_have_text("Suggested shipments")
    screenshot(buyer, "replenishment-en")
    buyer.get_by_role("button", name="Create a call-off from these suggestions").click()
    expect(buyer.locator(".flash")).to_contain_text("drafted from the suggestions")
    call_off_url = buyer.url
    first_quantity = buyer.locator("tbody tr").first.locator("td.num").first.inner_text()
    buyer.get_by_role("button", name="Send", exact=True).click()
    expect(buyer.locator("main")).to_contain_text("Sent")

    # Hengda, in Chinese: the jump in its plan, then the call-off, answered with a counter proposal
    hengda = new_page(locale="zh-CN")
    log_in(hengda, "hengda")
    hengda.goto("/demand-plans")
    sharp = hengda.locator("section.sharp-changes")
    expect(sharp.locator("h2")).to_have_text("与上一版相比的大幅变化")
    expect(sharp).to_contain_text(item)
    expect(sharp).to_contain_text("3,000")
    hengda.goto(call_off_url)
    expect(hengda.locator("main")).to_contain_text("已发送")
    expect(hengda.locator("tbody tr").first).to_contain_text(first_quantity)
    hengda.locator("tbody tr").first.locator("input[name^=quantity_]").fill("2000")
    hengda.locator("#f-note").fill("产能不足，先发 2000")
    hengda.get_by_role("button", name="提出修改建议").click()
    expect(hengda.locator("main")).to_contain_text("已提出修改建议")
    screenshot(hengda, "call-off-counter-proposed-zh")

    # the buyer takes the proposal
    buyer.goto(call_off_url)
    expect(buyer.locator("tbody tr").first).to_contain_text("2,000")
    buyer.get_by_role("button", name="Accept the proposal").click()
    expect(buyer.locator("main")).to_contain_text("Accepted")
    expect(buyer.locator("tbody tr").first.locator("td.num").first).to_contain_text("2,000")

    # Hengda ships the first line and prints the packing list with its barcode
    hengda.goto(call_off_url)
    hengda.locator("main").get_by_role("button", name="发货", exact=True).click()
    hengda.locator("input[name^=quantity_]").first.fill("2000")
    hengda.locator("#f-carrier").fill("顺丰速运")
    hengda.locator("#f-expected_arrival").fill((utcnow().date() + timedelta(days=35)).isoformat())
    hengda.get_by_role("button", name="确认发货").click()
    barcode = hengda.locator("main img").first
    expect(barcode).to_be_visible()
    number = barcode.get_attribute("alt")
    assert number and number.startswith("ASN-")
    assert hengda.evaluate("img => img.naturalWidth", barcode.element_handle()) > 0
    screenshot(hengda, "packing-list-zh")

    # the warehouse, on a phone: the scanner types the number and Enter; 30 damaged, 20 short
    clerk = new_page(locale="zh-CN", viewport=PHONE)
    log_in(clerk, "warehouse")
    clerk.goto("/vmi/receive")
    clerk.locator("#f-number").press_sequentially(number.lower())
    clerk.locator("#f-number").press("Enter")
    expect(clerk.locator("fieldset legend").first).to_contain_text(item)
    fieldset = clerk.locator("fieldset").first
    fieldset.locator("input[name^=accepted_]").fill("1950")
    fieldset.locator("input[name^=damaged_]").first.fill("30")
    fieldset.locator("select[name^=damaged_reason_]").select_option("damaged_in_transit")
    fieldset.locator("input[name^=short_]").first.fill("20")
    fieldset.locator("select[name^=short_reason_]").select_option("not_delivered")
    screenshot(clerk, "receive-phone-zh")
    clerk.get_by_role("button", name="收货", exact=True).click()
    expect(clerk.locator(".flash")).to_contain_text(f"发货单 {number} 已收货。")

    # Hengda sees every difference on its shipment, in its language
    shipment_path = re.sub(r"^https?://[^/]+", "", clerk.url)
    assert re.fullmatch(r"/vmi/shipments/\d+", shipment_path)
    hengda.goto(shipment_path)
    row = hengda.locator("tbody tr").first
    expect(row).to_contain_text("1,950")
    expect(row).to_contain_text("运输途中破损")
    expect(row).to_contain_text("未送达")
    screenshot(hengda, "shipment-differences-zh")

    # the buyer closes it: what is short goes back to the supplier
    buyer.goto(shipment_path)
    buyer.get_by_role("button", name="Close: return what is short").click()
    expect(buyer.locator("dl.facts")).to_contain_text("Closed")
