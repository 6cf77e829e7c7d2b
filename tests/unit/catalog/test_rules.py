"""Pure catalog rules: the price in force on a day, overlapping price periods, how item codes sort."""
from datetime import date
from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from openvmi.catalog.rules import PricePeriod, break_clashes, code_sort_key, overlapping, price_on

ONE = Decimal(1)


def period(start: str, end: str | None = None, price: str = "1.00") -> PricePeriod:
    return PricePeriod(Decimal(price), "CNY", date.fromisoformat(start), date.fromisoformat(end) if end else None)


def test_the_latest_started_price_applies():
    periods = [period("2026-01-01", price="1.50"), period("2026-06-01", price="1.60")]

    assert price_on(periods, date(2026, 3, 1), ONE).price == Decimal("1.50")
    assert price_on(periods, date(2026, 6, 1), ONE).price == Decimal("1.60")
    assert price_on(periods, date(2030, 1, 1), ONE).price == Decimal("1.60")


def test_no_price_before_the_first_period():
    assert price_on([period("2026-01-01")], date(2025, 12, 31), ONE) is None


def test_an_explicit_end_is_inclusive_and_then_no_price_applies():
    periods = [period("2026-01-01", "2026-03-31")]

    assert price_on(periods, date(2026, 3, 31), ONE) is not None
    assert price_on(periods, date(2026, 4, 1), ONE) is None


def test_an_open_ended_price_ends_when_the_next_period_starts_even_after_that_one_ended():
    # the open-ended list price runs "until the next period starts"; a later promotion that
    # has ended does not bring the old list price back
    periods = [period("2026-01-01", price="1.50"), period("2026-03-01", "2026-04-30", price="1.20")]

    assert price_on(periods, date(2026, 2, 1), ONE).price == Decimal("1.50")
    assert price_on(periods, date(2026, 4, 30), ONE).price == Decimal("1.20")
    assert price_on(periods, date(2026, 5, 1), ONE) is None


def test_no_periods_no_price():
    assert price_on([], date(2026, 1, 1), ONE) is None


def test_an_explicit_end_after_the_next_start_overlaps():
    a, b = period("2026-01-01", "2026-06-30"), period("2026-06-01")

    assert overlapping([b, a]) == [(a, b)]


def test_two_prices_starting_the_same_day_are_one_break_set_not_an_overlap():
    a, b = period("2026-01-01", price="1"), period("2026-01-01", price="2")

    assert overlapping([a, b]) == []


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


# --- quantity breaks --------------------------------------------------------------------------

def brk(start: str, minimum: str, price: str, end: str | None = None) -> PricePeriod:
    return PricePeriod(Decimal(price), "CNY", date.fromisoformat(start), date.fromisoformat(end) if end else None,
                       Decimal(minimum))


BREAKS = [brk("2026-01-01", "1", "5.00"), brk("2026-01-01", "100", "4.50"), brk("2026-01-01", "500", "4.00")]


def test_the_highest_break_the_line_quantity_reaches_applies():
    day = date(2026, 2, 1)

    assert [price_on(BREAKS, day, Decimal(q)).price for q in ("1", "99", "99.999999", "100", "101", "499", "500")] == [
        Decimal("5.00"), Decimal("5.00"), Decimal("5.00"), Decimal("4.50"), Decimal("4.50"), Decimal("4.50"),
        Decimal("4.00")]


def test_a_quantity_below_the_lowest_break_has_no_price():
    assert price_on(BREAKS, date(2026, 2, 1), Decimal("0.5")) is None


def test_a_new_break_set_replaces_the_whole_old_one_from_its_day():
    # the old set had a 500+ break; the new set has none, so 600 pays the new set's 100+ price
    breaks = [*BREAKS, brk("2026-07-01", "1", "5.20"), brk("2026-07-01", "100", "4.80")]

    assert price_on(breaks, date(2026, 6, 30), Decimal(600)).price == Decimal("4.00")
    assert price_on(breaks, date(2026, 7, 1), Decimal(600)).price == Decimal("4.80")
    assert price_on(breaks, date(2026, 7, 2), Decimal(99)).price == Decimal("5.20")


def test_a_break_set_ends_as_a_whole():
    breaks = [brk("2026-01-01", "0", "5", "2026-03-31"), brk("2026-01-01", "100", "4", "2026-03-31")]

    assert price_on(breaks, date(2026, 3, 31), Decimal(100)).price == Decimal("4")
    assert price_on(breaks, date(2026, 4, 1), Decimal(100)) is None


def test_the_same_minimum_twice_on_one_day_and_ragged_ends_are_clashes():
    twice = [brk("2026-01-01", "100", "4.50"), brk("2026-01-01", "100", "4.40")]
    ragged = [brk("2026-01-01", "0", "5", "2026-06-30"), brk("2026-01-01", "100", "4")]

    assert break_clashes(twice) == ["two prices starting 2026-01-01 for the same minimum quantity 100"]
    assert break_clashes(ragged) == [
        "the prices starting 2026-01-01 end on different days; a break set is valid as a whole"]
    assert break_clashes(BREAKS) == []


def test_sets_overlap_when_an_earlier_sets_end_reaches_the_next_start():
    breaks = [brk("2026-01-01", "0", "5", "2026-07-01"), brk("2026-01-01", "100", "4", "2026-07-01"),
              brk("2026-07-01", "0", "6")]

    assert overlapping(breaks) == [(breaks[0], breaks[2])]
