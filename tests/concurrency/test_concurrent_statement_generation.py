"""Finance clerks generate statements at the same moment: one statement per period, and every line on
exactly one of them (the line's key in settlement_statement_line, the statements' row locks on PostgreSQL,
the single writer on SQLite), also when some generate May and others June, which reaches May's lines too."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openvmi.db import create_db_engine, create_session_factory
from openvmi.settlement.models import SettlementLine
from openvmi.settlement.statements import service
from openvmi.settlement.statements.models import SettlementStatement, StatementEvent
from openvmi.settlement.statements.schemas import StatementGenerate
from tests.settlement_world import consume, cycle_of, finance, make_consignment

CLERKS = 4


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_clerks_generating_at_once_never_put_a_line_on_two_statements(fresh_database):
    engine = create_db_engine(fresh_database)
    sessions = create_session_factory(engine)
    with sessions() as session:
        worlds = [make_consignment(session), make_consignment(session, cycle="weekly")]
        for world in worlds:
            for day in (date(2026, 5, 4), date(2026, 5, 26), date(2026, 5, 30)):
                consume(session, world, [Decimal(1)] * 50, unit_price=Decimal("1.25"), day=day)
        clerks = [finance(session) for _ in range(CLERKS)]
        session.commit()

    def generate(clerk) -> int:
        start.wait()
        with sessions() as session:
            made = service.generate_statements(session, StatementGenerate(day=date(2026, 5, 31)), actor=clerk,
                                               cycle_of=cycle_of)
            session.commit()
            return sum(m.added_lines for m in made)

    start = threading.Barrier(CLERKS)
    with ThreadPoolExecutor(max_workers=CLERKS) as pool:
        added = list(pool.map(generate, clerks))

    with sessions() as session:
        # the monthly supplier's 150 lines and the weekly supplier's 150 (earlier weeks ride along)
        assert sum(added) == 300
        assert session.scalar(select(func.count()).select_from(SettlementLine)
                              .where(SettlementLine.statement_id.is_(None))) == 0
        assert session.scalar(select(func.count()).select_from(SettlementStatement)) == 2
        assert session.scalar(select(func.count()).select_from(StatementEvent)
                              .where(StatementEvent.action == "generate")) == 2
    engine.dispose()


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_clerks_generating_different_periods_at_once_share_the_lines_without_deadlock(fresh_database):
    engine = create_db_engine(fresh_database)
    sessions = create_session_factory(engine)
    with sessions() as session:
        worlds = [make_consignment(session) for _ in range(3)]
        for world in worlds:
            for day in (date(2026, 5, 4), date(2026, 5, 30), date(2026, 6, 2)):
                consume(session, world, [Decimal(1)] * 40, unit_price=Decimal("1.25"), day=day)
        clerks = [finance(session) for _ in range(CLERKS)]
        session.commit()
    days = [date(2026, 5, 31), date(2026, 6, 30)] * (CLERKS // 2)

    def generate(clerk, day) -> list:
        start.wait()
        with sessions() as session:
            made = service.generate_statements(session, StatementGenerate(day=day), actor=clerk, cycle_of=cycle_of)
            session.commit()
            return made

    start = threading.Barrier(CLERKS)
    with ThreadPoolExecutor(max_workers=CLERKS) as pool:
        made = [m for run in pool.map(generate, clerks, days) for m in run]

    with sessions() as session:
        # every clerk finished (no deadlock aborted one), and each of the 360 lines is on one statement
        assert sum(m.added_lines for m in made) == 360
        placed = session.execute(select(SettlementLine.price_day, SettlementStatement.period_start)
                                 .join(SettlementStatement, SettlementStatement.id == SettlementLine.statement_id)).all()
        assert len(placed) == 360
        # June's lines are on June's statements only; May's on either, as the first clerk took them
        assert all(period_start.month == 6 for day, period_start in placed if day.month == 6)
        assert session.scalar(select(func.count()).select_from(SettlementStatement)) <= 6
    engine.dispose()
