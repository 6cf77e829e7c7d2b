"""The reconciliation report of a supplier and period: ownership moves, settlement lines, statement
totals and invoices side by side, every difference listed (issue 18 item 5).

Moves against lines is plain SQL over stock_move and settlement_line here; when settlement.reconciliation
(branch vmi-settlement-views) is merged, `_moves_against_lines` becomes a call to its `reconcile`."""
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from openvmi.db import UtcDateTime
from openvmi.errors import FieldError, InvalidInput, NotFound, Reason
from openvmi.parties import queries as parties
from openvmi.settlement.invoices import queries as invoices
from openvmi.settlement.invoices.rules import Finding
from openvmi.settlement.invoices.schemas import FindingRead, ReportRead, ReportStatement
from openvmi.settlement.models import SettlementLine
from openvmi.settlement.rules import SettlementKind
from openvmi.settlement.statements import queries as statements
from openvmi.settlement.statements.models import SettlementStatement
from openvmi.settlement.statements.rules import StatementState

# Every move between the supplier and another owner in the window, with the line that settles it (if any).
_MOVES = text("""
    SELECT m.id AS move_id, m.quantity AS quantity, m.from_owner_id AS from_owner_id, l.id AS line_id,
           l.quantity AS line_quantity
    FROM stock_move m LEFT JOIN settlement_line l ON l.move_id = m.id
    WHERE ((m.from_owner_id = :supplier AND m.to_owner_id <> :supplier)
        OR (m.to_owner_id = :supplier AND m.from_owner_id <> :supplier))
      AND m.created_at >= :start AND m.created_at < :end
    ORDER BY m.id""").bindparams(bindparam("start", type_=UtcDateTime()), bindparam("end", type_=UtcDateTime()))
MAX_DAYS = 400  # a year's statements and a little: the report reads every move of the window
# Invoices are expected once a statement is confirmed; before that nobody waits for one.
INVOICE_DUE = (StatementState.CONFIRMED, StatementState.INVOICED, StatementState.MATCHED, StatementState.CLOSED)


def reconciliation_report(session: Session, supplier_id: int, *, since: date, until: date, zone: str) -> ReportRead:
    """The supplier's period (local days in `zone`, both included) from moves to invoices, with every
    difference; NotFound for a company that is no supplier (or another supplier's, in a supplier's session)."""
    if since > until or (until - since).days > MAX_DAYS:
        raise InvalidInput([FieldError("until", Reason("the period runs from a day to a later one, at most "
                                                       "%(days)s days", days=MAX_DAYS))])
    supplier = parties.get_party(session, supplier_id)
    if supplier.kind != "supplier":
        raise NotFound(f"no such supplier: {supplier_id}")
    tz = ZoneInfo(zone)
    start, end = datetime.combine(since, time(0), tz), datetime.combine(until + timedelta(days=1), time(0), tz)
    findings, moves = _moves_against_lines(session, supplier_id, start=start, end=end)
    lines = list(session.execute(select(SettlementLine.id, SettlementLine.kind, SettlementLine.move_id,
                                        SettlementLine.statement_id, SettlementLine.net_amount)
                                 .where(SettlementLine.supplier_id == supplier_id,
                                        SettlementLine.price_day >= since, SettlementLine.price_day <= until)
                                 .order_by(SettlementLine.id)))
    for line in lines:
        if line.statement_id is None:
            findings.append(FindingRead(finding=Finding.LINE_NOT_ON_STATEMENT, line_id=line.id,
                                        amount=line.net_amount))
    rows = list(session.scalars(select(SettlementStatement).where(
        SettlementStatement.supplier_id == supplier_id, SettlementStatement.period_start <= until,
        SettlementStatement.period_end >= since).order_by(SettlementStatement.period_start, SettlementStatement.id)))
    money = statements.statement_money(session, rows)
    report_statements = []
    for row in rows:
        totals, count = money[row.id]
        invoice = invoices.find_current_invoice(session, row.id)
        if invoice is None and row.state in INVOICE_DUE:
            findings.append(FindingRead(finding=Finding.NO_INVOICE, statement_id=row.id, amount=totals.gross))
        if invoice is not None:
            for difference in invoices.invoice_differences(session, invoice, row):
                findings.append(FindingRead(finding=Finding.INVOICE_DIFFERS, statement_id=row.id,
                                            invoice_number=invoice.number, figure=difference.figure,
                                            tax_rate_percent=difference.tax_rate_percent, amount=difference.amount,
                                            within_tolerance=difference.within_tolerance))
        report_statements.append(ReportStatement(
            id=row.id, state=row.state, currency=row.currency, period_start=row.period_start,
            period_end=row.period_end, line_count=count, net=totals.net, tax=totals.tax, gross=totals.gross,
            invoice_number=invoice.number if invoice else None, invoice_gross=invoice.gross if invoice else None))
    return ReportRead(supplier_id=supplier_id, supplier_code=supplier.code, supplier_name=supplier.name, since=since,
                      until=until, ownership_moves=moves, settlement_lines=len(lines),
                      lines_net=sum((line.net_amount for line in lines), Decimal(0)), statements=report_statements,
                      differences=findings)


def _moves_against_lines(session: Session, supplier_id: int, *, start: datetime,
                         end: datetime) -> tuple[list[FindingRead], int]:
    """Each ownership move of the window without its line, or whose line's quantity is not the move's
    (signed: given back is negative), and each line of a move in the window that names no move; the move count."""
    findings: list[FindingRead] = []
    rows = session.execute(_MOVES.columns(), {"supplier": supplier_id, "start": start, "end": end}).all()
    for row in rows:
        signed = Decimal(str(row.quantity)) * (1 if row.from_owner_id == supplier_id else -1)
        if row.line_id is None:
            findings.append(FindingRead(finding=Finding.MOVE_WITHOUT_LINE, move_id=row.move_id, quantity=signed))
        elif Decimal(str(row.line_quantity)).normalize() != signed.normalize():
            findings.append(FindingRead(finding=Finding.QUANTITY_DIFFERS, move_id=row.move_id, line_id=row.line_id,
                                        quantity=Decimal(str(row.line_quantity)) - signed))
    orphans = session.scalars(select(SettlementLine.id).where(
        SettlementLine.supplier_id == supplier_id, SettlementLine.move_id.is_(None),
        SettlementLine.kind != SettlementKind.CREDIT.value,
        SettlementLine.occurred_at >= start, SettlementLine.occurred_at < end))
    findings += [FindingRead(finding=Finding.LINE_WITHOUT_MOVE, line_id=line_id) for line_id in orphans]
    return findings, len(rows)
