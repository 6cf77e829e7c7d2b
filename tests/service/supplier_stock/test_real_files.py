"""Files made by real programs (LibreOffice Calc, xlsxwriter, ERP-shaped GBK exports; see
tests/fixtures/supplier_stock/README.md): what a supplier uploads, not what our tests write."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from openvmi.catalog.models import Item
from openvmi.errors import InvalidImportFile
from openvmi.supplier_stock.models import SupplierStock, SupplierStockImport
from tests.service.supplier_stock.world import fixture_bytes, make_fixture_world, run_import, stock_of


def next_dates(session, world) -> dict[str, date | None]:
    rows = session.execute(select(Item.code, SupplierStock.next_available_date)
                           .join(Item, Item.id == SupplierStock.item_id)
                           .where(SupplierStock.supplier_id == world.supplier.id))
    return {code: day if day is None or isinstance(day, date) else date.fromisoformat(day) for code, day in rows}


def refused(session, world, name: str) -> set[tuple[int | None, str | None, str]]:
    with pytest.raises(InvalidImportFile) as raised:
        run_import(session, world, fixture_bytes(name), filename=name)
    batch = session.get(SupplierStockImport, raised.value.import_id)
    assert batch.status == "rejected"
    return {(e.row, e.column, e.reason.split(":")[0]) for e in raised.value.errors}


def test_a_calc_workbook_with_a_title_formulas_dates_and_text_numbers_imports_as_shown(session):
    # given the workbook a person laid out in LibreOffice: merged title, header on row 4,
    # "1,200" formatted, numbers stored as text, formulas, date cells, a notes sheet
    world = make_fixture_world(session)

    outcome = run_import(session, world, fixture_bytes("calc_workbook.xlsx"), filename="库存.xlsx")

    # then every figure is the one the spreadsheet shows (=0.1*3 is 0.3, not 0.30000000000000004)
    assert outcome.batch.status == "applied" and outcome.batch.row_count == 5
    assert stock_of(session, world.supplier) == {
        ("FX-BOLT-M8", "NB-WH1"): (Decimal(1200), Decimal(1000)),
        ("FX-NUT-M8", "NB-WH1"): (Decimal(80), Decimal(80)),
        ("FX-CABLE-2C", "NB-WH2"): (Decimal("12.5"), Decimal(5)),
        ("30012", "NB-WH2"): (Decimal(0), Decimal(0)),
        ("FX-WASHER-8", "NB-WH1"): (Decimal("0.3"), Decimal("0.3"))}
    assert next_dates(session, world)["FX-CABLE-2C"] == date(2031, 12, 1)
    assert next_dates(session, world)["30012"] == date(2031, 6, 30)


def test_a_calc_workbook_with_formula_errors_names_each_bad_cell_and_writes_nothing(session):
    world = make_fixture_world(session)
    run_import(session, world, fixture_bytes("kingdee_gbk.csv"))
    before = stock_of(session, world.supplier)

    # rows as Calc numbers them: title on 1, header on 3; the "Total" row 9 is not a stock line
    assert refused(session, world, "calc_broken.xlsx") == {
        (5, "On hand", "the cell shows the spreadsheet error #DIV/0!"),
        (6, "On hand", "not a number"),
        (7, "On hand", "negative quantity"),
        (8, "Available", "the cell shows the spreadsheet error #REF!")}
    assert stock_of(session, world.supplier) == before


def test_a_kingdee_gbk_export_with_title_lines_full_width_digits_and_a_total_row(session):
    world = make_fixture_world(session)

    outcome = run_import(session, world, fixture_bytes("kingdee_gbk.csv"))

    assert outcome.batch.encoding == "gb18030" and outcome.batch.row_count == 3
    assert stock_of(session, world.supplier) == {
        ("FX-BOLT-M8", "NB-WH1"): (Decimal(1200), Decimal(1000)),
        ("FX-NUT-M8", "NB-WH1"): (Decimal(120), Decimal(80)),
        ("FX-CABLE-2C", "NB-WH2"): (Decimal("12.5"), Decimal("12.5"))}
    assert next_dates(session, world) == {"FX-BOLT-M8": None, "FX-NUT-M8": date(2031, 12, 1),
                                          "FX-CABLE-2C": date(2031, 12, 1)}


def test_a_yonyou_gb18030_export_with_warehouse_code_and_name_columns_and_excel_text_cells(session):
    world = make_fixture_world(session)

    outcome = run_import(session, world, fixture_bytes("yonyou_gb18030.csv"))

    # ="30012" is how exports keep Excel from turning a code into a number
    assert outcome.batch.encoding == "gb18030" and outcome.ignored_columns == ["存货名称", "仓库名称"]
    assert stock_of(session, world.supplier) == {
        ("FX-BOLT-M8", "NB-WH1"): (Decimal(2000), Decimal(1500)),
        ("FX-WASHER-8", "NB-WH2"): (Decimal("3.25"), Decimal("3.25")),
        ("30012", "NB-WH2"): (Decimal(15), Decimal(15))}


def test_a_sap_tab_export_is_read_by_its_tabs_and_its_trailing_minus_is_a_negative(session):
    world = make_fixture_world(session)

    assert refused(session, world, "sap_mb52_gbk.txt") == {(5, "非限制使用库存", "negative quantity")}
    assert stock_of(session, world.supplier) == {}


def test_an_erp_export_with_broken_rows_reports_each_at_its_line(session):
    world = make_fixture_world(session)

    assert refused(session, world, "erp_broken_gbk.csv") == {
        (5, "现存量", "not a number"),
        (6, "现存量", "negative quantity"),
        (7, "现存量", "the cell shows the spreadsheet error #REF!"),
        (8, "物料编码", "unknown item code (or not one of your supplier items)"),
        (9, "预计可用日期", "not a valid date")}
    assert stock_of(session, world.supplier) == {}


def test_an_excel_unicode_text_export_is_utf16_and_tab_separated(session):
    world = make_fixture_world(session)

    outcome = run_import(session, world, fixture_bytes("excel_unicode_text.txt"), filename="stock.txt")

    assert outcome.batch.encoding == "utf-16"
    assert stock_of(session, world.supplier) == {
        ("FX-BOLT-M8", "NB-WH1"): (Decimal(1500), Decimal(1400)),
        ("FX-CABLE-2C", "NB-WH2"): (Decimal("7.25"), Decimal(7))}


def test_an_xlsxwriter_workbook_with_shared_strings_imports(session):
    world = make_fixture_world(session)

    run_import(session, world, fixture_bytes("xlsxwriter_shared_strings.xlsx"), filename="stock.xlsx")

    assert stock_of(session, world.supplier) == {
        ("FX-BOLT-M8", "NB-WH1"): (Decimal(250), Decimal(240)),
        ("FX-CABLE-2C", "NB-WH2"): (Decimal("40.5"), Decimal("40.5"))}
    assert next_dates(session, world)["FX-BOLT-M8"] == date(2031, 12, 1)


def test_a_formula_never_computed_by_a_spreadsheet_is_not_read_as_zero(session):
    # xlsxwriter stores 0 as every formula's value and asks the reader to recalculate
    world = make_fixture_world(session)

    assert refused(session, world, "xlsxwriter_inline_strings.xlsx") == {
        (4, "Available qty", "formula without a saved value")}
    assert stock_of(session, world.supplier) == {}


def test_a_named_second_sheet_counts_its_own_rows(session):
    world = make_fixture_world(session)

    with pytest.raises(InvalidImportFile) as raised:
        run_import(session, world, fixture_bytes("calc_workbook.xlsx"), filename="库存.xlsx", sheet="说明")

    assert "has 2 sites" in raised.value.errors[0].reason  # its header (row 2) has no site column
    assert stock_of(session, world.supplier) == {}


def test_a_calc_native_ods_file_is_refused_with_what_to_do(session):
    world = make_fixture_world(session)

    assert refused(session, world, "calc_native.ods") == {
        (None, None, "this is an OpenDocument (.ods) spreadsheet; save it as .xlsx or CSV")}


def test_a_site_cell_merged_down_over_its_lines_applies_to_each(session):
    world = make_fixture_world(session)

    run_import(session, world, fixture_bytes("calc_merged_sites.xlsx"), filename="库存.xlsx")

    assert stock_of(session, world.supplier) == {
        ("FX-BOLT-M8", "NB-WH1"): (Decimal(10), Decimal(10)), ("FX-NUT-M8", "NB-WH1"): (Decimal(20), Decimal(20)),
        ("FX-WASHER-8", "NB-WH1"): (Decimal("1.5"), Decimal("1.5")),
        ("FX-CABLE-2C", "NB-WH2"): (Decimal(30), Decimal(30)), ("FX-BOLT-M8", "NB-WH2"): (Decimal(40), Decimal(40))}
