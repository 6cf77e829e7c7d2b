"""Pure catalog rules: which price applies on a day, whether price periods overlap, and how codes sort."""
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class PricePeriod:
    price: Decimal
    currency: str
    valid_from: date
    valid_to: date | None  # inclusive; None = until the next period starts


def price_on(periods: Sequence[PricePeriod], day: date) -> PricePeriod | None:
    """The period in force on `day`: the latest start not after it, if it has not ended."""
    # An open-ended period ends when the next one starts, so an ended later period must not
    # bring an earlier one back: pick the latest start first, then check that it still runs.
    latest = max((p for p in periods if p.valid_from <= day), key=lambda p: p.valid_from, default=None)
    if latest is None or (latest.valid_to is not None and day > latest.valid_to):
        return None
    return latest


def overlapping(periods: Sequence[PricePeriod]) -> list[tuple[PricePeriod, PricePeriod]]:
    """Pairs of periods that both set an explicit end and cover a common day."""
    ordered = sorted(periods, key=lambda p: p.valid_from)
    clashes = []
    for earlier, later in zip(ordered, ordered[1:]):
        if earlier.valid_from == later.valid_from or (
                earlier.valid_to is not None and earlier.valid_to >= later.valid_from):
            clashes.append((earlier, later))
    return clashes


_DIGITS = re.compile(r"[0-9]+")


def code_sort_key(code: str) -> str:
    """A text that sorts item codes the way people read them (M10X8 before M10X60) under plain string
    comparison: each run of digits becomes its length (two digits) and its value without leading zeros."""
    def number(match: re.Match[str]) -> str:
        digits = match.group().lstrip("0") or "0"
        return f"{len(digits):02d}{digits}"
    return _DIGITS.sub(number, code)
