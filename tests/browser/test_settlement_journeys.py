"""Closing a month with a supplier, as finance and the supplier do it in the portal: finance generates and
issues the statements and watches the period close; the supplier (reading Chinese) reviews its statement,
disputes a line and takes the dispute back, confirms, records its invoice with the PDF and downloads the
statement; finance (in Chinese for once) matches the invoice and closes. The three journeys run in this
order on the shared demo server, each taking up where the one before left the statement."""
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from openvmi.db import create_db_engine, create_session_factory
from openvmi.parties.models import Party
from tests.browser.conftest import go_to, log_in, screenshot
from tests.invoice_world import tiny_pdf
from tests.settlement_world import consume, make_consignment

pytestmark = pytest.mark.browser
SUPPLIER = "S-NBHD"  # the demo's 宁波恒达 (user hengda, reads Chinese)


@pytest.fixture(scope="module")
def month(demo_database, live_server) -> dict:
    """Two consumed lines of the supplier in the month before last (4 x 2.50 and 6 x 1.25 at 13 %:
    net 17.50, tax 1.30 + 0.98, gross 19.78); the month's last day and, once generated, the statement."""
    last_month = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    first = (last_month - timedelta(days=1)).replace(day=1)
    engine = create_db_engine(demo_database)
    with create_session_factory(engine)() as session:
        supplier = session.scalars(select(Party).where(Party.code == SUPPLIER)).one()
        world = make_consignment(session, supplier=supplier)
        consume(session, world, [Decimal(4)], unit_price=Decimal("2.50"), day=first + timedelta(days=4))
        consume(session, world, [Decimal(6)], unit_price=Decimal("1.25"), day=first + timedelta(days=9))
        session.commit()
    engine.dispose()
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return {"last_day": last, "statement": None}


def test_finance_generates_issues_and_sees_where_each_supplier_stands(new_page, month):
    page = new_page(locale="en-US")
    log_in(page, "finance")
    go_to(page, "Statements")

    # finance generates the month's statements
    page.locator("#f-day").fill(month["last_day"].isoformat())
    page.get_by_role("button", name="Generate", exact=True).click()
    expect(page.get_by_text("statement(s) generated or brought up to date")).to_be_visible()

    # opens the supplier's draft of that month and issues it
    row = page.locator("tbody tr", has_text=SUPPLIER).filter(has_text="Draft").first
    row.locator("td a").first.click()
    month["statement"] = int(page.url.rstrip("/").rsplit("/", 1)[1])
    expect(page.get_by_text("¥19.78").first).to_be_visible()
    page.get_by_role("button", name="Issue to the supplier").click()
    expect(page.get_by_text(f"Statement #{month['statement']} updated.")).to_be_visible()

    # the period close overview: the supplier's statement is issued, waiting for its answer
    page.goto(f"/settlement/statements?period_end={month['last_day'].isoformat()}")
    expect(page.locator("tbody tr", has_text=SUPPLIER)).to_contain_text("Issued")
    screenshot(page, "period-close-en")


def test_the_supplier_disputes_confirms_invoices_and_downloads_its_statement(new_page, month, tmp_path):
    statement = month["statement"]
    assert statement, "the finance journey issues the statement first"
    page = new_page(locale="zh-CN")
    log_in(page, "hengda")
    go_to(page, "对账单")
    page.locator(f"a[href='/settlement/statements/{statement}']").first.click()

    # the supplier disputes the first line with a comment, then takes the dispute back
    page.locator("input[name^=comment_]").first.fill("实际只用了 3 个")
    page.get_by_role("button", name="对已填写说明的行提出异议").click()
    expect(page.locator("#disputes-heading")).to_be_visible()
    expect(page.get_by_text("实际只用了 3 个")).to_be_visible()
    screenshot(page, "statement-supplier-zh")
    page.get_by_role("button", name="撤回").click()
    page.get_by_role("button", name="确认对账单").click()
    expect(page.locator("p", has_text="供应商").first).to_contain_text("已确认")

    # records its invoice with the PDF
    page.get_by_role("link", name="发票及下载（PDF、XLSX、CSV）").click()
    page.locator("#f-number").fill(f"NBHD-{statement:06d}")
    page.locator("#f-invoice_date").fill(date.today().isoformat())
    page.locator("#f-net").fill("17.50")
    page.locator("#f-tax").fill("2.28")
    page.locator("#f-gross").fill("19.78")
    page.locator("#f-pdf").set_input_files({"name": "invoice.pdf", "mimeType": "application/pdf",
                                            "buffer": tiny_pdf("NBHD invoice")})
    page.get_by_role("button", name="登记发票").click()
    expect(page.get_by_role("link", name="发票 PDF")).to_be_visible()
    expect(page.get_by_text("发票金额与对账单完全一致。")).to_be_visible()

    # downloads the statement as a PDF to sign
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF", exact=True).click()
    saved = Path(tmp_path / "statement.pdf")
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")


def test_finance_matches_the_invoice_and_closes_the_statement_in_chinese(new_page, month):
    statement = month["statement"]
    assert statement, "the finance journey issues the statement first"
    page = new_page(locale="zh-CN")
    log_in(page, "finance")
    page.locator(".language-switch button[value=zh_CN]").click()  # finance reads English: Chinese this once
    try:
        page.goto(f"/settlement/statements/{statement}/invoice")
        screenshot(page, "invoice-match-zh")
        page.get_by_role("button", name="匹配发票").click()
        expect(page.locator("p", has_text="供应商").first).to_contain_text("已匹配")
        page.get_by_role("button", name="关闭对账单").click()
        expect(page.locator("p", has_text="供应商").first).to_contain_text("已关闭")
    finally:  # the choice is stored on the user; later journeys on the shared server expect English
        page.locator(".language-switch button[value=en]").click()
