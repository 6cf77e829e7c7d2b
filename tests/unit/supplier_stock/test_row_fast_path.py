"""The row fast path (plain text cells, checked by shape) must never accept what the full check
refuses, nor read a row differently: every row gets the same answer either way."""
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from openvmi.supplier_stock import rules
from openvmi.supplier_stock.row_check import ItemRef, RowValidator

TODAY = date(2026, 11, 25)
HEADERS = ["物料编码", "仓库", "现存量", "可用量", "预计可用日期", "交期", "单位"]
ITEMS = {code: ItemRef(n, code, unit, 7) for n, (code, unit) in
         enumerate([("ITM-1", "PCS"), ("ITM-2", "KG"), ("ABC-10023", "PCS")], start=1)}
SITES = {"sh-01": 11, "nb-02": 12}  # rules.site_key of the codes

quantities = st.one_of(
    st.integers(min_value=0, max_value=20).map(str),
    st.decimals(min_value=0, max_value=20, places=2, allow_nan=False).map(str),
    st.decimals(min_value=0, max_value=10**13, places=7, allow_nan=False).map(str),
    st.integers(min_value=-5, max_value=10**13).map(str),
    st.sampled_from(["", " 12 ", "1,200.5", "12,5", "1e3", "-0", "0012", "007.50", "1.0000000", "nan", "Inf",
                     "1_000", "１２", "(5)", "5-", "999999999.999999", "1000000000", "0.", ".5", "+3", "#N/A"]),
)
rows = st.tuples(
    st.sampled_from(["ITM-1", "itm-2", " ABC-10023", "ITM-1", "ITM-9", "", "合计"]),
    st.sampled_from(["SH-01", "nb-02", "SH-01", "XX", ""]),
    quantities,
    quantities,
    st.sampled_from(["", "", "2026-12-01", "2026/12/1", "2026-11-24", "20261201", "soon"]),
    st.sampled_from(["", "", "7", " 30", "-1", "3651", "1.5", "x"]),
    st.sampled_from(["", "", "PCS", "个", "kg", "M"]),
)


def validator() -> RowValidator:
    match = rules.match_headers(HEADERS)
    return RowValidator(match.columns, HEADERS, {k.upper(): v for k, v in ITEMS.items()}, {}, SITES, None, TODAY)


@settings(max_examples=1500, deadline=None)
@given(rows)
def test_every_row_reads_the_same_with_or_without_the_fast_path(cells):
    checker = validator()
    line = checker.check(5, list(cells))
    if line is None:
        return  # a totals row: the full check is never asked
    assert as_numbers(line) == as_numbers(checker._full_check(5, list(cells)))


def as_numbers(line):
    """A checked line with its quantity text read as numbers ("0.00" and "0" store alike)."""
    if isinstance(line, tuple):
        return line[:3] + (Decimal(line[3]), Decimal(line[4])) + line[5:]
    return line


def test_quantities_reach_the_database_as_plain_decimal_text():
    checker = validator()
    assert checker.check(2, ["ITM-1", "SH-01", "1,200.50", "7", "", "", ""])[3:5] == ("1200.50", "7")
    assert checker.check(3, ["ITM-1", "SH-01", "1E3", "", "", "", ""])[3:5] == ("1000", "1000")
    assert checker.check(4, ["ITM-1", "SH-01", "37.5", "37.25", "2026-12-01", "", ""])[3:6] == \
        ("37.5", "37.25", "2026-12-01")
