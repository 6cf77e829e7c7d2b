"""Consumption shapes: lines as production reports them (codes as scanned, or ids), and as read back."""
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field, model_validator

from openvmi.fields import Id, PositiveQuantity, Text

MAX_LINES = 10_000  # a backflush batch (issue 17)


class ConsumptionLineCreate(BaseModel):
    """What production took: the item by code (a scanned barcode carries the code) or id, from the
    VMI location by code or id; the supplier only where two suppliers have stock of it there."""

    item_code: Text | None = Field(default=None, max_length=60)
    item_id: Id | None = None
    quantity: PositiveQuantity
    location_code: Text | None = Field(default=None, max_length=60)
    location_id: Id | None = None
    supplier_code: Text | None = Field(default=None, max_length=60)
    supplier_id: Id | None = None

    @model_validator(mode="after")
    def _named_once(self) -> "ConsumptionLineCreate":
        for thing, code, identity in (("item", self.item_code, self.item_id),
                                      ("location", self.location_code, self.location_id)):
            if (code is None) == (identity is None):
                raise ValueError(f"name the {thing} by {thing}_code or by {thing}_id (one of them)")
        if self.supplier_code is not None and self.supplier_id is not None:
            raise ValueError("name the supplier by supplier_code or by supplier_id, not both")
        return self


class ConsumptionCreate(BaseModel):
    lines: list[ConsumptionLineCreate] = Field(min_length=1, max_length=MAX_LINES)
    reference: Text | None = Field(default=None, max_length=200)


class ConsumptionUpload(BaseModel):
    """How to read one backflush file (the file itself travels separately)."""

    filename: Text = Field(default="upload", max_length=300)
    encoding: Text | None = Field(default=None, max_length=40)
    sheet: Text | None = Field(default=None, max_length=100)
    reference: Text | None = Field(default=None, max_length=200)


class ConsumptionLineRead(BaseModel):
    id: int
    item_id: int
    item_code: str
    location_id: int
    production_location_id: int
    supplier_id: int
    agreement_id: int
    quantity: Decimal
    returned_quantity: Decimal  # brought back from production so far
    move_id: int
    settlement_line_id: int
    unit_price: Decimal
    currency: str
    net_amount: Decimal
    price_day: date


class ConsumptionRead(BaseModel):
    id: int
    reference: str | None
    created_at: datetime
    created_by_id: int | None
    replayed: bool = False
    lines: list[ConsumptionLineRead]


class RecentLine(BaseModel):
    """A consumption line as the warehouse sees it on the scan page: what, how many, where, when; no money."""

    consumption_id: int
    line_id: int
    created_at: datetime
    item_code: str
    item_name: str
    unit: str
    location_code: str
    supplier_code: str
    quantity: Decimal
    returned_quantity: Decimal


class ReversalCreate(BaseModel):
    """Stock brought back from production: `quantity` of the consumption line `line_id`."""

    line_id: Id
    quantity: PositiveQuantity


class ReversalRead(BaseModel):
    consumption_id: int
    line_id: int
    move_id: int
    settlement_line_id: int
    quantity: Decimal
    net_amount: Decimal  # negative: what the buyer no longer owes
    replayed: bool = False
