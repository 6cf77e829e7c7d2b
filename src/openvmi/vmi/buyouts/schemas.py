"""Buyout shapes: how much to buy out, how to end an agreement with stock left, and what was done."""
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from openvmi.fields import Id, PositiveQuantity
from openvmi.vmi.buyouts.rules import Leftover


class BuyoutCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quantity: PositiveQuantity | None = None  # omitted: all the supplier's stock at the VMI location


class AgreementEnd(BaseModel):
    """What to do with the supplier's stock left at the VMI location; without it, ending refuses while any is left."""

    model_config = ConfigDict(extra="forbid")

    leftover: Leftover | None = None
    origin_location_id: Id | None = None  # for a return: a virtual place; omitted: the default (decisions.md)


class BuyoutRead(BaseModel):
    id: int
    agreement_id: int
    supplier_id: int
    item_id: int
    location_id: int
    quantity: Decimal
    unit_price: Decimal
    currency: str
    net_amount: Decimal
    price_day: date
    move_id: int | None
    settlement_line_id: int | None
    bought_at: datetime
    bought_by_id: int | None
    replayed: bool = False  # true when an Idempotency-Key matched an earlier buyout
