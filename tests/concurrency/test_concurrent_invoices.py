"""Supplier users invoicing at the same moment: one invoice per statement (the statement's row lock on
PostgreSQL, the single writer on SQLite) and an invoice number used once per supplier (the unique key
settles what no check inside a transaction can see)."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from openvmi.db import create_db_engine, create_session_factory
from openvmi.errors import Conflict
from openvmi.settlement.invoices import service
from openvmi.settlement.invoices.models import SettlementInvoice
from openvmi.settlement.invoices.schemas import InvoiceCreate
from openvmi.settlement.statements.models import SettlementStatement
from openvmi.vmi.agreements.queries import self_billing
from tests.invoice_world import as_supplier, two_confirmed_months

USERS = 4


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_one_invoice_per_statement_and_one_use_of_a_number(fresh_database):
    engine = create_db_engine(fresh_database)
    sessions = create_session_factory(engine)
    user, may, june = two_confirmed_months(sessions)

    def record(statement_id: int) -> str:
        start.wait()
        with sessions() as session, as_supplier(session, user):
            try:
                service.record_invoice(session, InvoiceCreate(
                    statement_id=statement_id, number="INV-9", invoice_date=date(2026, 7, 1), net=Decimal("40.00"),
                    tax=Decimal("5.20"), gross=Decimal("45.20")), actor=user, self_billing_of=self_billing,
                    storage_dir=Path("/nonexistent"))
                session.commit()
                return "recorded"
            except Conflict as refused:
                session.rollback()
                return refused.code

    start = threading.Barrier(USERS)
    with ThreadPoolExecutor(max_workers=USERS) as pool:
        answers = list(pool.map(record, [may, june] * (USERS // 2)))

    assert answers.count("recorded") == 1
    assert set(answers) - {"recorded"} <= {"statement_not_confirmed", "invoice_number_taken", "conflict"}
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(SettlementInvoice)) == 1
        states = sorted(session.scalars(select(SettlementStatement.state)))
        assert states == ["confirmed", "invoiced"]
    engine.dispose()
