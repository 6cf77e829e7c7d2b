"""What a person does in the portal, in a real browser: log in per role, switch language, keep
master data, hit a form error, stay inside their own supplier, log out."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from openvmi.catalog.models import SupplierItem
from openvmi.db import create_db_engine, create_session_factory
from openvmi.parties.models import Party
from tests.browser.conftest import go_to, log_in, screenshot

pytestmark = pytest.mark.browser

# username, the browser's language, the workspace heading it must land on (in the user's language)
ROLES = [
    ("admin", "en-US", "Administration", "Users"),
    ("buyer", "en-US", "Buyer workspace", "Supplier items"),
    ("warehouse", "zh-CN", "仓库工作台", "库位"),
    ("finance", "en-US", "Finance workspace", "Suppliers"),
    ("hengda", "zh-CN", "供应商门户", "我的物料"),
    ("ruibao", "en-US", "供应商门户", "我的物料"),  # the stored choice (中文) wins over the browser's
    ("rheinland", "de-DE", "Supplier portal", "My items"),
]


@pytest.mark.parametrize(("username", "browser_locale", "workspace", "nav_entry"), ROLES,
                         ids=[r[0] for r in ROLES])
def test_each_role_logs_in_to_its_own_workspace_and_logs_out(new_page, username, browser_locale, workspace,
                                                             nav_entry):
    page = new_page(locale=browser_locale)
    if username == "hengda":
        page.goto("/login")
        expect(page.locator("h1")).to_have_text("登录")  # the browser's language before anyone logs in
        screenshot(page, "login-zh", full_page=False)

    log_in(page, username)

    expect(page.locator("h1")).to_have_text(workspace)
    expect(page).to_have_title(re.compile(re.escape(workspace)))
    expect(page.get_by_role("navigation", name=re.compile("Main navigation|主导航"))
           .get_by_role("link", name=nav_entry)).to_be_visible()
    if username in ("buyer", "hengda", "admin"):
        screenshot(page, f"home-{username}")
    page.locator("details.user-menu summary").click()
    page.locator("form[action='/logout'] button").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator(".flash")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))


def test_the_warehouse_workspace_works_on_a_phone(new_page):
    page = new_page(locale="zh-CN", viewport={"width": 390, "height": 844})

    log_in(page, "warehouse")
    expect(page.locator("h1")).to_have_text("仓库工作台")
    go_to(page, "库位")

    expect(page.locator("h1")).to_have_text("库位")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling of the page"
    screenshot(page, "phone-warehouse-locations", full_page=False)


def test_switching_language_changes_every_label_and_sticks(new_page):
    page = new_page(locale="en-US")
    log_in(page, "buyer")
    expect(page.locator("h1")).to_have_text("Buyer workspace")

    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("h1")).to_have_text("采购工作台")
    go_to(page, "物料")
    expect(page.locator("h1")).to_have_text("物料")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    screenshot(page, "items-zh", full_page=False)

    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Items")


def test_a_buyer_creates_and_edits_a_supplier_item_and_sees_a_form_error_at_the_field(new_page):
    page = new_page(locale="en-US")
    log_in(page, "buyer")

    # given a new item in the master
    go_to(page, "Items")
    page.get_by_role("button", name="New item").click()
    page.get_by_label("Code").fill("BRW-JOURNEY-1")
    page.get_by_label("Name").fill("Journey bracket 浏览器测试")
    page.get_by_role("button", name="Create item").click()
    expect(page.locator(".flash")).to_contain_text("Item BRW-JOURNEY-1 created.")

    # when the buyer mistypes the item code, the error appears under that field
    go_to(page, "Supplier items")
    page.get_by_role("button", name="New supplier item").click()
    page.get_by_label("Supplier", exact=False).first.select_option("S-NBHD")
    page.get_by_label("Item code").fill("BRW-JOURNEY-X")
    page.get_by_label("Supplier part number").fill("NBHD-JOURNEY-1")
    page.get_by_label("Lead time (days)").fill("12")
    page.get_by_label("Unit price").fill("3.50")
    page.get_by_label("Valid from").fill("2026-01-01")
    page.get_by_role("button", name="Create supplier item").click()
    error = page.locator("#f-item_code-error")
    expect(error).to_have_text("no such item: BRW-JOURNEY-X")
    expect(page.locator("#f-item_code")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#form-errors")).to_be_focused()  # keyboard users land on what to fix
    screenshot(page, "supplier-item-form-error")

    # then fixing it creates the supplier item, and an edit saves
    page.get_by_label("Item code").fill("BRW-JOURNEY-1")
    page.get_by_role("button", name="Create supplier item").click()
    expect(page.locator("h1")).to_have_text("Supplier item NBHD-JOURNEY-1")
    page.get_by_label("Lead time (days)").fill("9")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_contain_text("Supplier item NBHD-JOURNEY-1 saved.")
    page.get_by_role("searchbox").fill("NBHD-JOURNEY-1")
    page.get_by_role("searchbox").press("Enter")
    row = page.locator("tbody tr", has_text="NBHD-JOURNEY-1")
    expect(row).to_contain_text("9")
    screenshot(page, "supplier-items", full_page=False)


def test_a_supplier_user_cannot_open_another_suppliers_page_by_editing_the_url(new_page, demo_database):
    engine = create_db_engine(demo_database)
    with create_session_factory(engine)() as session:
        ruibao = session.scalar(select(Party.id).where(Party.code == "S-WXRB"))
        foreign = session.scalar(select(SupplierItem.id).where(SupplierItem.supplier_id == ruibao).limit(1))
    engine.dispose()
    page = new_page(locale="zh-CN")
    log_in(page, "hengda")

    go_to(page, "我的物料")
    expect(page.locator("tbody tr").first).to_be_visible()
    assert "S-WXRB" not in page.content()
    page.goto(f"/supplier-items/{foreign}")

    expect(page.locator("h1")).to_have_text("页面不存在")
    assert "WXRB" not in page.content()
    screenshot(page, "not-found-other-supplier")
