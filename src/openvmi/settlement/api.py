"""JSON API for settlement lines (list with totals per currency, CSV/XLSX export) and reconciliation."""
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from openvmi.access import Actor
from openvmi.fields import Id
from openvmi.listing import ListRequest
from openvmi.pagination import MAX_PAGE
from openvmi.settlement import queries, reconciliation
from openvmi.settlement.rules import SettlementKind
from openvmi.settlement.schemas import LineFilter, ReconciliationRead, SettlementLinePage, check_period
from openvmi.web.deps import DbSession, requires
from openvmi.web.exports import export_response

router = APIRouter(prefix="/settlement", tags=["settlement"])
Reader = Annotated[Actor, Depends(requires("settlement_lines.read"))]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Since = Annotated[date | None, Query(alias="from", description="first local day (price day), included")]
Until = Annotated[date | None, Query(alias="to", description="last local day (price day), included")]
# The export's columns: the API's own field names, whatever the caller's language.
EXPORT_COLUMNS = ("id", "kind", "supplier_code", "agreement_id", "item_code", "item_name", "unit", "location_code",
                  "move_id", "reverses_line_id", "quantity", "unit_price", "currency", "tax_rate_percent",
                  "net_amount", "tax_amount", "gross_amount", "price_day", "occurred_at", "statement_id")


@router.get("/lines", response_model=SettlementLinePage,
            responses={200: {"content": {"text/csv": {}, "application/vnd.openxmlformats-officedocument"
                                                                   ".spreadsheetml.sheet": {}}}})
def list_settlement_lines(
        request: Request, session: DbSession, _: Reader, supplier_id: Id | None = None, item_id: Id | None = None,
        agreement_id: Id | None = None, kind: SettlementKind | None = None, since: Since = None, until: Until = None,
        on_statement: bool | None = None, cursor: str | None = None, limit: Limit = 100,
        format: Annotated[Literal["json", "csv", "xlsx"], Query(description="csv or xlsx: every line wanted, "
                                                                     "as a download")] = "json",
) -> SettlementLinePage | Response:
    """Settlement lines, newest first (a supplier: its own), with totals per currency of every line the
    filter selects; `format=csv|xlsx` downloads them all (times in the configured zone)."""
    check_period(since, until)
    filters = LineFilter(supplier_id=supplier_id, item_id=item_id, agreement_id=agreement_id, kind=kind,
                         since=since, until=until, on_statement=on_statement)
    if format != "json":
        rows = queries.export_lines(session, ListRequest(), filters)
        return export_response(format, filename="settlement-lines", headers=EXPORT_COLUMNS,
                               rows=[[getattr(row, name) for name in EXPORT_COLUMNS] for row in rows],
                               timezone=request.app.state.settings.timezone)
    return queries.list_lines(session, filters, cursor=cursor, limit=limit)


@router.get("/reconciliation", response_model=ReconciliationRead,
            responses={404: {"description": "No such supplier, or another supplier than the caller's own"}})
def reconcile(request: Request, session: DbSession, _: Reader, supplier_id: Id,
              since: Annotated[date, Query(alias="from", description="first local day, included")],
              until: Annotated[date, Query(alias="to", description="last local day, included")]) -> ReconciliationRead:
    """The supplier's ownership moves of the period against its settlement lines: moves without a line,
    lines without a move, quantity and amount differences. No differences: settlement matches stock."""
    check_period(since, until)
    return reconciliation.reconcile(session, supplier_id, since=since, until=until,
                                    zone=request.app.state.settings.timezone)
