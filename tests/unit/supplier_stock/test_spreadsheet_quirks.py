"""What spreadsheet programs and ERP exports do to cells and layout, read the way the user sees it."""
import io
import re
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from openvmi.supplier_stock import rules
from openvmi.tabular import values
from openvmi.tabular.formats import open_table
from tests.unit.supplier_stock.files import csv_bytes

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize("value,quantity", [(0.1 * 3, Decimal("0.3")), (1199.9999999999998, Decimal(1200)),
                                            ("１，２００", Decimal(1200)), ("\u3000８０\u3000", Decimal(80)),
                                            ("1,200.000", Decimal(1200))])
def test_quantities_are_the_figures_the_spreadsheet_shows(value, quantity):
    assert values.parse_quantity(value) == quantity


@pytest.mark.parametrize("text", ["5-", "1,200.000-", "(5)"])
def test_sap_trailing_minus_and_accounting_brackets_are_negative(text):
    with pytest.raises(values.CellError, match="negative quantity"):
        values.parse_quantity(text)


@pytest.mark.parametrize("value", [48183, 48183.0, "48183", "20311201", 20311201, "２０３１／１２／０１", "2031.12.01"])
def test_excel_day_numbers_and_eight_digit_dates(value):
    assert values.parse_date(value, today=TODAY) == date(2031, 12, 1)


@pytest.mark.parametrize("value", [123, "2031/13/01", "12/01/2031"])
def test_numbers_that_are_no_date_are_refused(value):
    with pytest.raises(values.CellError):
        values.parse_date(value, today=TODAY)


@pytest.mark.parametrize("label", ["合计", "总计", " 小计 ", "Total", "GRAND TOTAL", "合　计"])
def test_total_labels(label):
    assert values.is_total_label(label)


def test_the_header_is_found_below_a_report_title_and_blank_lines():
    data = csv_bytes([["库存报表"], ["打印日期：2026/11/25", "", ""], [], ["物料编码", "仓库", "库存"],
                      ["A-1", "S1", "5"]], encoding="gbk")

    reader = open_table(io.BytesIO(data), filename="x.csv", judge_header=rules.header_fitness)

    assert (reader.header_row, reader.headers) == (4, ["物料编码", "仓库", "库存"])
    assert list(reader.rows()) == [(5, ["A-1", "S1", "5"])]


def test_without_a_complete_header_the_most_header_like_row_is_blamed():
    # row 3 has the item column but no quantity: its problems are reported there, not on the title
    data = csv_bytes([["Stock report"], [], ["Item code", "Site", "Note"], ["A-1", "S1", "x"]])

    reader = open_table(io.BytesIO(data), filename="x.csv", judge_header=rules.header_fitness)

    assert reader.header_row == 3 and list(reader.rows()) == [(4, ["A-1", "S1", "x"])]


def test_a_header_further_down_than_twenty_rows_is_not_searched_for():
    rows = [[f"note {n}"] for n in range(25)] + [["item", "qty"], ["A-1", "1"]]

    reader = open_table(io.BytesIO(csv_bytes(rows)), filename="x.csv", judge_header=rules.header_fitness)

    assert reader.header_row == 1


@pytest.mark.parametrize("lines,delimiter", [
    (["仓库库存清单", "", "物料\t库存地点\t非限制使用库存", "A-1\tS1\t1,200.000", "A-2\tS1\t5,000.000"], "\t"),
    (["Report;;", "item;site;qty", "A-1;S1;1,5", "A-2;S1;2,5"], ";"),
    (['即时库存,,', "物料编码,仓库,库存", 'A-1,S1,"1,200"', "A-2,S1,5"], ","),
])
def test_the_delimiter_is_the_one_that_splits_lines_alike(lines, delimiter):
    data = "\r\n".join(lines).encode("gbk")

    assert open_table(io.BytesIO(data), filename="x.csv", judge_header=rules.header_fitness).delimiter == delimiter


def test_utf16_unicode_text_with_windows_line_ends():
    data = "\ufeff料号\t仓库\t库存\r\nA-1\tS1\t5\r\n".encode("utf-16-le")

    reader = open_table(io.BytesIO(data), filename="x.txt", judge_header=rules.header_fitness)

    assert (reader.encoding, reader.delimiter, list(reader.rows())) == ("utf-16", "\t", [(2, ["A-1", "S1", "5"])])


def test_a_workbook_that_declares_its_used_range_as_a1_is_read_whole():
    # some exporters write <dimension ref="A1"/> whatever the sheet holds (the real file, patched)
    workbook = (Path(__file__).parents[2] / "fixtures" / "supplier_stock" / "xlsxwriter_shared_strings.xlsx")
    source, patched = zipfile.ZipFile(workbook), io.BytesIO()
    with zipfile.ZipFile(patched, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', data)
            target.writestr(info, data)

    reader = open_table(patched, filename="x.xlsx", judge_header=rules.header_fitness)

    assert len(reader.headers) == 6 and [row for row, _ in reader.rows()] == [2, 3]
