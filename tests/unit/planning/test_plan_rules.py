"""Pure plan rules: ISO weeks as planners write them, how big a change is, which row is the header."""
from datetime import date
from decimal import Decimal

import pytest

from openvmi.planning.row_check import PlanChecker
from openvmi.planning.rules import Change, change_of, header_fitness, parse_week, week_label, week_start
from openvmi.tabular.values import CellError

TODAY = date(2026, 12, 2)  # Wednesday of 2026-W49


@pytest.mark.parametrize("text", ["2026-W50", "2026W50", "2026-w50", "2026-50", "2026第50周", "２０２６-Ｗ50"])
def test_a_week_is_read_in_the_spellings_planners_use(text):
    assert parse_week(text, today=TODAY) == date(2026, 12, 7)


def test_the_week_under_way_is_accepted_and_one_that_ended_is_not():
    assert parse_week("2026-W49", today=TODAY) == date(2026, 11, 30)
    with pytest.raises(CellError, match="week is in the past"):
        parse_week("2026-W48", today=TODAY)


@pytest.mark.parametrize("text", ["W50", "2026-W", "next week", "2026-12-07"])
def test_what_is_no_week_says_how_to_write_one(text):
    with pytest.raises(CellError, match="not a week"):
        parse_week(text, today=TODAY)


def test_week_53_exists_only_in_long_years():
    assert week_label(parse_week("2026-W53", today=TODAY)) == "2026-W53"
    with pytest.raises(CellError, match="2027 has no week 53"):
        parse_week("2027-W53", today=TODAY)


def test_a_days_week_starts_on_its_monday_even_across_new_year():
    assert week_start(date(2027, 1, 1)) == date(2026, 12, 28)
    assert week_label(date(2026, 12, 28)) == "2026-W53"


@pytest.mark.parametrize(("previous", "current", "change"), [
    (100, 100, Change.SAME), (100, 120, Change.UP), (100, 143, Change.UP_SHARPLY), (0, 5, Change.UP_SHARPLY),
    (100, 80, Change.DOWN), (100, 70, Change.DOWN_SHARPLY), (40, 0, Change.DOWN_SHARPLY)])
def test_a_change_of_thirty_percent_or_more_is_sharp(previous, current, change):
    assert change_of(Decimal(previous), Decimal(current)) == change


def test_the_header_needs_item_plant_a_date_or_week_and_quantity():
    assert header_fitness(["物料编码", "工厂", "周", "需求数量"]) == (True, 4)
    assert header_fitness(["Item code", "Plant", "Quantity"]) == (False, 3)


def test_a_true_cell_is_not_the_quantity_one():
    checker = PlanChecker({"BOLT": 1}, {"SZ01": 1}, TODAY)
    assert checker.check(2, item="BOLT", plant="SZ01", day=None, week="2026-W50", quantity=1).quantity == 1
    problems = checker.check(3, item="BOLT", plant="SZ01", day=None, week="2026-W51", quantity=True)
    assert [(p.field, p.reason) for p in problems] == [("quantity", "not a number")]
