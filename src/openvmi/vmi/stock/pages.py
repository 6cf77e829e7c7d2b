"""Portal page of VMI stock: per active agreement, stock by owner and place, layers by age, days of cover and
the last consumptions, with filters and export (a supplier: its own)."""
from collections.abc import Iterator

from fastapi import Request
from fastapi.responses import Response

from openvmi.db import utcnow
from openvmi.limits import counter
from openvmi.pagination import MAX_PAGE
from openvmi.parties import queries as parties_queries
from openvmi.vmi.replenishment.queries import Wanted
from openvmi.vmi.stock import queries
from openvmi.vmi.stock.schemas import VmiStockRead
from openvmi.web.deps import DbSession
from openvmi.web.exports import FORMATS, export_list
from openvmi.web.i18n import N_
from openvmi.web.portal import NavEntry, PortalFeature, portal_router
from openvmi.web.rendering import render
from openvmi.web.viewer import PortalActor

router = portal_router()
PAGE_SIZE = 100


def _wanted(request: Request) -> Wanted:
    params = request.query_params
    return Wanted(supplier_id=counter(params.get("supplier", "")), item_id=counter(params.get("item", "")),
                  location_id=counter(params.get("location", "")))


def _every_row(session: DbSession, wanted: Wanted) -> Iterator[VmiStockRead]:
    """Every agreement wanted, a page of agreements (five statements) at a time."""
    cursor = None
    while True:
        page = queries.list_vmi_stock(session, wanted, now=utcnow(), cursor=cursor, limit=MAX_PAGE)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


@router.get("/vmi/stock")
def stock_page(request: Request, session: DbSession, actor: PortalActor, cursor: str | None = None,
               format: str | None = None) -> Response:
    wanted = _wanted(request)
    if format in FORMATS:
        rows = [(r.agreement_id, r.supplier_code, r.item_code, r.item_name, r.unit, r.location_code, r.plant_code,
                 r.supplier_owned, r.buyer_owned, r.in_transit, r.quarantine, r.min_level, r.max_level,
                 r.days_of_cover, r.layers[0].received_at if r.layers else None,
                 r.layers[0].age_days if r.layers else None,
                 r.last_consumptions[0].consumed_at if r.last_consumptions else None)
                for r in _every_row(session, wanted)]
        return export_list(request, format, filename="vmi-stock", rows=rows, columns=(
            N_("Agreement"), N_("Supplier"), N_("Item"), N_("Item name"), N_("Unit"), N_("VMI location"), N_("Plant"),
            N_("Supplier-owned"), N_("Buyer-owned"), N_("In transit"), N_("Quarantine"), N_("Minimum level"),
            N_("Maximum level"), N_("Days of cover"), N_("Oldest layer received at"), N_("Oldest layer age (days)"),
            N_("Last consumption at")))
    page = queries.list_vmi_stock(session, wanted, now=utcnow(), cursor=cursor, limit=PAGE_SIZE)
    params = {k: v for k, v in request.query_params.items() if k in ("supplier", "item", "location") and v}
    suppliers = [] if actor.supplier_id else [
        (str(i), f"{code} · {name}") for i, code, name in parties_queries.supplier_choices(session)]
    return render(request, "vmi/stock.html", title=N_("VMI stock"), page=page, params=params, suppliers=suppliers,
                  items=[(str(i), label) for i, label in queries.item_choices(session)],
                  locations=[(str(i), label) for i, label in queries.location_choices(session)])


feature = PortalFeature(router=router, nav=[
    NavEntry(N_("VMI stock"), "/vmi/stock", permission="vmi_agreements.read", order=59),
])
