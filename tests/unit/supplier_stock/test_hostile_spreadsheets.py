"""A hostile workbook is refused with what is wrong and which limit it broke, before it can take
the server's memory or minutes of its time; what stays within the limits is read as before."""
import io

import openpyxl
import pytest

from openvmi.errors import InvalidImportFile
from openvmi.settings import Settings
from openvmi.tabular.formats import open_table
from openvmi.tabular.xlsx_archive import ENTITIES, MB, XlsxLimits
from tests.unit.supplier_stock.hostile_xlsx import (
    BILLION_LAUGHS, HEADER_ROW, XXE, claiming, noise_cells, sheet_xml, workbook,
)


def refusal(data: bytes, limits: XlsxLimits | None = None) -> str:
    with pytest.raises(InvalidImportFile) as refused:
        reader = open_table(io.BytesIO(data), filename="stock.xlsx", xlsx_limits=limits)
        list(reader.rows())
    [error] = refused.value.errors
    return error.reason


def rows_of(data: bytes, limits: XlsxLimits | None = None) -> list[tuple[int, list[object]]]:
    reader = open_table(io.BytesIO(data), filename="stock.xlsx", xlsx_limits=limits)
    return list(reader.rows())


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.DEFUSEDXML is True


@pytest.mark.parametrize("hostile", [
    workbook(strings_prolog=XXE, strings="&secret;"),
    workbook(strings_prolog=BILLION_LAUGHS, strings="&lol9;"),
    workbook(workbook_prolog=XXE),
    workbook([sheet_xml(prolog=BILLION_LAUGHS)]),
    workbook([sheet_xml(), sheet_xml(prolog=XXE)]),
], ids=["xxe-shared-strings", "billion-laughs-shared-strings", "xxe-workbook", "billion-laughs-sheet",
        "xxe-other-sheet"])
def test_xml_entities_are_refused_wherever_they_are(hostile):
    assert refusal(hostile) == ENTITIES


def test_a_workbook_xml_claiming_400_mb_is_refused_before_it_is_inflated():
    bomb = claiming(workbook(), {"xl/workbook.xml": 400 * MB})

    assert refusal(bomb) == "xl/workbook.xml inflates to 400 MB; the limit is 16 MB (OPENVMI_XLSX_MAX_PART_MB)"


def test_shared_strings_claiming_200_mb_are_refused_before_they_are_inflated():
    bomb = claiming(workbook(), {"xl/sharedStrings.xml": 200 * MB})

    assert refusal(bomb) == ("xl/sharedStrings.xml inflates to 200 MB; the limit is 32 MB "
                             "(OPENVMI_XLSX_MAX_SHARED_STRINGS_MB)")


def test_a_sheet_claiming_a_gigabyte_is_refused_and_so_are_parts_adding_up_past_the_total():
    one_big = claiming(workbook(), {"xl/worksheets/sheet1.xml": 1024 * MB})
    three = claiming(workbook([sheet_xml()] * 3), {f"xl/worksheets/sheet{n}.xml": 400 * MB for n in (1, 2, 3)})

    assert refusal(one_big) == ("xl/worksheets/sheet1.xml inflates to 1024 MB; the limit is 512 MB "
                                "(OPENVMI_XLSX_MAX_SHEET_MB)")
    assert refusal(three) == "the workbook inflates to 1200 MB in all; the limit is 1024 MB (OPENVMI_XLSX_MAX_TOTAL_MB)"


def test_a_part_compressed_past_the_ratio_is_refused_as_a_zip_bomb():
    bomb = workbook([sheet_xml(HEADER_ROW + "<row><c/></row>" * 200_000)])

    assert refusal(bomb).startswith("xl/worksheets/sheet1.xml is compressed ")
    assert refusal(bomb).endswith("times; more than 100 times is refused as a zip bomb (OPENVMI_XLSX_MAX_RATIO)")


def test_an_archive_of_too_many_parts_is_refused():
    assert refusal(workbook(extra_parts=1000)) == "the workbook has 1006 parts; the limit is 1000 (OPENVMI_XLSX_MAX_PARTS)"


def test_rows_past_the_limit_are_refused_whether_declared_or_written():
    declared = workbook([sheet_xml(head='<dimension ref="A1:B2000000"/>')])
    written = workbook([sheet_xml(HEADER_ROW + '<row r="1048577"><c r="A1048577"><v>1</v></c></row>')])
    limits = XlsxLimits(max_rows=1000)
    just_past = workbook([sheet_xml(HEADER_ROW + "".join(f'<row><c><v>{n}</v></c></row>' for n in range(1000)))])

    assert refusal(declared) == "sheet 'Sheet1' has more than 1048576 rows (OPENVMI_XLSX_MAX_ROWS)"
    assert refusal(written) == "sheet 'Sheet1' has more than 1048576 rows (OPENVMI_XLSX_MAX_ROWS)"
    assert refusal(just_past, limits) == "sheet 'Sheet1' has more than 1000 rows (OPENVMI_XLSX_MAX_ROWS)"


def test_columns_past_the_limit_are_refused_whether_declared_or_in_the_header():
    declared = workbook([sheet_xml(head='<dimension ref="A1:ZZ10"/>')])
    wide_header = workbook([sheet_xml('<row r="1"><c r="A1"><v>1</v></c><c r="IW1"><v>2</v></c></row>')])

    assert refusal(declared) == "sheet 'Sheet1' has more than 256 columns (OPENVMI_XLSX_MAX_COLUMNS)"
    assert refusal(wide_header) == "sheet 'Sheet1' has more than 256 columns (OPENVMI_XLSX_MAX_COLUMNS)"


def test_cells_right_of_the_header_are_never_read():
    far_right = '<row r="2"><c r="A2"><v>7</v></c><c r="B2"><v>3</v></c><c r="XFD2"><v>9</v></c></row>'

    assert rows_of(workbook([sheet_xml(HEADER_ROW + far_right)])) == [(2, [7, 3])]


def test_a_row_whose_xml_is_too_long_is_refused_even_behind_a_comment():
    limits = XlsxLimits(max_row_bytes=64 * 1024)
    long_row = f'<row r="2">{noise_cells(5000)}</row>'
    hidden = f'<row r="2"><c><v>1</v></c><!-- </row><row r="3"> -->{noise_cells(5000)}</row>'

    assert refusal(workbook([sheet_xml(HEADER_ROW + long_row)]), limits).startswith(
        "row 2 of sheet 'Sheet1' is ")
    assert refusal(workbook([sheet_xml(HEADER_ROW + hidden)]), limits).endswith(
        "the limit is 64 KB (OPENVMI_XLSX_MAX_ROW_KB)")


def test_xml_hoarded_outside_rows_is_refused_in_the_sheet_read_and_in_any_other_sheet():
    limits = XlsxLimits(max_extra_bytes=64 * 1024)
    junk = "".join(f'<junk n="{n}"/>' for n in range(10_000))
    between_rows = workbook([sheet_xml(HEADER_ROW + junk)])
    other_sheet_head = workbook([sheet_xml(), sheet_xml(head=f"<sheetPr>{junk}</sheetPr>")])

    assert refusal(between_rows, limits).startswith("sheet 'Sheet1' has ")
    assert refusal(between_rows, limits).endswith("of XML outside its rows; the limit is 64 KB (OPENVMI_XLSX_MAX_EXTRA_KB)")
    assert refusal(other_sheet_head, limits).startswith("xl/worksheets/sheet2.xml has ")
    assert refusal(other_sheet_head, limits).endswith("of XML before its rows; the limit is 64 KB (OPENVMI_XLSX_MAX_EXTRA_KB)")


def test_a_workbook_within_the_limits_is_read_as_before():
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>BOLT-{n}</t></is></c>'
                   + ("" if n == 3 else f'<c r="B{n}"><v>{n}</v></c>') + "</row>" for n in range(2, 6))
    merged = '<mergeCells count="1"><mergeCell ref="B2:B3"/></mergeCells>'
    data = workbook([sheet_xml(HEADER_ROW + rows, tail=merged)])

    assert rows_of(data) == [(2, ["BOLT-2", 2]), (3, ["BOLT-3", 2]), (4, ["BOLT-4", 4]), (5, ["BOLT-5", 5])]


def test_the_settings_and_the_readers_agree_on_the_default_limits():
    assert XlsxLimits.from_settings(Settings(_env_file=None)) == XlsxLimits()
