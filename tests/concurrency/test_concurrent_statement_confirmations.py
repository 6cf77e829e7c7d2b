"""Two users of a supplier (or one client and its retry) confirm the same statement at the same moment:
both are told it is confirmed, and it is confirmed once (one event, one notice to finance): the
statement's row lock on PostgreSQL, the single writer on SQLite."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from openvmi.alerts.models import InboxMessage
from openvmi.db import create_db_engine, create_session_factory
from openvmi.settlement.statements import service
from openvmi.settlement.statements.models import StatementEvent
from tests.invoice_world import as_supplier, confirmed_statement

CLIENTS = 2


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_two_identical_confirmations_at_once_confirm_once(fresh_database):
    engine = create_db_engine(fresh_database)
    sessions = create_session_factory(engine)
    with sessions() as session:
        _, clerk, user, statement_id = confirmed_statement(session, confirm=False)
        session.commit()

    def confirm(_: int) -> str:
        start.wait()
        with sessions() as session, as_supplier(session, user):
            state = service.confirm_statement(session, statement_id, actor=user).state
            session.commit()
            return state

    start = threading.Barrier(CLIENTS)
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        answers = list(pool.map(confirm, range(CLIENTS)))

    assert answers == ["confirmed"] * CLIENTS
    with sessions() as session:
        actions = list(session.scalars(select(StatementEvent.action).where(StatementEvent.statement_id == statement_id)
                                       .order_by(StatementEvent.id)))
        assert actions == ["generate", "issue", "confirm"]
        told = list(session.scalars(select(InboxMessage.user_id).where(InboxMessage.event == "statement.confirmed")))
        assert clerk.user_id in told and len(told) == len(set(told))  # finance hears of it once
    engine.dispose()
