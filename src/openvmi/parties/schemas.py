"""Party and plant shapes."""
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from openvmi.fields import Text
from openvmi.parties.rules import PartyKind

Code = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


class PartyCreate(BaseModel):
    code: str = Code
    name: Text = Field(min_length=1, max_length=200)
    kind: PartyKind = PartyKind.SUPPLIER
    country: Text | None = Field(default=None, min_length=2, max_length=2)
    contact_email: Text | None = Field(default=None, max_length=200)
    stale_after_days: int = Field(default=7, ge=1, le=365)


class PartyUpdate(BaseModel):
    # Omitted = unchanged. Columns that cannot be empty are typed without None, so an explicit
    # null is a field error (422) instead of a NOT NULL failure (500); defaults are not validated.
    name: Text = Field(default=None, min_length=1, max_length=200)
    country: Text | None = Field(default=None, min_length=2, max_length=2)
    contact_email: Text | None = Field(default=None, max_length=200)
    stale_after_days: int = Field(default=None, ge=1, le=365)
    active: bool = None  # type: ignore[assignment]


class PartyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    kind: str
    country: str | None
    contact_email: str | None
    stale_after_days: int
    active: bool
    created_at: datetime


class PartyPage(BaseModel):
    items: list[PartyRead]
    next_cursor: str | None


class PlantCreate(BaseModel):
    code: str = Code
    name: Text = Field(min_length=1, max_length=200)
    address: Text | None = Field(default=None, max_length=400)


class PlantRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    party_id: int
    code: str
    name: str
    address: str | None
