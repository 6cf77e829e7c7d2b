"""Confirmed statements to invoice, and PDFs to attach, for the invoice tests of every tier."""
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from fpdf import FPDF
from sqlalchemy.orm import Session

from openvmi.scoping import scope_to_supplier
from openvmi.settlement.statements import service as statements
from openvmi.settlement.statements.schemas import StatementGenerate
from tests.settlement_world import consume, cycle_of, finance, make_consignment, supplier_user


def tiny_pdf(text: str = "Invoice 12345678") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, text)
    return bytes(pdf.output())


@contextmanager
def as_supplier(session: Session, actor):
    scope_to_supplier(session, actor.supplier_id)
    try:
        yield
    finally:
        scope_to_supplier(session, None)


def confirmed_statement(session: Session, *, supplier=None, day: date = date(2026, 5, 5), confirm: bool = True):
    """A May statement of 10 x 3.00 and 5 x 2.00 at 13 % (net 40.00, tax 5.20, gross 45.20), issued and
    (by default) confirmed by its supplier: (world, finance clerk, supplier user, statement id)."""
    world, clerk = make_consignment(session, supplier=supplier), finance(session)
    user = supplier_user(session, world)
    consume(session, world, [Decimal(10)], unit_price=Decimal("3.00"), day=day)
    consume(session, world, [Decimal(5)], unit_price=Decimal("2.00"), day=day)
    [made] = statements.generate_statements(session, StatementGenerate(day=day, supplier_id=world.supplier_id),
                                            actor=clerk, cycle_of=cycle_of)
    statements.issue_statement(session, made.statement_id, actor=clerk)
    if confirm:
        with as_supplier(session, user):
            statements.confirm_statement(session, made.statement_id, actor=user)
    return world, clerk, user, made.statement_id


def two_confirmed_months(sessions) -> tuple:
    """One supplier's confirmed May and June statements, committed through `sessions` (a real database of
    its own): (supplier user, May's statement id, June's)."""
    from tests.builders import make_party

    with sessions() as session:
        supplier = make_party(session)
        _, _, user, may = confirmed_statement(session, supplier=supplier, day=date(2026, 5, 5))
        _, _, _, june = confirmed_statement(session, supplier=supplier, day=date(2026, 6, 5))
        session.commit()
    return user, may, june


def record_invoice_of(session: Session, statement_id: int, supplier, *, number: str = "INV-1") -> int:
    """The supplier confirms its issued statement and records an invoice (no PDF) of its figures; the invoice id."""
    from pathlib import Path

    from openvmi.access import Role
    from openvmi.settlement.invoices import service as invoices
    from openvmi.settlement.invoices.schemas import InvoiceCreate
    from openvmi.settlement.statements import queries
    from openvmi.vmi.agreements.queries import self_billing
    from tests.builders import make_user
    from tests.settlement_world import actor_of

    user = actor_of(make_user(session, role=Role.SUPPLIER, supplier=supplier))
    with as_supplier(session, user):
        statements.confirm_statement(session, statement_id, actor=user)
        read = queries.describe_statement(session, statement_id)
        invoice, _ = invoices.record_invoice(
            session, InvoiceCreate(statement_id=statement_id, number=number, invoice_date=date(2026, 6, 1),
                                   net=read.net, tax=read.tax, gross=read.gross),
            actor=user, self_billing_of=self_billing, storage_dir=Path("/nonexistent"))
    return invoice.id
