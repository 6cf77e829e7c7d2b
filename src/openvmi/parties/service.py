"""Use cases for companies: suppliers, the buyer and its plants. Caller commits."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from openvmi.db import add_unique
from openvmi.errors import Conflict, Reason
from openvmi.parties import queries
from openvmi.parties.models import Party, Plant
from openvmi.parties.schemas import PartyCreate, PartyUpdate, PlantCreate


def create_party(session: Session, party: PartyCreate) -> Party:
    """Register a supplier (or the buying company). Caller commits."""
    if queries.find_party_by_code(session, party.code) is not None:
        raise Conflict(Reason("a company with code %(code)s already exists", code=party.code))
    row = Party(**party.model_dump())
    add_unique(session, row, conflict=Reason("a company with code %(code)s already exists", code=party.code))
    return row


def update_party(session: Session, party_id: int, changes: PartyUpdate) -> Party:
    """Change a company's details. Caller commits."""
    row = queries.get_party(session, party_id)
    for field, value in changes.model_dump(exclude_unset=True).items():
        setattr(row, field, value)
    session.flush()
    return row


def create_plant(session: Session, plant: PlantCreate) -> Plant:
    """Add a plant of the buying company. Caller commits."""
    if session.scalars(select(Plant.id).where(Plant.code == plant.code)).first() is not None:
        raise Conflict(Reason("a plant with code %(code)s already exists", code=plant.code))
    row = Plant(party_id=queries.get_buyer(session).id, **plant.model_dump())
    add_unique(session, row, conflict=Reason("a plant with code %(code)s already exists", code=plant.code))
    return row
