"""Receipt shapes: what the clerk counted per shipment line, and the receipt as read."""
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from openvmi.fields import Id, Quantity, Text
from openvmi.vmi.receipts.rules import DifferenceReason


class ReceiptLineCreate(BaseModel):
    shipment_line_id: Id
    accepted: Quantity
    short: Quantity = Decimal(0)
    over: Quantity = Decimal(0)
    damaged: Quantity = Decimal(0)
    short_reason: DifferenceReason | None = None
    over_reason: DifferenceReason | None = None
    damaged_reason: DifferenceReason | None = None


class ReceiptCreate(BaseModel):
    shipment_number: Text = Field(min_length=1, max_length=60)  # as scanned from the packing list
    lines: list[ReceiptLineCreate] = Field(min_length=1, max_length=500)  # one per shipment line
    quarantine_location_id: Id | None = None  # where damaged stock goes; omitted: the default (decisions.md)


class ReceiptLineRead(BaseModel):
    shipment_line_id: int
    item_id: int
    shipped: Decimal
    accepted: Decimal
    short: Decimal
    over: Decimal
    damaged: Decimal
    short_reason: DifferenceReason | None
    over_reason: DifferenceReason | None
    damaged_reason: DifferenceReason | None


class ReceiptRead(BaseModel):
    id: int
    shipment_id: int
    shipment_number: str
    supplier_id: int
    quarantine_location_id: int | None
    received_at: datetime
    received_by_id: int | None
    replayed: bool = False  # true when an Idempotency-Key matched an earlier receipt
    lines: list[ReceiptLineRead]
