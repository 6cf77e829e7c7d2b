"""Importing stock files: validated whole, applied all or nothing, replays change nothing."""
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openvmi.errors import IdempotencyMismatch, InvalidImportFile
from openvmi.supplier_stock import rules
from openvmi.supplier_stock.models import SupplierStock, SupplierStockHistory, SupplierStockImport
from tests.service.supplier_stock.world import make_world, run_import, stock_of
from tests.unit.supplier_stock.files import csv_bytes, with_cached_values, xlsx_bytes


def test_a_chinese_gbk_file_publishes_every_line_with_history(session):
    # given a supplier with three items and two sites
    world = make_world(session)
    (bolt, nut, cable), (site_a, site_b) = list(world.items), list(world.sites)

    # when it uploads a GBK CSV exported by its ERP, with Chinese headers
    data = csv_bytes([["物料编码", "仓库", "现存量", "可用量", "单位", "交期"],
                      [bolt, site_a, "1,200", "1000", "个", "5"],
                      [nut, site_a, "80", "80", "PCS", ""],
                      [cable, site_b, "12.5", "", "米", "3天"]], encoding="gbk")
    outcome = run_import(session, world, data)

    # then each line is published, with the on-hand figure as available where none was given
    assert outcome.batch.status == "applied" and outcome.batch.encoding == "gb18030"
    assert (outcome.batch.new_count, outcome.batch.changed_count) == (3, 0)
    assert stock_of(session, world.supplier) == {
        (bolt, site_a): (Decimal(1200), Decimal(1000)), (nut, site_a): (Decimal(80), Decimal(80)),
        (cable, site_b): (Decimal("12.5"), Decimal("12.5"))}
    assert session.scalar(select(func.count()).select_from(SupplierStockHistory).where(
        SupplierStockHistory.import_id == outcome.batch.id)) == 3


@pytest.mark.parametrize("encoding,delimiter", [("utf-8-sig", ","), ("utf-8", ";"), ("gb18030", "\t"),
                                                ("utf-8", "|")])
def test_bom_semicolon_tab_and_pipe_files_read_the_same(session, encoding, delimiter):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    data = csv_bytes([["Supplier Part Number", "Site", "On hand", "Available"],
                      [world.parts[bolt], site, "10", "7"]], encoding=encoding, delimiter=delimiter)

    run_import(session, world, data)

    assert stock_of(session, world.supplier) == {(bolt, site): (Decimal(10), Decimal(7))}


def test_every_bad_row_is_reported_with_its_column_and_nothing_is_written(session):
    world = make_world(session)
    (bolt, nut, cable), (site_a, _) = list(world.items), list(world.sites)
    past = (date.today() - timedelta(days=3)).isoformat()
    data = csv_bytes([["item code", "site", "on hand", "available", "next available date", "unit"],
                      [bolt, site_a, "10", "5", "", "PCS"],           # row 2 fine
                      ["NO-SUCH-ITEM", site_a, "1", "1", "", ""],     # row 3 unknown item
                      [nut, site_a, "-4", "0", "", ""],               # row 4 negative
                      [nut, "ELSEWHERE", "abc", "", "", ""],          # row 5 unknown site, not a number
                      [cable, site_a, "5", "9", past, "KG"],          # row 6 available>on hand, past, unit
                      [bolt, site_a, "11", "5", "", ""]])             # row 7 duplicate of row 2

    with pytest.raises(InvalidImportFile) as raised:
        run_import(session, world, data)

    reported = {(e.row, e.column, e.reason) for e in raised.value.errors}
    assert reported == {
        (3, "item code", "unknown item code (or not one of your supplier items)"),
        (4, "on hand", "negative quantity"),
        (5, "site", rules.UNKNOWN_SITE % {"sites": ", ".join(f"{code} (Location)" for code in sorted(world.sites))}),
        (5, "on hand", "not a number"),
        (6, "available", "available (9) is more than on hand (5)"),
        (6, "next available date", "date is in the past"),
        (6, "unit", f"wrong unit: {cable} is counted in M"),
        (7, "item code", "duplicate: the same item and site as row 2"),
    }
    assert stock_of(session, world.supplier) == {}
    batch = session.get(SupplierStockImport, raised.value.import_id)
    assert batch.status == "rejected" and batch.error_count == 8 and len(batch.errors) == 8


def test_a_full_snapshot_zeroes_the_lines_it_no_longer_lists_at_its_sites_only(session):
    world = make_world(session)
    (bolt, nut, _), (site_a, site_b) = list(world.items), list(world.sites)
    header = ["料号", "库位", "库存"]
    run_import(session, world, csv_bytes([header, [bolt, site_a, 10], [nut, site_a, 20], [nut, site_b, 30]]))

    # when the next snapshot for site A no longer lists the nut
    preview = run_import(session, world, csv_bytes([header, [bolt, site_a, 12]]), dry_run=True)
    outcome = run_import(session, world, csv_bytes([header, [bolt, site_a, 12]]))

    # then the preview said so, and the nut at site A is zero while site B is untouched
    assert [(line.change, line.item_code, line.site_code) for line in preview.preview] == [
        ("changed", bolt, site_a), ("zeroed", nut, site_a)]
    assert (preview.batch.status, preview.batch.changed_count, preview.batch.zeroed_count) == ("previewed", 1, 1)
    assert (outcome.batch.changed_count, outcome.batch.zeroed_count) == (1, 1)
    assert stock_of(session, world.supplier) == {
        (bolt, site_a): (Decimal(12), Decimal(12)), (nut, site_a): (Decimal(0), Decimal(0)),
        (nut, site_b): (Decimal(30), Decimal(30))}


def test_a_dry_run_writes_no_stock(session):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))

    outcome = run_import(session, world, csv_bytes([["item", "site", "qty"], [bolt, site, 5]]), dry_run=True)

    assert (outcome.batch.status, outcome.batch.new_count) == ("previewed", 1)
    assert [line.change for line in outcome.preview] == ["new"]
    assert stock_of(session, world.supplier) == {}


def test_delta_mode_changes_only_the_rows_given(session):
    world = make_world(session)
    (bolt, nut, _), (site_a, _) = list(world.items), list(world.sites)
    run_import(session, world, csv_bytes([["item", "site", "qty"], [bolt, site_a, 10], [nut, site_a, 20]]))

    outcome = run_import(session, world, csv_bytes([["item", "site", "qty"], [nut, site_a, 25]]), mode="delta")

    assert (outcome.batch.changed_count, outcome.batch.zeroed_count) == (1, 0)
    assert stock_of(session, world.supplier) == {
        (bolt, site_a): (Decimal(10), Decimal(10)), (nut, site_a): (Decimal(25), Decimal(25))}


def test_the_same_file_twice_changes_nothing_the_second_time(session):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    data = csv_bytes([["item", "site", "qty"], [bolt, site, 10]])
    first = run_import(session, world, data)

    again = run_import(session, world, data)

    assert again.replayed and again.batch.id == first.batch.id
    assert session.scalar(select(func.count()).select_from(SupplierStockHistory).where(
        SupplierStockHistory.supplier_id == world.supplier.id)) == 1


def test_the_same_file_a_day_later_confirms_the_figures_are_current(session):
    # given a supplier whose ERP exports the same unchanged stock file every day
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    data = csv_bytes([["item", "site", "qty"], [bolt, site, 10]])
    yesterday = datetime.now(UTC) - timedelta(days=1)
    run_import(session, world, data, now=yesterday)

    again = run_import(session, world, data)

    # then nothing changes but the line's freshness, so no stale-data alert is raised
    line = session.scalars(select(SupplierStock).where(SupplierStock.supplier_id == world.supplier.id)).one()
    assert again.replayed and line.version == 1
    assert line.reported_at > yesterday + timedelta(hours=23)


def test_an_idempotency_key_replays_and_refuses_another_file(session):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    first = run_import(session, world, csv_bytes([["item", "site", "qty"], [bolt, site, 10]]), key="upload-1")
    run_import(session, world, csv_bytes([["item", "site", "qty"], [bolt, site, 11]]))

    again = run_import(session, world, csv_bytes([["item", "site", "qty"], [bolt, site, 10]]), key="upload-1")
    assert again.replayed and again.batch.id == first.batch.id
    assert stock_of(session, world.supplier)[(bolt, site)] == (Decimal(11), Decimal(11))
    with pytest.raises(IdempotencyMismatch):
        run_import(session, world, csv_bytes([["item", "site", "qty"], [bolt, site, 99]]), key="upload-1")


def test_an_xlsx_uses_saved_formula_values_and_reports_a_formula_without_one(session):
    world = make_world(session)
    (bolt, nut, cable), (site_a, _) = list(world.items), list(world.sites)
    rows = [["物料编码", "仓库", "库存", "可用量"],
            [bolt, site_a, 100, "=C2-10"],
            [nut, site_a, 50, "=C3/2"]]
    saved = with_cached_values(xlsx_bytes(rows, extra_sheets=["说明"]), {"D2": 90, "D3": 25})

    run_import(session, world, saved, filename="stock.xlsx")
    assert stock_of(session, world.supplier) == {(bolt, site_a): (Decimal(100), Decimal(90)),
                                                 (nut, site_a): (Decimal(50), Decimal(25))}

    unsaved = xlsx_bytes(rows + [[cable, site_a, "lots", 1]])
    with pytest.raises(InvalidImportFile) as raised:
        run_import(session, world, unsaved, filename="stock.xlsx")
    assert [(e.row, e.column, e.reason.split(":")[0]) for e in raised.value.errors] == [
        (2, "可用量", "formula without a saved value"), (3, "可用量", "formula without a saved value"),
        (4, "库存", "not a number")]


def test_a_saved_mapping_reads_a_supplier_own_headers(session):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    data = csv_bytes([["Artikel", "Lager", "Bestand"], [world.parts[bolt], site, 7]])
    mapping = {"supplier_part_number": "Artikel", "site": "Lager", "on_hand": "Bestand"}

    run_import(session, world, data, mapping=mapping, save_mapping=True)
    run_import(session, world, csv_bytes([["Artikel", "Lager", "Bestand"], [world.parts[bolt], site, 8]]))

    assert stock_of(session, world.supplier) == {(bolt, site): (Decimal(8), Decimal(8))}


@pytest.mark.parametrize("data,reason", [
    (b"", "the file is empty"),
    ("物料编码,仓库,库存\n".encode("gbk"), "the file has a header but no data rows"),
    ("Artikel;Bestand;Größe\nA;1;Lager groß\n".encode("cp1252"), "the file is not UTF-8 or GBK/GB18030"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "this is an old Excel .xls file"),
])
def test_unreadable_files_get_a_clear_reason(session, data, reason):
    world = make_world(session)

    with pytest.raises(InvalidImportFile) as raised:
        run_import(session, world, data)

    assert raised.value.errors[0].reason.startswith(reason)


def test_a_supplier_cannot_import_into_another_supplier_site(session):
    world = make_world(session)
    bolt = next(iter(world.items))

    with pytest.raises(InvalidImportFile) as raised:
        run_import(session, world, csv_bytes([["item", "site", "qty"], [bolt, world.other_site.code, 5]]))

    assert raised.value.errors[0].column == "site"


def test_a_workbook_whose_first_sheet_is_notes_points_at_its_other_sheets(session):
    world = make_world(session)
    workbook = xlsx_bytes([["本文件说明"], ["库存见下一张表"]], sheet="说明", extra_sheets=["库存"])

    with pytest.raises(InvalidImportFile) as refused:
        run_import(session, world, workbook, filename="stock.xlsx")

    hints = [e for e in refused.value.errors if e.column == "sheet"]
    assert [e.reason for e in hints] == [
        "this is the first sheet, '说明'; the workbook also has '库存': name the sheet to read"]


def test_a_header_below_the_searched_rows_is_explained(session):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    data = csv_bytes([[f"报表说明第{n}行"] for n in range(25)] + [["物料编码", "仓库", "现存量"], [bolt, site, 1]])

    with pytest.raises(InvalidImportFile) as refused:
        run_import(session, world, data)

    assert "the header row is looked for in the first 20 rows; delete the lines above it" in [
        e.reason for e in refused.value.errors]
