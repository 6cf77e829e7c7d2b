"""Replenishment shapes: one agreement's projection per day, its suggestions, and a page of them."""
from datetime import date
from decimal import Decimal

from typing_extensions import TypedDict  # pydantic wants this one before Python 3.12

from pydantic import BaseModel, Field

from openvmi.fields import Id
from openvmi.pagination import MAX_PAGE
from openvmi.vmi.replenishment.rules import DEFAULT_HORIZON_DAYS, MAX_HORIZON_DAYS


class ProjectedDay(TypedDict):
    """One day of the projection. A TypedDict, not a model: pydantic checks thousands of them in its
    core, without a Python object per day (bench/README.md)."""

    day: date
    arriving: Decimal  # in transit with an arrival date, open accepted call-offs
    demand: Decimal  # the current demand plan's consumption
    projected: Decimal  # at the end of the day if nothing is done
    with_suggestions: Decimal  # at the end of the day if the suggestions are shipped


class SuggestedShipment(BaseModel):
    due: date
    quantity: Decimal


class AgreementAtPlace(BaseModel):
    """An active agreement as `queries.active_agreements` reads it: whose item, where, between which levels
    (the head of every per-agreement read: replenishment, the VMI stock view)."""

    agreement_id: int
    supplier_id: int
    supplier_code: str
    item_id: int
    item_code: str
    item_name: str
    unit: str
    location_id: int
    location_code: str
    plant_code: str | None
    min_level: Decimal
    max_level: Decimal


class ReplenishmentRead(AgreementAtPlace):
    lead_time_days: int
    moq: Decimal
    pack_size: Decimal
    on_hand: Decimal  # supplier-owned, at the VMI location
    in_transit: Decimal  # supplier-owned, on the way with no known arrival (counted from today)
    first_below_min: date | None
    run_out: date | None  # first day the planned consumption is not covered
    earliest_due: date  # today + lead time: no suggestion is due sooner
    suggestions: list[SuggestedShipment]
    days: list[ProjectedDay]


class ReplenishmentPage(BaseModel):
    today: date
    horizon_days: int
    items: list[ReplenishmentRead]
    next_cursor: str | None


class SuggestionsCallOff(BaseModel):
    """Call off what the projection suggests for these agreements over this horizon (one call-off per
    supplier); `send` sends them to the suppliers at once."""

    agreement_ids: list[Id] = Field(min_length=1, max_length=MAX_PAGE)
    horizon_days: int = Field(default=DEFAULT_HORIZON_DAYS, ge=1, le=MAX_HORIZON_DAYS)
    send: bool = False
