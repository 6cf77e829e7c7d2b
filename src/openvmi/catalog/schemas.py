"""Item and supplier-item shapes."""
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from openvmi.errors import Reason
from openvmi.fields import Code, Currency, Money, PositiveQuantity, Quantity, Text

ItemCode = Code


class ItemCreate(BaseModel):
    code: ItemCode
    name: Text = Field(min_length=1, max_length=300)
    unit: Text = Field(min_length=1, max_length=20)
    category: Text | None = Field(default=None, max_length=100)
    default_low_water: Quantity | None = None


class ItemUpdate(BaseModel):
    # Omitted = unchanged. Columns that cannot be empty are typed without None, so an explicit
    # null is a field error (422) instead of a NOT NULL failure (500); defaults are not validated.
    name: Text = Field(default=None, min_length=1, max_length=300)
    unit: Text = Field(default=None, min_length=1, max_length=20)
    category: Text | None = Field(default=None, max_length=100)
    default_low_water: Quantity | None = None
    active: bool = None  # type: ignore[assignment]


class ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    unit: str
    category: str | None
    default_low_water: Decimal | None
    active: bool


class ItemPage(BaseModel):
    items: list[ItemRead]
    next_cursor: str | None


class PriceCreate(BaseModel):
    """One break of a price list: `price` per unit for quantities of at least `min_quantity`, from
    `valid_from`. Prices starting on the same day form one break set, valid as a whole."""

    price: Money
    currency: Currency
    valid_from: date
    valid_to: date | None = None
    min_quantity: Quantity = Decimal(0)

    @model_validator(mode="after")
    def _ordered(self) -> "PriceCreate":
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(Reason("valid_to is before valid_from"))
        return self


class PriceRead(PriceCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int


class PriceQuote(BaseModel):
    """The price of a supplier item for a quantity on a day: the break that applies."""

    supplier_item_id: int
    day: date
    quantity: Decimal
    price: Decimal
    currency: str
    min_quantity: Decimal
    valid_from: date
    valid_to: date | None
    amount: Decimal  # quantity x price


class SupplierItemCreate(BaseModel):
    supplier_code: Code
    item_code: ItemCode
    supplier_part_number: Text = Field(min_length=1, max_length=80)
    lead_time_days: int = Field(default=0, ge=0, le=3650)
    moq: Quantity = Decimal(0)
    pack_size: PositiveQuantity = Decimal(1)
    prices: list[PriceCreate] = Field(default_factory=list)


class SupplierItemUpdate(BaseModel):
    # Omitted = unchanged; an explicit null is refused (see ItemUpdate).
    supplier_part_number: Text = Field(default=None, min_length=1, max_length=80)
    lead_time_days: int = Field(default=None, ge=0, le=3650)
    moq: Quantity = None  # type: ignore[assignment]
    pack_size: PositiveQuantity = None  # type: ignore[assignment]
    active: bool = None  # type: ignore[assignment]
    prices: list[PriceCreate] | None = None  # replaces the whole price list when given


class SupplierItemRead(BaseModel):
    id: int
    supplier_id: int
    supplier_code: str
    item_id: int
    item_code: str
    item_name: str
    unit: str
    supplier_part_number: str
    lead_time_days: int
    moq: Decimal
    pack_size: Decimal
    active: bool
    version: int
    created_at: datetime
    prices: list[PriceRead]


class SupplierItemPage(BaseModel):
    items: list[SupplierItemRead]
    next_cursor: str | None
