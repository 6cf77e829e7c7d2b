"""Use cases of locations: adding one. Caller commits."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from openvmi.db import add_unique
from openvmi.errors import FieldError, InvalidInput, Reason
from openvmi.locations.models import Location
from openvmi.locations.rules import LocationKind
from openvmi.locations.schemas import LocationCreate
from openvmi.parties.models import Party, Plant


def create_location(session: Session, location: LocationCreate) -> Location:
    """Add a stock location; supplier sites belong to one supplier, buyer sites to a plant. Caller commits."""
    errors = []
    plant_id = supplier_id = None
    if location.plant_code:
        plant_id = session.scalar(select(Plant.id).where(Plant.code == location.plant_code))
        if plant_id is None:
            errors.append(FieldError("plant_code", f"no such plant: {location.plant_code}"))
    if location.kind == LocationKind.SUPPLIER_SITE:
        if not location.supplier_code:
            errors.append(FieldError("supplier_code", Reason("a supplier site needs its supplier")))
        else:
            supplier_id = session.scalar(select(Party.id).where(
                Party.code == location.supplier_code, Party.kind == "supplier"))
            if supplier_id is None:
                errors.append(FieldError("supplier_code", f"no such supplier: {location.supplier_code}"))
    elif location.supplier_code:
        errors.append(FieldError("supplier_code", Reason("only supplier sites belong to a supplier")))
    if session.scalar(select(Location.id).where(Location.code == location.code)) is not None:
        errors.append(FieldError("code", Reason("location %(code)s already exists", code=location.code)))
    if errors:
        raise InvalidInput(errors)
    row = Location(code=location.code, name=location.name, kind=location.kind,
                   plant_id=plant_id, supplier_id=supplier_id)
    add_unique(session, row, conflict=Reason("location %(code)s already exists", code=location.code))
    return row
