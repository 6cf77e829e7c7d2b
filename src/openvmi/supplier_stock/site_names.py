"""Where a supplier keeps its stock, as its files name it: its sites and the aliases it added."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from openvmi.errors import NotFound
from openvmi.locations.models import Location
from openvmi.pagination import fetch_page
from openvmi.parties.models import Party
from openvmi.supplier_stock import rules
from openvmi.supplier_stock.models import SiteAlias
from openvmi.supplier_stock.schemas import SiteAliasPage, SiteAliasRead


def list_sites(session: Session, supplier_id: int) -> list[tuple[int, str, str]]:
    """The supplier's active sites as (id, code, name), by code."""
    site = Location.__table__.c
    return [tuple(r) for r in session.execute(
        select(site.id, site.code, site.name).where(site.supplier_id == supplier_id, site.kind == "supplier_site",
                                                    site.active.is_(True)).order_by(site.code))]


def site_keys(session: Session, supplier_id: int) -> dict[str, int]:
    """What a file's site cell may say (rules.site_key) -> the site: its code, an alias the supplier
    added, or its name when no other of its sites has the same one. A code wins over an alias, an
    alias over a name."""
    sites = list_sites(session, supplier_id)
    active = {site_id for site_id, _, _ in sites}
    names: dict[str, set[int]] = {}
    for site_id, _, name in sites:
        names.setdefault(rules.site_key(name), set()).add(site_id)
    keys = {key: next(iter(ids)) for key, ids in names.items() if len(ids) == 1 and key}
    keys.update((key, site_id) for key, site_id in session.execute(
        select(SiteAlias.match_key, SiteAlias.location_id).where(SiteAlias.supplier_id == supplier_id))
        if site_id in active)
    keys.update((rules.site_key(code), site_id) for site_id, code, _ in sites)
    return keys


def get_site_alias(session: Session, alias_id: int) -> SiteAlias:
    row = session.scalars(select(SiteAlias).where(SiteAlias.id == alias_id)).first()
    if row is None:
        raise NotFound(f"no such site alias: {alias_id}")  # also another supplier's
    return row


def list_site_aliases(session: Session, *, supplier_id: int | None, cursor: str | None = None,
                      limit: int = 100) -> SiteAliasPage:
    statement = select(SiteAlias)
    if supplier_id is not None:
        statement = statement.where(SiteAlias.supplier_id == supplier_id)
    rows, next_cursor = fetch_page(session, statement, SiteAlias.id, cursor=cursor, limit=limit)
    return SiteAliasPage(items=describe_site_aliases(session, list(rows)), next_cursor=next_cursor)


def describe_site_aliases(session: Session, rows: list[SiteAlias]) -> list[SiteAliasRead]:
    if not rows:
        return []
    suppliers = dict(session.execute(select(Party.id, Party.code).where(Party.id.in_({r.supplier_id for r in rows}))).all())
    sites = {site_id: (code, name) for site_id, code, name in session.execute(
        select(Location.id, Location.code, Location.name).where(Location.id.in_({r.location_id for r in rows})))}
    return [SiteAliasRead(id=r.id, supplier_id=r.supplier_id, supplier_code=suppliers[r.supplier_id],
                          location_id=r.location_id, site_code=sites[r.location_id][0], site_name=sites[r.location_id][1],
                          alias=r.alias, created_at=r.created_at) for r in rows]
