"""Days of cover: whole days the stock meets the plan in full, from today."""
from datetime import date, timedelta
from decimal import Decimal

from openvmi.vmi.stock.rules import days_of_cover, plans_demand

TODAY = date(2026, 12, 2)


def plan(*quantities: int) -> dict[date, Decimal]:
    return {TODAY + timedelta(days=offset): Decimal(q) for offset, q in enumerate(quantities) if q}


def test_stock_covers_the_days_whose_demand_it_meets_in_full():
    assert days_of_cover(Decimal(13), plan(2, 2, 2, 2, 2, 2, 2, 2), today=TODAY) == 6  # day 7 would need 14


def test_stock_short_of_todays_demand_covers_no_day():
    assert days_of_cover(Decimal(1), plan(2), today=TODAY) == 0


def test_ending_a_day_at_exactly_zero_still_covers_it():
    assert days_of_cover(Decimal(4), plan(2, 2, 1), today=TODAY) == 2


def test_stock_that_outlasts_the_horizon_or_no_plan_has_no_end_in_sight():
    assert days_of_cover(Decimal(100), plan(2, 2), today=TODAY) is None
    assert days_of_cover(Decimal(0), {}, today=TODAY) is None
    assert days_of_cover(Decimal(5), plan(0, 0, 6), today=TODAY, horizon_days=2) is None


def test_a_plan_of_zeros_or_none_asks_for_nothing():
    assert not plans_demand({}) and not plans_demand(plan(0, 0))
    assert plans_demand(plan(0, 3))
