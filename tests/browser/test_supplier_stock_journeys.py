"""A supplier publishes its stock through the portal in a real browser: a GBK file with a broken
row is refused row by row, the corrected one imports, and a big file is imported in the background
while its page follows it to the end."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from openvmi.catalog.models import Item, SupplierItem
from openvmi.db import create_db_engine, create_session_factory
from openvmi.locations.models import Location
from openvmi.parties.models import Party
from openvmi.supplier_stock.models import SupplierStock
from tests.browser.conftest import BIG_FILE_BYTES, log_in, screenshot

pytestmark = pytest.mark.browser
HEADER = "物料编码,仓库,现存量,可用量,备注\r\n"


def hengda_catalogue(demo_database: str) -> tuple[list[str], str]:
    """Hengda's item codes and its first site code, as its ERP would know them."""
    engine = create_db_engine(demo_database)
    with create_session_factory(engine)() as session:
        supplier = session.scalar(select(Party.id).where(Party.code == "S-NBHD"))
        codes = session.scalars(select(Item.code).join(SupplierItem, SupplierItem.item_id == Item.id)
                                .where(SupplierItem.supplier_id == supplier).order_by(Item.code)).all()
        site_code = session.scalar(select(Location.code).where(Location.supplier_id == supplier).order_by(Location.code))
    engine.dispose()
    return list(codes), site_code


def stock_at(demo_database: str, item_code: str, site_code: str):
    engine = create_db_engine(demo_database)
    with create_session_factory(engine)() as session:
        on_hand = session.scalar(select(SupplierStock.on_hand).join(Item, Item.id == SupplierStock.item_id)
                                 .join(Location, Location.id == SupplierStock.location_id)
                                 .where(Item.code == item_code, Location.code == site_code))
    engine.dispose()
    return on_hand


def upload(page, path, *, mode: str = "delta") -> None:
    page.goto("/supplier-stock/upload")
    page.locator("#f-file").set_input_files(str(path))
    page.locator("#f-mode").select_option(mode)
    if page.locator("#f-dry_run").is_checked():
        page.locator("#f-dry_run").uncheck()
    page.locator("form.form-card button[type=submit]").click()


def test_a_supplier_fixes_the_rows_the_portal_points_at_and_imports_its_gbk_file(new_page, demo_database,
                                                                                 tmp_path):
    codes, site = hengda_catalogue(demo_database)
    bad = tmp_path / "库存日报.csv"
    bad.write_bytes((HEADER + f"{codes[0]},{site},1200,1000,\r\n{codes[1]},{site},-5,0,盘点差异\r\n"
                     f"{codes[2]},{site},abc,,\r\n").encode("gbk"))
    page = new_page(locale="zh-CN")
    log_in(page, "hengda")

    upload(page, bad)

    errors = page.locator("section.import-errors")
    expect(errors.locator("h2")).to_contain_text("文件未导入")
    expect(errors.locator("tbody tr")).to_have_count(2)
    expect(errors.locator("tbody tr").nth(0)).to_contain_text(re.compile(r"3\s*现存量"))
    expect(errors.locator("tbody tr").nth(1)).to_contain_text(re.compile(r"4\s*现存量"))
    screenshot(page, "upload-errors-zh")
    assert stock_at(demo_database, codes[0], site) != 1200  # nothing of the bad file was written

    good = tmp_path / "库存日报-改.csv"
    good.write_bytes((HEADER + f"{codes[0]},{site},1200,1000,\r\n{codes[1]},{site},5,0,盘点差异\r\n"
                      f"{codes[2]},{site},7,,\r\n").encode("gbk"))
    upload(page, good)

    expect(page.locator("#result-heading")).to_have_text("已导入")
    assert stock_at(demo_database, codes[0], site) == 1200


def test_a_big_file_is_imported_in_the_background_and_its_page_updates_itself(new_page, demo_database, tmp_path):
    codes, site = hengda_catalogue(demo_database)
    lines = [f"{code},{site},{300 + n},{250 + n},{'库存来自 ERP 日报，含在途与质检区' * 4}\r\n"
             for n, code in enumerate(codes)]
    big = tmp_path / "全部库存.csv"
    big.write_bytes((HEADER + "".join(lines)).encode("gbk"))
    assert big.stat().st_size > BIG_FILE_BYTES
    page = new_page(locale="zh-CN")
    log_in(page, "hengda")

    upload(page, big)

    expect(page).to_have_url(re.compile(r"/supplier-stock/imports/\d+$"))
    # the status part refreshes itself (htmx) until the server's runner has imported the file
    expect(page.locator("#import-status h2")).to_have_text("已导入", timeout=30_000)
    expect(page.locator("#import-status")).to_contain_text(str(len(codes)))
    screenshot(page, "import-status")
    assert stock_at(demo_database, codes[-1], site) == 300 + len(codes) - 1


def test_a_supplier_adds_the_name_its_erp_gives_a_site_from_the_error_report_and_confirms_the_check(
        new_page, demo_database, tmp_path):
    codes, site = hengda_catalogue(demo_database)
    erp_file = tmp_path / "即时库存.csv"
    erp_file.write_bytes((HEADER + f"{codes[0]},恒达一号库,1300,1100,\r\n").encode("gbk"))
    page = new_page(locale="zh-CN")
    log_in(page, "hengda")

    # a check (the form's default) refuses the row and offers the name as an alias
    page.goto("/supplier-stock/upload")
    page.locator("#f-file").set_input_files(str(erp_file))
    page.locator("#f-mode").select_option("delta")
    page.locator("form.form-card button[type=submit]").click()
    row = page.locator("section.import-errors tbody tr").first
    expect(row).to_contain_text("未知仓库")
    screenshot(page, "upload-unknown-site-zh")
    row.get_by_role("link", name="添加为别名").click()

    # the form is filled in with the name; the supplier picks the site
    expect(page.locator("#f-alias")).to_have_value("恒达一号库")
    page.locator("#f-site_code").select_option(site)
    page.get_by_role("button", name="添加别名并重新检查文件").click()

    # the file is checked again at once and passes; confirming imports it without choosing it again
    expect(page.locator(".flash")).to_contain_text("已重新检查")
    screenshot(page, "upload-checked-again-zh")
    assert stock_at(demo_database, codes[0], site) != 1300
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".flash")).to_contain_text("文件已导入")
    assert stock_at(demo_database, codes[0], site) == 1300
