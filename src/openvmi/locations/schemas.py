"""Location input and output shapes."""
from pydantic import BaseModel, ConfigDict, Field

from openvmi.fields import Code, Text
from openvmi.locations.rules import LocationKind


class LocationCreate(BaseModel):
    code: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-/]*$")
    name: Text = Field(min_length=1, max_length=200)
    kind: LocationKind
    plant_code: Code | None = None
    supplier_code: Code | None = None  # required for supplier_site, refused otherwise


class LocationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    kind: str
    plant_id: int | None
    supplier_id: int | None
    active: bool
    is_physical: bool


class LocationPage(BaseModel):
    items: list[LocationRead]
    next_cursor: str | None
