"""Shipment shapes: the ASN the supplier sends, and the shipment as read with what the receipt found."""
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from openvmi.fields import Id, PositiveQuantity, Text
from openvmi.vmi.shipments.rules import ShipmentState


class ShipmentLineCreate(BaseModel):
    call_off_line_id: Id  # a line of one of the supplier's accepted call-offs
    quantity: PositiveQuantity
    lot_number: Text | None = Field(default=None, max_length=60)


class ShipmentCreate(BaseModel):
    lines: list[ShipmentLineCreate] = Field(min_length=1, max_length=500)
    carrier: Text | None = Field(default=None, max_length=200)
    tracking_number: Text | None = Field(default=None, max_length=200)
    expected_arrival: date
    # Where the stock leaves from and travels through; omitted: the defaults (docs/decisions.md, issue 16).
    origin_location_id: Id | None = None
    in_transit_location_id: Id | None = None


class ShipmentLineRead(BaseModel):
    id: int
    call_off_id: int
    call_off_line_id: int
    item_id: int
    item_code: str
    item_name: str
    unit: str
    quantity: Decimal
    lot_number: str | None
    move_id: int
    # What the receipt found (None until received): every difference, with its reason, for the supplier too.
    accepted: Decimal | None = None
    short: Decimal | None = None
    over: Decimal | None = None
    damaged: Decimal | None = None
    short_reason: str | None = None
    over_reason: str | None = None
    damaged_reason: str | None = None


class ShipmentRead(BaseModel):
    id: int
    number: str
    supplier_id: int
    supplier_code: str
    supplier_name: str
    state: ShipmentState
    carrier: str | None
    tracking_number: str | None
    expected_arrival: date
    origin_location_id: int
    in_transit_location_id: int
    created_at: datetime
    cancelled_at: datetime | None
    closed_at: datetime | None
    receipt_id: int | None
    lines: list[ShipmentLineRead]


class ShipmentSummary(BaseModel):
    id: int
    number: str
    supplier_id: int
    state: ShipmentState
    expected_arrival: date
    created_at: datetime


class ShipmentPage(BaseModel):
    items: list[ShipmentSummary]
    next_cursor: str | None
