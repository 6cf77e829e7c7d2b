"""Read models of invoices: an invoice with its differences against its statement, the statement's
current invoice, finance's tolerance per currency."""
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from openvmi.errors import NotFound
from openvmi.settlement.invoices.models import MatchTolerance, SettlementInvoice
from openvmi.settlement.invoices.rules import Difference, InvoiceState, RateAmounts, Tolerance, differences, matches
from openvmi.settlement.invoices.schemas import (
    DifferenceRead, InvoicePage, InvoiceRead, RateAmountsIn, ToleranceRead,
)
from openvmi.settlement.statements import queries as statements
from openvmi.settlement.statements.models import SettlementStatement

# The invoice a statement is matched against: the one not rejected (at most one, by the state machine).
CURRENT = SettlementInvoice.state != InvoiceState.REJECTED.value


def get_invoice(session: Session, invoice_id: int) -> SettlementInvoice:
    """The invoice; NotFound when there is none or it is another supplier's."""
    row = session.scalars(select(SettlementInvoice).where(SettlementInvoice.id == invoice_id)).first()
    if row is None:
        raise NotFound(f"no such invoice: {invoice_id}")
    return row


def find_current_invoice(session: Session, statement_id: int) -> SettlementInvoice | None:
    return session.scalars(select(SettlementInvoice).where(SettlementInvoice.statement_id == statement_id, CURRENT)
                           .order_by(SettlementInvoice.id.desc())).first()


def stored_pdf_names(session: Session) -> set[str]:
    """The stored PDF of every invoice (also rejected ones: they stay readable), by relative name."""
    return set(session.scalars(select(SettlementInvoice.pdf_path).where(SettlementInvoice.pdf_path.is_not(None))))


def find_invoice_by_number(session: Session, supplier_id: int, number: str) -> SettlementInvoice | None:
    return session.scalars(select(SettlementInvoice).where(SettlementInvoice.supplier_id == supplier_id,
                                                           SettlementInvoice.number == number)).first()


def find_keyed_invoice(session: Session, caller_key: str, idempotency_key: str) -> SettlementInvoice | None:
    return session.scalars(select(SettlementInvoice).where(SettlementInvoice.caller_key == caller_key,
                                                           SettlementInvoice.idempotency_key == idempotency_key)).first()


def tolerance_of(session: Session, currency: str) -> Tolerance:
    """Finance's tolerance for `currency`; none set: invoices must match to the minor unit."""
    row = session.get(MatchTolerance, currency)
    return Tolerance(row.absolute_amount, row.percent) if row else Tolerance()


def describe_tolerance(session: Session, currency: str) -> ToleranceRead:
    row = session.get(MatchTolerance, currency)
    if row is None:
        return ToleranceRead(currency=currency, absolute_amount=Decimal(0), percent=Decimal(0), changed_at=None)
    return ToleranceRead(currency=currency, absolute_amount=row.absolute_amount, percent=row.percent,
                         changed_at=row.changed_at)


def invoice_differences(session: Session, invoice: SettlementInvoice,
                        statement: SettlementStatement) -> list[Difference]:
    """The invoice against its statement's totals now, per tax rate and in total, with finance's tolerance."""
    money, _ = statements.statement_money(session, [statement])[statement.id]
    stated = [RateAmounts(Decimal(r["tax_rate_percent"]), Decimal(r["net"]), Decimal(r["tax"]))
              for r in invoice.by_rate or []]
    return differences(money, net=invoice.net, tax=invoice.tax, gross=invoice.gross, by_rate=stated,
                       tolerance=tolerance_of(session, invoice.currency))


def describe_invoice(session: Session, invoice_id: int) -> InvoiceRead:
    """The invoice as people read it, with its differences against the statement."""
    invoice = get_invoice(session, invoice_id)
    statement = statements.get_statement(session, invoice.statement_id)
    found = invoice_differences(session, invoice, statement)
    return InvoiceRead(
        id=invoice.id, statement_id=invoice.statement_id, statement_state=statement.state,
        supplier_id=invoice.supplier_id, source=invoice.source, state=invoice.state, number=invoice.number,
        invoice_date=invoice.invoice_date, currency=invoice.currency, net=invoice.net, tax=invoice.tax,
        gross=invoice.gross, by_rate=[RateAmountsIn(**r) for r in invoice.by_rate or []],
        has_pdf=invoice.pdf_path is not None, pdf_sha256=invoice.pdf_sha256, pdf_bytes=invoice.pdf_bytes,
        recorded_at=invoice.recorded_at, matches=matches(found),
        differences=[DifferenceRead(tax_rate_percent=d.tax_rate_percent, figure=d.figure, statement=d.statement,
                                    invoice=d.invoice, difference=d.amount, within_tolerance=d.within_tolerance)
                     for d in found])


def list_invoices(session: Session, *, statement_id: int | None = None, limit: int = 200) -> InvoicePage:
    """Invoices the caller may see (a supplier: its own), newest first."""
    statement = select(SettlementInvoice.id).order_by(SettlementInvoice.id.desc()).limit(limit)
    if statement_id is not None:
        statement = statement.where(SettlementInvoice.statement_id == statement_id)
    return InvoicePage(items=[describe_invoice(session, invoice_id) for invoice_id in session.scalars(statement)])
