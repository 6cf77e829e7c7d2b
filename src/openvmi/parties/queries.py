"""Read models of companies: a party by id or code, the buyer, API pages, plants, and searchable,
sortable supplier lists for people."""
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from openvmi.db import get_by_id
from openvmi.errors import NotFound
from openvmi.listing import ListPage, ListRequest, fetch_all, fetch_list_page, like_pattern
from openvmi.pagination import fetch_page
from openvmi.parties.models import Party, Plant
from openvmi.parties.schemas import PartyPage, PartyRead

SUPPLIER_SORTS = {"code": Party.code, "name": Party.name, "country": Party.country,
                  "stale_after_days": Party.stale_after_days, "created_at": Party.created_at}


def _suppliers(request: ListRequest):
    statement = select(Party).where(Party.kind == "supplier")
    if request.search:
        pattern = like_pattern(request.search)
        statement = statement.where(or_(Party.code.ilike(pattern, escape="\\"), Party.name.ilike(pattern, escape="\\"),
                                        Party.contact_email.ilike(pattern, escape="\\")))
    return statement


def browse_suppliers(session: Session, request: ListRequest) -> ListPage:
    """One page of suppliers (a supplier user's scoped session sees only its own)."""
    return fetch_list_page(session, _suppliers(request), request, sort_columns=SUPPLIER_SORTS,
                           default_sort="code", tie_breaker=Party.id)


def export_suppliers(session: Session, request: ListRequest) -> list[Party]:
    return fetch_all(session, _suppliers(request), request, sort_columns=SUPPLIER_SORTS, default_sort="code",
                     tie_breaker=Party.id)


def supplier_choices(session: Session) -> list[tuple[int, str, str]]:
    """(id, code, name) of active suppliers, for pickers."""
    return [tuple(row) for row in session.execute(
        select(Party.id, Party.code, Party.name).where(Party.kind == "supplier", Party.active.is_(True))
        .order_by(Party.code))]


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


def list_plants(session: Session) -> list[Plant]:
    return list(session.scalars(select(Plant).order_by(Plant.code)))
