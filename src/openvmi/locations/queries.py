"""Read models of locations: by id or code, the API's keyset pages, people's lists and exports."""
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from openvmi.db import get_by_id
from openvmi.listing import ListPage, ListRequest, fetch_all, fetch_list_page, like_pattern
from openvmi.locations.models import Location
from openvmi.locations.schemas import LocationPage, LocationRead
from openvmi.pagination import fetch_page


def list_locations(session: Session, *, kind: str | None, search: str | None, cursor: str | None,
                   limit: int) -> LocationPage:
    statement = select(Location)
    if kind:
        statement = statement.where(Location.kind == kind)
    if search:
        pattern = f"%{search.lower()}%"
        statement = statement.where(or_(func.lower(Location.code).like(pattern),
                                        func.lower(Location.name).like(pattern)))
    rows, next_cursor = fetch_page(session, statement, Location.id, cursor=cursor, limit=limit)
    return LocationPage(items=[LocationRead.model_validate(r) for r in rows], next_cursor=next_cursor)


def get_location(session: Session, location_id: int) -> Location:
    return get_by_id(session, Location, location_id, label="location")


def find_location_by_code(session: Session, code: str) -> Location | None:
    return session.scalars(select(Location).where(Location.code == code)).first()


LOCATION_SORTS = {"code": Location.code, "name": Location.name, "kind": Location.kind}


def _locations(request: ListRequest, *, kind: str | None) -> Select:
    statement = select(Location)
    if kind:
        statement = statement.where(Location.kind == kind)
    if request.search:
        pattern = like_pattern(request.search)
        statement = statement.where(or_(Location.code.ilike(pattern, escape="\\"),
                                        Location.name.ilike(pattern, escape="\\")))
    return statement


def browse_locations(session: Session, request: ListRequest, *, kind: str | None = None) -> ListPage:
    """Locations for people (a supplier user sees buyer-side locations and its own sites)."""
    return fetch_list_page(session, _locations(request, kind=kind), request, sort_columns=LOCATION_SORTS,
                           default_sort="code", tie_breaker=Location.id)


def export_locations(session: Session, request: ListRequest, *, kind: str | None = None) -> list[Location]:
    return fetch_all(session, _locations(request, kind=kind), request, sort_columns=LOCATION_SORTS,
                     default_sort="code", tie_breaker=Location.id)
