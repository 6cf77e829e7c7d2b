"""Reconciliation: a supplier's ownership moves against its settlement lines, in one statement.

Every move that hands the supplier's stock to someone else (consumption, buyout) or gives it back
(a reversal) must have exactly one line of that supplier, of the same signed quantity, whose amount
is what `settlement.rules` makes of its quantity and price; every line must name such a move. The
journal and the lines are read together here, which is why this module may import the ledger's
tables (.importlinter, docs/decisions.md "Settlement views").
"""
import functools
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import CompoundSelect, and_, bindparam, case, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from openvmi.db import quantize
from openvmi.errors import NotFound
from openvmi.ledger.models import StockMove
from openvmi.parties import queries as parties_queries
from openvmi.parties.rules import PartyKind
from openvmi.settlement import rules
from openvmi.settlement.models import SettlementLine
from openvmi.settlement.rules import SettlementKind
from openvmi.settlement.schemas import ReconciliationFinding, ReconciliationRead


def local_window(since: date, until: date, zone: str) -> tuple[datetime, datetime]:
    """The instants from `since`'s local midnight to the midnight after `until` in `zone`."""
    tz = ZoneInfo(zone)
    return (datetime.combine(since, time(0), tz), datetime.combine(until + timedelta(days=1), time(0), tz))


def reconcile(session: Session, supplier_id: int, *, since: date, until: date, zone: str) -> ReconciliationRead:
    """Every ownership move of the supplier made in the period (local days in `zone`, both included)
    against its settlement line, and every line of the period against its move; the differences
    found. NotFound for another supplier (a supplier's session) or a company that is no supplier."""
    supplier = parties_queries.get_party(session, supplier_id)
    if supplier.kind != PartyKind.SUPPLIER:
        raise NotFound(f"no such supplier: {supplier_id}")
    start, end = local_window(since, until, zone)
    rows = session.execute(_pairs(), {"supplier": supplier_id, "start": start, "end": end}).all()
    findings = [finding for row in rows for finding in _findings(row)]
    return ReconciliationRead(
        supplier_id=supplier_id, since=since, until=until, moves=sum(1 for row in rows if row[-1]),
        lines=sum(1 for row in rows if row[2] is not None and start <= _utc(row[13]) < end),
        differences=sorted(findings, key=lambda f: (f.occurred_at, f.move_id or 0, f.line_id or 0)))


@functools.cache
def _pairs() -> CompoundSelect:
    """The statement, built once (composing it cost more than running it): ownership moves of the
    supplier in the period with their lines, then the supplier's lines of the period not among them
    with their moves of any time."""
    supplier_id, start, end = bindparam("supplier"), bindparam("start"), bindparam("end")
    move, line, original, earlier = StockMove, SettlementLine, aliased(SettlementLine), aliased(SettlementLine)
    # A move between the supplier and another owner is an ownership move: only consumption and
    # buyout (and their reversals) may change an owner (ledger.rules.route_problem).
    transfer = or_(and_(move.from_owner_id == supplier_id, move.to_owner_id != supplier_id),
                   and_(move.to_owner_id == supplier_id, move.from_owner_id != supplier_id))
    in_period = and_(move.created_at >= start, move.created_at < end)
    returned_before = (select(func.coalesce(func.sum(-earlier.quantity), 0))
                       .where(earlier.reverses_line_id == line.reverses_line_id, earlier.id < line.id)
                       .scalar_subquery())
    columns = (move.id, case((move.from_owner_id == supplier_id, move.quantity), else_=-move.quantity),
               line.id, line.kind, line.quantity, line.unit_price, line.currency, line.net_amount, original.quantity,
               original.unit_price, returned_before, func.coalesce(move.item_id, line.item_id),
               func.coalesce(move.created_at, line.occurred_at), line.occurred_at)
    moves_of_period = (
        select(*columns, literal(True)).select_from(move)
        .outerjoin(line, and_(line.move_id == move.id, line.supplier_id == supplier_id))
        .outerjoin(original, original.id == line.reverses_line_id)
        .where(transfer, in_period))
    lines_of_period = (
        select(*columns, literal(False)).select_from(line)
        .outerjoin(move, and_(move.id == line.move_id, transfer))
        .outerjoin(original, original.id == line.reverses_line_id)
        .where(line.supplier_id == supplier_id, line.occurred_at >= start, line.occurred_at < end,
               line.kind != SettlementKind.CREDIT,  # finance's money-only correction: it has no move by design
               line.move_id.not_in(select(move.id).where(transfer, in_period))))
    return moves_of_period.union_all(lines_of_period)


def _findings(row: Any) -> list[ReconciliationFinding]:
    (move_id, move_quantity, line_id, kind, line_quantity, unit_price, currency, net, original_quantity,
     original_price, returned_before, item_id, occurred_at, _, _) = row
    move_quantity = quantize(Decimal(str(move_quantity))) if move_id is not None else None
    expected = None
    if line_id is not None:
        if kind == SettlementKind.REVERSAL:
            expected = rules.returned_amount(original_quantity, quantize(Decimal(str(returned_before))),
                                             -line_quantity, original_price, currency)
        else:
            expected = rules.net_amount(line_quantity, unit_price, currency)
    found = rules.differences(move_quantity=move_quantity, line_quantity=line_quantity if line_id else None,
                              line_amount=net, expected_amount=expected)
    return [ReconciliationFinding(difference=difference, move_id=move_id, line_id=line_id, item_id=item_id,
                                  move_quantity=move_quantity, line_quantity=line_quantity, line_amount=net,
                                  expected_amount=expected, currency=currency, occurred_at=_utc(occurred_at))
            for difference in found]


def _utc(value: datetime | str) -> datetime:
    """A COALESCE of two times comes back as text on SQLite (the type is lost in the union)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo("UTC"))
