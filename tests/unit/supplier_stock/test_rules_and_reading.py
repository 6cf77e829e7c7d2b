"""Reading cells and headers the way suppliers write them, without a database."""
import io
from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from openvmi.errors import InvalidImportFile
from openvmi.supplier_stock import rules
from openvmi.tabular import values
from openvmi.tabular.formats import open_table
from openvmi.supplier_stock.schemas import ImportRequest
from tests.unit.supplier_stock.files import csv_bytes, xlsx_bytes

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize("text,quantity", [("1,234.5", Decimal("1234.5")), ("12,5", Decimal("12.5")),
                                           (" 7 ", Decimal(7)), (3.0, Decimal(3)), ("０.５", Decimal("0.5"))])
def test_quantities_read_as_suppliers_write_them(text, quantity):
    assert values.parse_quantity(text) == quantity


@pytest.mark.parametrize("text,reason", [("-1", "negative quantity"), ("abc", "not a number"),
                                         ("NaN", "not a number"), ("0.0000001", "more than 6 decimal places"),
                                         ("1,5000", "unclear number"), ("1,20,000", "unclear number"),
                                         (True, "not a number")])
def test_bad_quantities_say_why(text, reason):
    with pytest.raises(values.CellError, match=reason):
        values.parse_quantity(text)


@pytest.mark.parametrize("text", ["2026-12-01", "2026/12/1", "2026年12月1日", "20261201", "2026-12-01 00:00:00"])
def test_dates_in_common_spellings(text):
    assert values.parse_date(text, today=TODAY) == date(2026, 12, 1)


def test_a_date_in_the_past_is_refused():
    with pytest.raises(values.CellError, match="in the past"):
        values.parse_date("2026-11-24", today=TODAY)


def test_units_match_by_alias_but_never_convert():
    assert rules.same_unit("个", "PCS") and rules.same_unit("pcs", "PCS") and rules.same_unit("米", "M")
    assert not rules.same_unit("KG", "PCS")


def test_chinese_and_english_headers_find_their_fields():
    match = rules.match_headers(["物料编码", "仓库（代码）", "现存量", "可用量", "预计可用日期", "交期", "单位", "备注"])
    assert match.columns == {"item_code": 0, "site": 1, "on_hand": 2, "available": 3, "next_available_date": 4,
                             "lead_time_days": 5, "unit": 6}
    assert match.ignored == ["备注"] and match.problems == []


def test_missing_required_columns_are_named():
    match = rules.match_headers(["foo", "bar"])
    assert [reason.split(":")[0] for _, reason in match.problems] == ["no item column", "no on-hand column"]


def test_the_own_threshold_wins_over_the_item_default():
    marks = rules.effective_thresholds(own_low=Decimal(5), own_high=None, item_default_low=Decimal(50))
    assert rules.is_low(Decimal(4), marks) and not rules.is_low(Decimal(5), marks)
    default = rules.effective_thresholds(own_low=None, own_high=None, item_default_low=Decimal(50))
    assert rules.is_low(Decimal(49), default)


def test_a_named_sheet_is_read_and_an_unknown_one_is_refused():
    data = xlsx_bytes([["x"]], sheet="说明", extra_sheets=["库存"])
    assert open_table(io.BytesIO(data), filename="s.xlsx", sheet="库存").headers == ["ignored"]
    with pytest.raises(InvalidImportFile, match="no sheet named"):
        open_table(io.BytesIO(data), filename="s.xlsx", sheet="Stock")


def test_an_oversized_file_is_refused_before_reading():
    with pytest.raises(InvalidImportFile, match="the limit is 1 MB"):
        open_table(io.BytesIO(b"a,b\n" * 400_000), filename="big.csv", max_bytes=1024 * 1024)


def test_a_file_that_turns_out_not_to_be_utf8_names_the_row():
    # a byte late in the file that neither UTF-8 nor GBK/GB18030 can read (a late GBK text is read as GBK)
    data = csv_bytes([["item", "qty"]] + [["A", 1]] * 30000) + "B,2\n".encode("utf-8") + b"\xff\xfe,1\n"
    reader = open_table(io.BytesIO(data), filename="x.csv")
    with pytest.raises(InvalidImportFile, match="not valid utf-8 at row 30003"):
        list(reader.rows())


@pytest.mark.parametrize("before", [0, 2])
def test_a_line_of_millions_of_cells_is_refused_before_it_is_parsed(before):
    # a "row" of 1.5 million empty cells would take gigabytes once csv splits it
    data = b"item,site,on hand\r\n" * before + b"," * 1_500_000 + b"\r\nA,B,1\r\n"

    with pytest.raises(InvalidImportFile) as refused:
        open_table(io.BytesIO(data), filename="wide.csv")

    [error] = refused.value.errors
    assert error.row == before + 1 and f"line {before + 1} is longer than 1 MB" in error.reason


def test_long_but_sane_lines_still_read():
    data = ("物料编码,仓库,现存量,备注\n" + "".join(f"A{n},WH,{n},{'说明' * 300}\n" for n in range(3000))).encode()

    table = open_table(io.BytesIO(data), filename="notes.csv")

    assert sum(1 for _ in table.rows()) == 3000


def test_a_gbk_export_whose_first_chinese_text_comes_late_is_still_read_as_gbk():
    ascii_rows = "".join(f"PART-{n:05d},WH1,{n}\r\n" for n in range(4000))  # well past the 64 KB sample
    data = ("item code,site,on hand\r\n" + ascii_rows + "螺栓-M8,仓库一,5\r\n").encode("gbk")

    table = open_table(io.BytesIO(data), filename="erp.csv")

    assert table.encoding == "gb18030"
    assert list(table.rows())[-1][1] == ["螺栓-M8", "仓库一", "5"]


@pytest.mark.parametrize("name", ["zlib", "base64", "rot13", "hex", "bz2", "no-such-codec", "idna", "utf\x00"])
def test_only_a_text_encoding_may_be_named_for_a_file(name):
    with pytest.raises(ValidationError) as refused:
        ImportRequest(encoding=name)

    assert [(e["loc"], e["type"]) for e in refused.value.errors()] == [(("encoding",), "text_encoding")]
    assert ImportRequest(encoding="GBK").encoding == "GBK"


def test_a_reader_given_a_codec_that_is_no_text_encoding_refuses_the_file():
    with pytest.raises(InvalidImportFile) as refused:
        open_table(io.BytesIO(b"item,qty\r\nBOLT,1\r\n"), filename="stock.csv", encoding="zlib")

    assert [(e.column, e.reason) for e in refused.value.errors] == [
        ("encoding", "not a text encoding: choose one such as utf-8, gb18030 or big5")]
