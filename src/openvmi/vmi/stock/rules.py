"""How long VMI stock lasts: days of cover against the demand plan. Pure, no database."""
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal

COVER_HORIZON_DAYS = 56  # as replenishment's default: a plan says little beyond eight weeks
LAST_CONSUMPTIONS = 5  # shown per agreement


def days_of_cover(on_hand: Decimal, demand: Mapping[date, Decimal], *, today: date,
                  horizon_days: int = COVER_HORIZON_DAYS) -> int | None:
    """Whole days, from today, that `on_hand` meets the planned consumption in full: 0 when today's
    demand is already more than the stock. None when it lasts the whole horizon (or nothing is planned)."""
    left = on_hand
    for offset in range(horizon_days):
        left -= demand.get(today + timedelta(days=offset), Decimal(0))
        if left < 0:
            return offset
    return None


def plans_demand(demand: Mapping[date, Decimal]) -> bool:
    """Whether the plan asks for any of the item in the horizon; without it, days of cover mean nothing."""
    return any(quantity > 0 for quantity in demand.values())
