"""Portal pages for settlement: the lines as they happen with totals per currency and export (a supplier:
its own), and the reconciliation of a supplier's ownership moves against its lines."""
from datetime import date
from zoneinfo import ZoneInfo
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from openvmi.access import Actor
from openvmi.db import utcnow
from openvmi.errors import InvalidInput
from openvmi.limits import counter
from openvmi.parties import queries as parties_queries
from openvmi.settlement import queries, reconciliation
from openvmi.settlement.rules import Difference, SettlementKind
from openvmi.settlement.schemas import LineFilter, check_period
from openvmi.web.deps import DbSession
from openvmi.web.exports import FORMATS, export_list
from openvmi.web.i18n import N_
from openvmi.web.listing import ListView, list_request
from openvmi.web.portal import NavEntry, PortalFeature, portal_router
from openvmi.web.rendering import render, translate
from openvmi.web.viewer import page_requires

router = portal_router()
Reader = Annotated[Actor, Depends(page_requires("settlement_lines.read"))]
KIND_LABELS = SettlementKind.labels()
STATEMENT_LABELS = {"no": N_("Not on a statement"), "yes": N_("On a statement")}
DIFFERENCE_LABELS = Difference.labels()


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


def _filters(request: Request) -> LineFilter:
    """What the page's query string asks for; nonsense is ignored, as in every list."""
    params = request.query_params
    kind = params.get("kind")
    statement = params.get("statement")
    return LineFilter(supplier_id=counter(params.get("supplier", "")), item_id=counter(params.get("item", "")),
                      agreement_id=counter(params.get("agreement", "")),
                      kind=kind if kind in KIND_LABELS else None, since=_day(params.get("from")),
                      until=_day(params.get("to")),
                      on_statement={"yes": True, "no": False}.get(statement or ""))


def _supplier_choices(session: DbSession, actor: Actor) -> list[tuple[str, str]]:
    if actor.supplier_id is not None:
        return []
    return [(str(i), f"{code} · {name}") for i, code, name in parties_queries.supplier_choices(session)]


@router.get("/settlement/lines")
def line_list(request: Request, session: DbSession, actor: Reader, format: str | None = None) -> Response:
    wanted, filters = list_request(request), _filters(request)
    try:
        check_period(filters.since, filters.until)
    except InvalidInput:
        filters = filters.model_copy(update={"until": None})
    if format in FORMATS:
        rows = [(r.id, translate(request, KIND_LABELS[r.kind]), r.occurred_at, r.price_day, r.supplier_code,
                 r.agreement_id, r.item_code, r.item_name, r.location_code, r.quantity, r.unit, r.unit_price,
                 r.currency, r.net_amount, r.tax_rate_percent, r.tax_amount, r.gross_amount, r.move_id, r.reverses_line_id, r.statement_id)
                for r in queries.export_lines(session, wanted, filters)]
        return export_list(request, format, filename="settlement-lines", rows=rows, columns=(
            N_("Line"), N_("Kind"), N_("Occurred at"), N_("Price day"), N_("Supplier"), N_("Agreement"), N_("Item"),
            N_("Item name"), N_("VMI location"), N_("Quantity"), N_("Unit"), N_("Unit price"), N_("Currency"),
            N_("Net amount"), N_("Tax rate (%)"), N_("Tax amount"), N_("Gross amount"), N_("Stock move"), N_("Reverses line"),
            N_("Statement")))
    view = ListView.of(request, queries.browse_lines(session, wanted, filters))
    return render(request, "settlement/lines.html", title=N_("Settlement lines"), view=view, filters=filters,
                  kinds=KIND_LABELS, statements=STATEMENT_LABELS, suppliers=_supplier_choices(session, actor),
                  totals=queries.currency_totals(session, filters, search=wanted.search))


@router.get("/settlement/reconciliation")
def reconciliation_page(request: Request, session: DbSession, actor: Reader) -> Response:
    """Staff choose a supplier; a supplier sees its own. The period is this month so far by default."""
    params = request.query_params
    zone = request.app.state.settings.timezone
    today = utcnow().astimezone(ZoneInfo(zone)).date()
    since = _day(params.get("from")) or today.replace(day=1)
    until = _day(params.get("to")) or today
    if until < since:
        until = since
    supplier_id = actor.supplier_id or counter(params.get("supplier", ""))
    answer = None
    if supplier_id is not None:
        answer = reconciliation.reconcile(session, supplier_id, since=since, until=until, zone=zone)
    return render(request, "settlement/reconciliation.html", title=N_("Reconciliation"), answer=answer,
                  since=since, until=until, supplier_id=supplier_id, suppliers=_supplier_choices(session, actor),
                  differences=DIFFERENCE_LABELS)


feature = PortalFeature(router=router, nav=[
    NavEntry(N_("Settlement lines"), "/settlement/lines", permission="settlement_lines.read", order=66),
    NavEntry(N_("Reconciliation"), "/settlement/reconciliation", permission="settlement_lines.read", order=67),
])
