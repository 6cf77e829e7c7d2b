"""Exports open safely in a spreadsheet: text that looks like a formula stays text."""
from io import BytesIO

import pytest
from openpyxl import load_workbook

from openvmi.web.exports import neutralise, to_csv, to_xlsx

DANGEROUS = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_starting_like_a_formula_is_prefixed_so_it_stays_text(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Ningbo Hengda", "a=b", "", 42, -5])
def test_ordinary_values_and_numbers_are_left_alone(value):
    assert neutralise(value) == value


def test_an_xlsx_export_has_no_formula_cells_and_keeps_numbers_numeric():
    workbook = load_workbook(BytesIO(to_xlsx(["name", "quantity"], [[t, -5] for t in DANGEROUS])))
    sheet = workbook.active

    cells = [row for row in sheet.iter_rows(min_row=2)]
    assert all(name.data_type == "s" and name.value.startswith("'") for name, _ in cells)
    assert all(quantity.value == -5 and quantity.data_type == "n" for _, quantity in cells)


def test_a_csv_export_starts_with_a_bom_and_neutralises_every_cell():
    text = to_csv(["name"], [["=1+1"], ["宁波"]]).decode("utf-8")

    assert text.startswith("\ufeff")
    assert text.splitlines()[1:] == ["'=1+1", "宁波"]
