"""Use cases for companies: suppliers, the buyer and its plants. Caller commits."""
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from openvmi.db import add_unique, get_by_id
from openvmi.errors import Conflict, NotFound
from openvmi.pagination import fetch_page
from openvmi.parties.models import Party, Plant
from openvmi.parties.schemas import PartyCreate, PartyPage, PartyRead, PartyUpdate, PlantCreate


def create_party(session: Session, party: PartyCreate) -> Party:
    """Register a supplier (or the buying company). Caller commits."""
    if find_party_by_code(session, party.code) is not None:
        raise Conflict(f"a company with code {party.code!r} already exists")
    row = Party(**party.model_dump())
    add_unique(session, row, conflict=f"a company with code {party.code!r} already exists")
    return row


def update_party(session: Session, party_id: int, changes: PartyUpdate) -> Party:
    """Change a company's details. Caller commits."""
    row = get_party(session, party_id)
    for field, value in changes.model_dump(exclude_unset=True).items():
        setattr(row, field, value)
    session.flush()
    return row


def get_party(session: Session, party_id: int) -> Party:
    return get_by_id(session, Party, party_id, label="company")


def find_party_by_code(session: Session, code: str) -> Party | None:
    return session.scalars(select(Party).where(Party.code == code)).first()


def get_supplier_by_code(session: Session, code: str) -> Party:
    party = find_party_by_code(session, code)
    if party is None or party.kind != "supplier":
        raise NotFound(f"no such supplier: {code}")
    return party


def get_buyer(session: Session) -> Party:
    """The buying company (this installation runs for one buyer)."""
    buyer = session.scalars(select(Party).where(Party.kind == "buyer").order_by(Party.id)).first()
    if buyer is None:
        raise NotFound("no buying company is set up yet (run `openvmi demo` or create one)")
    return buyer


def list_parties(session: Session, *, kind: str | None, search: str | None, cursor: str | None,
                 limit: int) -> PartyPage:
    statement = select(Party)
    if kind:
        statement = statement.where(Party.kind == kind)
    if search:
        pattern = f"%{search.lower()}%"
        statement = statement.where(or_(func.lower(Party.code).like(pattern), func.lower(Party.name).like(pattern)))
    rows, next_cursor = fetch_page(session, statement, Party.id, cursor=cursor, limit=limit)
    return PartyPage(items=[PartyRead.model_validate(r) for r in rows], next_cursor=next_cursor)


def create_plant(session: Session, plant: PlantCreate) -> Plant:
    """Add a plant of the buying company. Caller commits."""
    if session.scalars(select(Plant.id).where(Plant.code == plant.code)).first() is not None:
        raise Conflict(f"a plant with code {plant.code!r} already exists")
    row = Plant(party_id=get_buyer(session).id, **plant.model_dump())
    add_unique(session, row, conflict=f"a plant with code {plant.code!r} already exists")
    return row


def list_plants(session: Session) -> list[Plant]:
    return list(session.scalars(select(Plant).order_by(Plant.code)))
