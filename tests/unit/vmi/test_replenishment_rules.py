"""The replenishment projection against hand-computed examples: below min, run-out, and suggestions
rounded to MOQ and pack size, never due before the lead time."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from openvmi.vmi.replenishment.rules import (
    Day, Inputs, Suggestion, Terms, order_quantity, project, runs_out_within_lead_time,
)
from openvmi.vmi.replenishment.schemas import ProjectedDay

MONDAY = date(2026, 12, 7)


def day(offset: int) -> date:
    return MONDAY + timedelta(days=offset)


def d(value: str | int) -> Decimal:
    return Decimal(str(value))


def terms(*, low: int = 100, high: int = 300, lead: int = 3, moq: int = 150, pack: int = 40) -> Terms:
    return Terms(min_level=d(low), max_level=d(high), lead_time_days=lead, moq=d(moq), pack_size=d(pack))


def steady(on_hand: int = 180, in_transit: int = 20, per_day: int = 60, days: int = 10,
           arrivals: dict[date, Decimal] | None = None) -> Inputs:
    return Inputs(on_hand=d(on_hand), in_transit_now=d(in_transit), arrivals=arrivals or {},
                  demand={day(i): d(per_day) for i in range(days)})


def test_stock_falls_below_min_then_runs_out_and_suggestions_fill_up_to_max_in_whole_packs() -> None:
    # 180 on hand + 20 in transit = 200; 60 a day: 140, 80 (below 100), 20, -40 (short)...
    projection = project(terms(), steady(), today=MONDAY, horizon_days=10)

    assert [x["projected"] for x in projection.days[:4]] == [d(140), d(80), d(20), d(-40)]
    assert projection.first_below_min == day(1)
    assert projection.run_out == day(3)
    # Day 3 is the first the lead time allows; it would end at -40: 140 to min, 340 to max, MOQ 150,
    # packs of 40 -> 8 packs = 320 (end of day 280). Then 220, 160, 100 (not below), 40 on day 7:
    # 60 to min, 260 to max -> 6 packs = 240 (end 280), then 220, 160.
    assert projection.earliest_due == day(3)
    assert projection.suggestions == [Suggestion(day(3), d(320)), Suggestion(day(7), d(240))]
    assert [x["with_suggestions"] for x in projection.days] == [d(v) for v in (140, 80, 20, 280, 220, 160, 100, 280,
                                                                          220, 160)]
    assert all(x["with_suggestions"] <= d(300) for x in projection.days)


def test_no_suggestion_is_due_before_today_plus_lead_time() -> None:
    projection = project(terms(lead=5), steady(), today=MONDAY, horizon_days=10)

    assert projection.suggestions[0].due == day(5)
    # run out on day 3, and nothing ordered today arrives before day 5: the alert that asks for a rush
    assert runs_out_within_lead_time(projection)


def test_a_run_out_on_the_earliest_due_day_can_still_be_met() -> None:
    assert not runs_out_within_lead_time(project(terms(lead=3), steady(), today=MONDAY, horizon_days=10))


def test_arrivals_count_on_their_day() -> None:
    projection = project(terms(lead=0), steady(arrivals={day(1): d(200)}), today=MONDAY, horizon_days=3)

    assert [x["projected"] for x in projection.days] == [d(140), d(280), d(220)]
    assert projection.first_below_min is None and projection.suggestions == []


def test_no_demand_and_enough_stock_needs_nothing() -> None:
    projection = project(terms(), Inputs(d(150), d(0), {}, {}), today=MONDAY, horizon_days=56)

    assert len(projection.days) == 56 and projection.days[-1]["day"] == day(55)
    assert projection.first_below_min is None and projection.run_out is None and projection.suggestions == []


def test_stock_exactly_at_min_is_not_below_it_and_zero_is_not_a_run_out() -> None:
    projection = project(terms(low=0, lead=0), Inputs(d(60), d(0), {}, {day(0): d(60)}), today=MONDAY, horizon_days=2)

    assert projection.days[0]["projected"] == 0
    assert projection.first_below_min is None and projection.run_out is None


@pytest.mark.parametrize(("to_min", "to_max", "moq", "pack", "expected"), [
    (10, 200, 0, 1, 200),      # no MOQ, packs of one: fill up to max
    (10, 210, 0, 25, 200),     # whole packs below max: 8 x 25
    (60, 110, 130, 25, 150),   # packs up to max (100) miss the MOQ of 130: the fewest packs above it, 6 x 25
    (10, 30, 0, 50, 50),       # one pack of 50 is more than max allows, but none reaches min
    (45, 45, 0, 20, 60),       # whole packs to max (40) miss min (45): 3 packs
    ("0.5", "2.25", 0, "0.5", 2),  # fractional packs
])
def test_order_quantity_rounds_to_moq_and_pack_size(to_min, to_max, moq, pack, expected) -> None:  # noqa: ANN001
    assert order_quantity(to_min=d(to_min), to_max=d(to_max), moq=d(moq), pack_size=d(pack)) == d(expected)


def test_suggestion_with_moq_above_what_max_allows_passes_max_by_the_least_possible() -> None:
    # min 100, max 150, MOQ 130, packs of 25; 40 on hand, nothing consumed, lead time 0:
    # 60 to min, 110 to max; 4 packs (100) miss the MOQ -> 6 packs = 150, stock 190.
    projection = project(Terms(d(100), d(150), 0, d(130), d(25)), Inputs(d(40), d(0), {}, {}), today=MONDAY,
                         horizon_days=3)

    assert projection.suggestions == [Suggestion(MONDAY, d(150))]
    assert [x["with_suggestions"] for x in projection.days] == [d(190)] * 3


def test_a_projected_day_is_sent_as_the_rules_make_it() -> None:
    # the read model passes the rules' days through unchanged, so the two shapes must be one
    assert Day.__annotations__ == ProjectedDay.__annotations__
    assert set(project(terms(), steady(), today=MONDAY, horizon_days=1).days[0]) == ProjectedDay.__required_keys__
