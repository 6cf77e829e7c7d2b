"""Item and supplier-item shapes."""
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

ItemCode = Annotated[str, Field(min_length=1, max_length=60)]
NonNegativeQuantity = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=6)]


class ItemCreate(BaseModel):
    code: ItemCode
    name: str = Field(min_length=1, max_length=300)
    unit: str = Field(min_length=1, max_length=20)
    category: str | None = Field(default=None, max_length=100)
    default_low_water: NonNegativeQuantity | None = None


class ItemUpdate(BaseModel):
    # Omitted = unchanged. Columns that cannot be empty are typed without None, so an explicit
    # null is a field error (422) instead of a NOT NULL failure (500); defaults are not validated.
    name: str = Field(default=None, min_length=1, max_length=300)
    unit: str = Field(default=None, min_length=1, max_length=20)
    category: str | None = Field(default=None, max_length=100)
    default_low_water: NonNegativeQuantity | None = None
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
    price: Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=6)]
    currency: str = Field(min_length=3, max_length=3, pattern=r"^[A-Z]{3}$")
    valid_from: date
    valid_to: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> "PriceCreate":
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


class PriceRead(PriceCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int


class SupplierItemCreate(BaseModel):
    supplier_code: str
    item_code: ItemCode
    supplier_part_number: str = Field(min_length=1, max_length=80)
    lead_time_days: int = Field(default=0, ge=0, le=3650)
    moq: NonNegativeQuantity = Decimal(0)
    pack_size: Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=6)] = Decimal(1)
    prices: list[PriceCreate] = Field(default_factory=list)


class SupplierItemUpdate(BaseModel):
    # Omitted = unchanged; an explicit null is refused (see ItemUpdate).
    supplier_part_number: str = Field(default=None, min_length=1, max_length=80)
    lead_time_days: int = Field(default=None, ge=0, le=3650)
    moq: NonNegativeQuantity = None  # type: ignore[assignment]
    pack_size: Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=6)] = None  # type: ignore[assignment]
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
