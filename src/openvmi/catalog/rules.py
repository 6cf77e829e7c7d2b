"""Pure catalog rules: which price applies on a day for a quantity, whether price lists clash, and
how codes sort.

Prices come in break sets: every price row starting on the same day belongs to one set, which
is valid from that day as a whole (docs/decisions.md, "Quantity-break prices").
"""
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import groupby

from openvmi.errors import Reason


@dataclass(frozen=True)
class PricePeriod:
    price: Decimal
    currency: str
    valid_from: date
    valid_to: date | None  # inclusive; None = until the next period starts
    min_quantity: Decimal = Decimal(0)  # the break: applies to quantities of at least this


def break_sets(periods: Sequence[PricePeriod]) -> list[list[PricePeriod]]:
    """The periods grouped by start day (oldest first), each set's breaks by minimum quantity."""
    ordered = sorted(periods, key=lambda p: (p.valid_from, p.min_quantity))
    return [list(group) for _, group in groupby(ordered, key=lambda p: p.valid_from)]


def price_on(periods: Sequence[PricePeriod], day: date, quantity: Decimal) -> PricePeriod | None:
    """The break in force on `day` for `quantity`: in the set with the latest start not after the
    day (if it has not ended), the highest minimum quantity not above `quantity`."""
    # An open-ended set ends when the next one starts, so an ended later set must not bring an
    # earlier one back: pick the latest start first, then check that it still runs.
    started = [s for s in break_sets(periods) if s[0].valid_from <= day]
    if not started:
        return None
    current = started[-1]
    if any(p.valid_to is not None and day > p.valid_to for p in current):
        return None
    reached = [p for p in current if p.min_quantity <= quantity]
    return reached[-1] if reached else None


def overlapping(periods: Sequence[PricePeriod]) -> list[tuple[PricePeriod, PricePeriod]]:
    """Pairs of break sets (by their first break) whose explicit end reaches the next set's start."""
    firsts = [s[0] for s in break_sets(periods)]
    return [(earlier, later) for earlier, later in zip(firsts, firsts[1:])
            if earlier.valid_to is not None and earlier.valid_to >= later.valid_from]


def break_clashes(periods: Sequence[PricePeriod]) -> list[Reason]:
    """What is wrong inside break sets: one minimum quantity twice, or breaks that end on different days."""
    problems = []
    for breaks in break_sets(periods):
        start = breaks[0].valid_from
        minimums = [p.min_quantity for p in breaks]
        for minimum in sorted({m for m in minimums if minimums.count(m) > 1}):
            problems.append(Reason("two prices starting %(day)s for the same minimum quantity %(quantity)s",
                                   day=start, quantity=f"{minimum.normalize():f}"))
        if len({p.valid_to for p in breaks}) > 1:
            problems.append(Reason("the prices starting %(day)s end on different days; a break set is valid as a whole",
                                   day=start))
    return problems


_DIGITS = re.compile(r"[0-9]+")


def code_sort_key(code: str) -> str:
    """A text that sorts item codes the way people read them (M10X8 before M10X60) under plain string
    comparison: each run of digits becomes its length (two digits) and its value without leading zeros."""
    def number(match: re.Match[str]) -> str:
        digits = match.group().lstrip("0") or "0"
        return f"{len(digits):02d}{digits}"
    return _DIGITS.sub(number, code)
