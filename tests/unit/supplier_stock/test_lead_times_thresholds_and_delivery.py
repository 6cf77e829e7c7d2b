"""Supplier stock rules no database is needed for: lead times as suppliers write them, high-water
and stale-data marks, and which line can serve demand first."""
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from openvmi.supplier_stock import rules
from openvmi.tabular import values

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.mark.parametrize("text", ["7", "7.0", " 7 ", "7天", "7日", "7 days", "7d", "７"])  # the last one full-width
def test_a_lead_time_reads_as_suppliers_write_it(text):
    assert rules.parse_days(text) == 7


@pytest.mark.parametrize(("text", "reason"), [("1.5", "not a whole number of days"), ("-1", "negative lead time"),
                                              ("3651", "lead time over 10 years"), ("soon", "not a number of days"),
                                              ("inf", "not a whole number of days")])
def test_a_lead_time_that_is_no_whole_number_of_days_says_why(text, reason):
    with pytest.raises(values.CellError, match=reason):
        rules.parse_days(text)


def test_only_stock_above_the_high_water_mark_is_high():
    marks = rules.effective_thresholds(own_low=Decimal(10), own_high=Decimal(200), item_default_low=None)

    assert rules.is_high(Decimal("200.000001"), marks) and not rules.is_high(Decimal(200), marks)
    assert not rules.is_high(Decimal(10**9), rules.Thresholds(low_water=Decimal(10), high_water=None))


def test_the_item_default_sets_no_high_water_mark():
    marks = rules.effective_thresholds(own_low=None, own_high=Decimal(200), item_default_low=Decimal(50))

    assert marks == rules.Thresholds(low_water=Decimal(50), high_water=None)


def test_a_supplier_is_stale_only_after_its_days_have_passed_and_never_before_it_first_reported():
    assert not rules.is_stale(NOW - timedelta(days=7), now=NOW, stale_after_days=7)
    assert rules.is_stale(NOW - timedelta(days=7, seconds=1), now=NOW, stale_after_days=7)
    assert not rules.is_stale(None, now=NOW, stale_after_days=7)


def deliverable(source="supplier", available="0", next_date=None, lead_time=None):
    return rules.deliverable_on(source=source, available=Decimal(available), next_available_date=next_date,
                                lead_time_days=lead_time, today=TODAY)


def test_stock_here_on_its_way_or_available_at_a_supplier_serves_today_whatever_its_lead_time():
    assert deliverable(source="vmi", lead_time=30) == deliverable(source="in_transit", lead_time=30) == TODAY
    assert deliverable(available="5", next_date=date(2026, 12, 1), lead_time=30) == TODAY


def test_a_supplier_without_available_stock_serves_at_its_next_date_else_after_its_lead_time():
    assert deliverable(next_date=date(2026, 12, 1), lead_time=30) == date(2026, 12, 1)
    assert deliverable(next_date=date(2026, 11, 1)) == TODAY  # a date already past is today
    assert deliverable(lead_time=3) == date(2026, 11, 28)
    assert deliverable() == TODAY


def test_lines_rank_soonest_first_then_our_own_stock_then_more_then_fresher():
    lines = {
        "supplier next week": rules.delivery_rank(deliverable=TODAY + timedelta(days=7), source="supplier",
                                                  available=Decimal(900), age_seconds=0),
        "supplier today, little": rules.delivery_rank(deliverable=TODAY, source="supplier", available=Decimal(5),
                                                      age_seconds=0),
        "supplier today, plenty, old": rules.delivery_rank(deliverable=TODAY, source="supplier",
                                                           available=Decimal(50), age_seconds=86_400),
        "supplier today, plenty, fresh": rules.delivery_rank(deliverable=TODAY, source="supplier",
                                                             available=Decimal(50), age_seconds=60),
        "on its way": rules.delivery_rank(deliverable=TODAY, source="in_transit", available=Decimal(1), age_seconds=0),
        "in our VMI store": rules.delivery_rank(deliverable=TODAY, source="vmi", available=Decimal(1), age_seconds=0),
    }

    assert sorted(lines, key=lines.get) == ["in our VMI store", "on its way", "supplier today, plenty, fresh",
                                            "supplier today, plenty, old", "supplier today, little",
                                            "supplier next week"]


def test_a_figures_age_rounds_to_a_tenth_of_an_hour_half_to_even():
    age_hours = rules.age_hours
    # 3 minutes is exactly half a tenth: to the even tenth (0.0); 9 minutes: 0.1 or 0.2, to 0.2
    assert [age_hours(timedelta(minutes=m)) for m in (3, 9, 15)] == [0.0, 0.2, 0.2]
    # a microsecond past the tie rounds up, one short rounds down
    assert age_hours(timedelta(minutes=3, microseconds=1)) == 0.1
    assert age_hours(timedelta(minutes=9, microseconds=-1)) == 0.1
    # a clock ahead of ours gives a negative age, never "-0.0"
    assert age_hours(timedelta(minutes=-7)) == -0.1
    assert str(age_hours(timedelta(minutes=-2))) == "0.0"
