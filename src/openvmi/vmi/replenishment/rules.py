"""The replenishment projection, pure: stock per day from what is there, what arrives and what the plan
consumes; the first day below min, the run-out day, and shipments rounded to MOQ and pack size that
keep the stock within min/max, never due before the lead time allows."""
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import lru_cache
from typing import TypedDict

DEFAULT_HORIZON_DAYS = 56  # 8 weeks
MAX_HORIZON_DAYS = 182  # 26 weeks: beyond that a demand plan says little about a day


@dataclass(frozen=True)
class Terms:
    """What the agreement and its supplier item say about refilling."""

    min_level: Decimal
    max_level: Decimal
    lead_time_days: int
    moq: Decimal
    pack_size: Decimal


@dataclass(frozen=True)
class Inputs:
    """Stock now and what moves it, per day (days outside the horizon are ignored)."""

    on_hand: Decimal
    in_transit_now: Decimal  # on the way with no known arrival: counted from the first day
    arrivals: Mapping[date, Decimal]  # in transit with an expected arrival, open accepted call-offs
    demand: Mapping[date, Decimal]  # planned consumption


class Day(TypedDict):
    """One day of the projection, a dict in the shape the API sends (schemas.ProjectedDay): a board
    has 56,000 of them, so no object per day and no second pass to build the answer (bench/README.md)."""

    day: date
    arriving: Decimal  # in transit with an arrival date, open accepted call-offs
    demand: Decimal  # planned consumption
    projected: Decimal  # at the end of the day, if nothing is done
    with_suggestions: Decimal  # at the end of the day, with the suggestions (they arrive on their due day)


@dataclass(frozen=True)
class Suggestion:
    due: date
    quantity: Decimal


@dataclass(frozen=True)
class Projection:
    days: list[Day]
    first_below_min: date | None
    run_out: date | None  # first day the plan's consumption is not covered (stock below zero)
    earliest_due: date
    suggestions: list[Suggestion]


def round_up(quantity: Decimal, step: Decimal) -> Decimal:
    return (quantity / step).to_integral_value(ROUND_CEILING) * step


def round_down(quantity: Decimal, step: Decimal) -> Decimal:
    return (quantity / step).to_integral_value(ROUND_FLOOR) * step


def order_quantity(*, to_min: Decimal, to_max: Decimal, moq: Decimal, pack_size: Decimal) -> Decimal:
    """What to ship when stock would end a day `to_min` short of min: fill up to max in whole packs;
    if whole packs up to max would not reach min or the MOQ, the fewest packs that do (passing max
    is then the lesser evil: below min or below MOQ is not an order anyone can place)."""
    floor = max(to_min, moq)
    quantity = round_down(to_max, pack_size)
    if quantity >= floor and quantity > 0:
        return quantity
    return round_up(floor, pack_size)


def project(terms: Terms, inputs: Inputs, *, today: date, horizon_days: int = DEFAULT_HORIZON_DAYS) -> Projection:
    """Walk the horizon day by day: the projection without action, then with a suggestion each time
    the stock would end a day below min on or after the earliest due date (today + lead time)."""
    earliest_due = today + timedelta(days=terms.lead_time_days)
    plain = suggested_stock = inputs.on_hand + inputs.in_transit_now
    days: list[Day] = []
    suggestions: list[Suggestion] = []
    first_below_min = run_out = None
    zero = Decimal(0)
    min_level, arrivals, demands = terms.min_level, inputs.arrivals, inputs.demand
    for day in horizon(today, horizon_days):
        arriving, demand = arrivals.get(day, zero), demands.get(day, zero)
        if arriving is not zero or demand is not zero:  # most days nothing moves: no arithmetic
            change = arriving - demand
            plain += change
            suggested_stock += change
        if first_below_min is None and plain < min_level:
            first_below_min = day
        if run_out is None and plain < zero:
            run_out = day
        if suggested_stock < min_level and day >= earliest_due:
            shipped = order_quantity(to_min=min_level - suggested_stock, to_max=terms.max_level - suggested_stock,
                                     moq=terms.moq, pack_size=terms.pack_size)
            suggested_stock += shipped
            suggestions.append(Suggestion(due=day, quantity=shipped))
        days.append({"day": day, "arriving": arriving, "demand": demand, "projected": plain,
                     "with_suggestions": suggested_stock})
    return Projection(days=days, first_below_min=first_below_min, run_out=run_out, earliest_due=earliest_due,
                      suggestions=suggestions)


@lru_cache(maxsize=256)  # the alert sweep asks for one horizon per lead time
def horizon(today: date, horizon_days: int) -> tuple[date, ...]:
    """The horizon's days, from today: the same for every agreement of a board, so made once."""
    return tuple(today + timedelta(days=offset) for offset in range(horizon_days))


def runs_out_within_lead_time(projection: Projection) -> bool:
    """Nothing ordered now can arrive before the stock runs out: the alert that asks for a rush."""
    return projection.run_out is not None and projection.run_out < projection.earliest_due
