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
