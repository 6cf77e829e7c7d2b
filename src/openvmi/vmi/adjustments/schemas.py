"""Adjustment shapes: what the supplier asks, the buyer's decision, the adjustment as read."""
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from openvmi.fields import Id, PositiveQuantity, Text
from openvmi.vmi.adjustments.rules import AdjustmentDirection, AdjustmentReason, AdjustmentState


class AdjustmentCreate(BaseModel):
    # No owner and no place other than a virtual one: a supplier only ever adjusts its own stock at
    # the agreement's VMI location (docs/decisions.md, Supplier adjustments).
    model_config = ConfigDict(extra="forbid")

    agreement_id: Id
    direction: AdjustmentDirection
    quantity: PositiveQuantity
    reason: AdjustmentReason
    comment: Text | None = Field(default=None, max_length=1000)
    adjustment_location_id: Id | None = None  # a virtual place; omitted: the default (decisions.md)


class AdjustmentDecision(BaseModel):
    comment: Text | None = Field(default=None, max_length=1000)  # required to reject


class AdjustmentRead(BaseModel):
    id: int
    agreement_id: int
    supplier_id: int
    supplier_code: str
    item_id: int
    item_code: str
    location_id: int
    location_code: str
    adjustment_location_id: int
    direction: AdjustmentDirection
    quantity: Decimal
    reason: AdjustmentReason
    comment: str | None
    state: AdjustmentState
    requested_at: datetime
    requested_by_id: int | None
    decided_at: datetime | None
    decided_by_id: int | None
    decision_comment: str | None
    posting_id: int | None
    replayed: bool = False  # true when an Idempotency-Key matched an earlier adjustment


class AdjustmentPage(BaseModel):
    items: list[AdjustmentRead]
    next_cursor: str | None
