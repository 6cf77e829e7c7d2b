"""Pure catalog rules: the price in force on a day, overlapping price periods, how item codes sort."""
from datetime import date
from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from openvmi.catalog.rules import PricePeriod, code_sort_key, overlapping, price_on


def period(start: str, end: str | None = None, price: str = "1.00") -> PricePeriod:
    return PricePeriod(Decimal(price), "CNY", date.fromisoformat(start), date.fromisoformat(end) if end else None)


def test_the_latest_started_price_applies():
    periods = [period("2026-01-01", price="1.50"), period("2026-06-01", price="1.60")]

    assert price_on(periods, date(2026, 3, 1)).price == Decimal("1.50")
    assert price_on(periods, date(2026, 6, 1)).price == Decimal("1.60")
    assert price_on(periods, date(2030, 1, 1)).price == Decimal("1.60")


def test_no_price_before_the_first_period():
    assert price_on([period("2026-01-01")], date(2025, 12, 31)) is None


def test_an_explicit_end_is_inclusive_and_then_no_price_applies():
    periods = [period("2026-01-01", "2026-03-31")]

    assert price_on(periods, date(2026, 3, 31)) is not None
    assert price_on(periods, date(2026, 4, 1)) is None


def test_an_open_ended_price_ends_when_the_next_period_starts_even_after_that_one_ended():
    # the open-ended list price runs "until the next period starts"; a later promotion that
    # has ended does not bring the old list price back
    periods = [period("2026-01-01", price="1.50"), period("2026-03-01", "2026-04-30", price="1.20")]

    assert price_on(periods, date(2026, 2, 1)).price == Decimal("1.50")
    assert price_on(periods, date(2026, 4, 30)).price == Decimal("1.20")
    assert price_on(periods, date(2026, 5, 1)) is None


def test_no_periods_no_price():
    assert price_on([], date(2026, 1, 1)) is None


def test_an_explicit_end_after_the_next_start_overlaps():
    a, b = period("2026-01-01", "2026-06-30"), period("2026-06-01")

    assert overlapping([b, a]) == [(a, b)]


def test_two_periods_starting_the_same_day_overlap():
    a, b = period("2026-01-01", price="1"), period("2026-01-01", price="2")

    assert len(overlapping([a, b])) == 1


def test_back_to_back_and_open_ended_periods_do_not_overlap():
    periods = [period("2026-01-01", "2026-03-31"), period("2026-04-01"), period("2026-09-01")]

    assert overlapping(periods) == []


def test_an_end_on_the_next_start_day_overlaps_by_one_day():
    a, b = period("2026-01-01", "2026-04-01"), period("2026-04-01", "2026-05-01")

    assert overlapping([a, b]) == [(a, b)]


def test_item_codes_sort_the_way_people_read_them():
    codes = ["BOLT-M10X60", "BOLT-M10X8", "BOLT-M8X100", "BOLT-M10X10", "HSG-010", "HSG-9", "BOLT-M10X08"]

    ordered = sorted(codes, key=lambda code: (code_sort_key(code), code))

    assert ordered == ["BOLT-M8X100", "BOLT-M10X08", "BOLT-M10X8", "BOLT-M10X10", "BOLT-M10X60", "HSG-9", "HSG-010"]


@given(st.text(alphabet="AB-", max_size=3), st.integers(0, 10**30), st.integers(0, 10**30))
def test_numbers_in_codes_compare_by_value(prefix, first, second):
    assume(first != second)

    smaller = code_sort_key(f"{prefix}{first}X") < code_sort_key(f"{prefix}{second}X")

    assert smaller == (first < second)
