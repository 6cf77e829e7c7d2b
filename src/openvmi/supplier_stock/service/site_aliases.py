"""The names a supplier's ERP writes for its sites (主仓 for NB-WH1): added and removed by the
supplier for itself, or by an admin for any supplier. Caller commits."""
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from openvmi.db import add_unique, utcnow
from openvmi.errors import Conflict, FieldError, InvalidInput, Reason
from openvmi.supplier_stock import queries, rules, site_names
from openvmi.supplier_stock.models import SiteAlias
from openvmi.supplier_stock.schemas import SiteAliasCreate


def add_site_alias(session: Session, request: SiteAliasCreate, *, actor_id: int | None,
                   now: datetime | None = None) -> SiteAlias:
    """Let the supplier's files name one of its sites by `alias` from now on; adding the same alias
    to the same site again changes nothing. Caller commits."""
    supplier = queries.get_publishing_supplier(session, request.supplier_code)
    codes = {site_id: code for site_id, code, _ in site_names.list_sites(session, supplier.id)}
    site_id = next((site_id for site_id, code in codes.items() if code == request.site_code), None)
    key = rules.site_key(request.alias)
    if site_id is None:
        raise InvalidInput([FieldError("site_code", f"{request.site_code} is not one of {supplier.code}'s sites")])
    if not key:
        raise InvalidInput([FieldError("alias", "an alias needs at least one letter or digit")])
    if any(rules.site_key(code) == key for code in codes.values()):
        raise InvalidInput([FieldError("alias", f"{request.alias} is already a site code of {supplier.code}")])
    taken = session.scalars(select(SiteAlias).where(SiteAlias.supplier_id == supplier.id,
                                                    SiteAlias.match_key == key)).first()
    if taken is not None:
        if taken.location_id == site_id:
            return taken
        other = codes.get(taken.location_id, "(inactive)")
        raise Conflict(Reason("%(alias)s is already an alias of site %(site)s; remove it there first",
                               alias=request.alias, site=other))
    row = SiteAlias(supplier_id=supplier.id, location_id=site_id, alias=request.alias.strip(), match_key=key,
                    created_by_id=actor_id, created_at=now or utcnow())
    add_unique(session, row, conflict=f"{request.alias} was just added as an alias by someone else")
    return row


def remove_site_alias(session: Session, alias_id: int) -> None:
    """Files no longer name a site by this alias (another supplier's alias: not found). Caller commits."""
    session.delete(site_names.get_site_alias(session, alias_id))
    session.flush()
