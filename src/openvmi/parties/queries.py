"""Read models of companies for people: searchable, sortable supplier lists."""
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from openvmi.listing import ListPage, ListRequest, fetch_all, fetch_list_page, like_pattern
from openvmi.parties.models import Party

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
