"""The reconciliation report of a supplier and period: ownership moves, settlement lines, statement
totals and invoices side by side, every difference listed (issue 18 item 5).

Moves against lines is `settlement.reconciliation.reconcile`, the one query of that check."""
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from openvmi.errors import FieldError, InvalidInput, NotFound, Reason
from openvmi.parties import queries as parties
from openvmi.settlement.invoices import queries as invoices
from openvmi.settlement.invoices.rules import Finding
from openvmi.settlement.invoices.schemas import FindingRead, ReportRead, ReportStatement
from openvmi.settlement.models import SettlementLine, StatementLine
from openvmi.settlement.reconciliation import reconcile
from openvmi.settlement.rules import Difference
from openvmi.settlement.schemas import ReconciliationFinding
from openvmi.settlement.statements import queries as statements
from openvmi.settlement.statements.models import SettlementStatement
from openvmi.settlement.statements.rules import StatementState

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
    moves = reconcile(session, supplier_id, since=since, until=until, zone=zone)
    findings = [_finding(difference) for difference in moves.differences]
    lines = list(session.execute(select(SettlementLine.id, SettlementLine.kind, SettlementLine.move_id,
                                        StatementLine.statement_id, SettlementLine.net_amount)
                                 .outerjoin(StatementLine, StatementLine.line_id == SettlementLine.id)
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
                      until=until, ownership_moves=moves.moves, settlement_lines=len(lines),
                      lines_net=sum((line.net_amount for line in lines), Decimal(0)), statements=report_statements,
                      differences=findings)


_FINDINGS = {Difference.MOVE_WITHOUT_LINE: Finding.MOVE_WITHOUT_LINE, Difference.LINE_WITHOUT_MOVE: Finding.LINE_WITHOUT_MOVE,
             Difference.QUANTITY: Finding.QUANTITY_DIFFERS, Difference.AMOUNT: Finding.AMOUNT_DIFFERS}


def _finding(found: ReconciliationFinding) -> FindingRead:
    """The report's row for one difference the reconciliation found: the quantity is the line's minus
    the move's (the move's own when it has no line), the amount the line's minus the rule's."""
    quantity = found.move_quantity if found.line_quantity is None else (
        found.line_quantity - found.move_quantity if found.move_quantity is not None else None)
    amount = (found.line_amount - found.expected_amount
              if found.difference is Difference.AMOUNT and found.line_amount is not None
              and found.expected_amount is not None else found.line_amount)
    return FindingRead(finding=_FINDINGS[found.difference], move_id=found.move_id, line_id=found.line_id,
                       quantity=quantity, amount=amount)
