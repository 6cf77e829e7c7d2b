"""Statements as use cases: generated per supplier, currency and period from lines on no statement yet,
regenerated drafts take late lines, issued statements are frozen, every change is recorded."""
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openvmi.errors import NotFound, PermissionDenied
from openvmi.parties.models import Party
from openvmi.scoping import scope_to_supplier
from openvmi.settlement.models import SettlementLine
from openvmi.settlement.statements import queries, service
from openvmi.settlement.statements.models import StatementEvent
from openvmi.settlement.statements.schemas import StatementGenerate
from tests.settlement_world import consume, cycle_of, finance, make_consignment, reverse, supplier_user

MAY_31, JUNE_30 = date(2026, 5, 31), date(2026, 6, 30)


def generate(session, clerk, day, supplier_id=None):
    return service.generate_statements(session, StatementGenerate(day=day, supplier_id=supplier_id), actor=clerk,
                                       cycle_of=cycle_of)


def lines_on(session, statement_id):
    return list(session.scalars(select(SettlementLine.id).where(SettlementLine.statement_id == statement_id)
                                .order_by(SettlementLine.id)))


@contextmanager
def as_supplier(session, actor):
    scope_to_supplier(session, actor.supplier_id)
    try:
        yield
    finally:
        scope_to_supplier(session, None)


def test_a_month_of_consumption_becomes_one_statement_and_a_late_line_waits_for_the_next(session):
    # given a supplier's consumption on three days of May and one in June
    world, clerk = make_consignment(session), finance(session)
    may = consume(session, world, [Decimal(2)], unit_price=Decimal("1.50"), day=date(2026, 5, 1))
    may += consume(session, world, [Decimal(3)], unit_price=Decimal("1.50"), day=date(2026, 5, 31))
    june = consume(session, world, [Decimal(1)], unit_price=Decimal("1.50"), day=date(2026, 6, 1))

    # when finance generates May's statements
    [may_statement] = generate(session, clerk, MAY_31)

    # then May's lines are on one draft for the calendar month, June's line is not
    assert (may_statement.period_start, may_statement.period_end, may_statement.added_lines) == (
        date(2026, 5, 1), MAY_31, 2)
    assert lines_on(session, may_statement.statement_id) == may
    read = queries.describe_statement(session, may_statement.statement_id)
    assert (read.state, read.net, read.tax, read.gross) == ("draft", Decimal("7.50"), Decimal("0.98"), Decimal("8.48"))

    # when a line of May comes in late and finance regenerates the draft
    late = consume(session, world, [Decimal(1)], unit_price=Decimal("1.50"), day=date(2026, 5, 20))
    [again] = generate(session, clerk, MAY_31)
    assert (again.statement_id, again.added_lines) == (may_statement.statement_id, 1)
    assert lines_on(session, may_statement.statement_id) == sorted(may + late)

    # when May's statement is issued, another late line of May arrives
    service.issue_statement(session, may_statement.statement_id, actor=clerk)
    later = consume(session, world, [Decimal(4)], unit_price=Decimal("1.50"), day=date(2026, 5, 25))
    assert generate(session, clerk, MAY_31) == []  # the issued statement is frozen

    # then it lands on June's statement, with June's line
    [june_statement] = generate(session, clerk, JUNE_30)
    assert lines_on(session, june_statement.statement_id) == sorted(june + later)
    assert lines_on(session, may_statement.statement_id) == sorted(may + late)
    history = [(e.action, e.from_state, e.to_state, e.actor_id) for e in session.scalars(
        select(StatementEvent).where(StatementEvent.statement_id == may_statement.statement_id)
        .order_by(StatementEvent.id))]
    assert history == [("generate", None, "draft", clerk.user_id), ("regenerate", "draft", "draft", clerk.user_id),
                       ("issue", "draft", "issued", clerk.user_id)]


def test_generating_twice_never_counts_a_line_twice(session):
    world, clerk = make_consignment(session), finance(session)
    ids = consume(session, world, [Decimal(1)] * 5, unit_price=Decimal("2"), day=date(2026, 5, 10))

    [first] = generate(session, clerk, MAY_31)

    assert generate(session, clerk, MAY_31) == []  # nothing is left to put on a statement
    assert first.added_lines == 5
    assert lines_on(session, first.statement_id) == ids
    assert session.scalar(select(func.count()).select_from(StatementEvent)
                          .where(StatementEvent.statement_id == first.statement_id)) == 1


@pytest.mark.parametrize(("cycle", "periods"), [
    ("weekly", [(date(2026, 5, 25), MAY_31), (date(2026, 5, 25), MAY_31)]),
    ("semi_monthly", [(date(2026, 5, 16), MAY_31), (date(2026, 5, 16), MAY_31)]),
])
def test_each_agreement_settles_in_its_own_cycle(session, cycle, periods):
    # given lines on the 14th and the 30th of May under a weekly or semi-monthly agreement
    world, clerk = make_consignment(session, cycle=cycle), finance(session)
    early = consume(session, world, [Decimal(1)], unit_price=Decimal(1), day=date(2026, 5, 14))
    late = consume(session, world, [Decimal(1)], unit_price=Decimal(1), day=date(2026, 5, 30))

    # when finance generates the period holding the 31st
    [statement] = generate(session, clerk, MAY_31)

    # then the period is the cycle's; an earlier line on no statement rides along on it
    assert (statement.period_start, statement.period_end) == periods[0]
    assert lines_on(session, statement.statement_id) == early + late


def test_a_reversal_after_issue_lands_on_the_next_statement(session):
    world, clerk = make_consignment(session), finance(session)
    [line] = consume(session, world, [Decimal(10)], unit_price=Decimal("3.00"), day=date(2026, 5, 5))
    [may] = generate(session, clerk, MAY_31)
    service.issue_statement(session, may.statement_id, actor=clerk)

    # when 4 of the 10 come back from production after the statement was issued
    returned = reverse(session, world, line, Decimal(4))  # on the line's day, May 5

    # then May stays as issued and June's statement credits the return
    assert generate(session, clerk, MAY_31) == []
    [june] = generate(session, clerk, JUNE_30)
    assert lines_on(session, june.statement_id) == [returned]
    assert queries.describe_statement(session, june.statement_id).net == Decimal("-12.00")
    assert queries.describe_statement(session, may.statement_id).net == Decimal("30.00")


def test_a_supplier_sees_neither_drafts_nor_another_suppliers_statement(session):
    mine, theirs, clerk = make_consignment(session), make_consignment(session), finance(session)
    consume(session, mine, [Decimal(1)], unit_price=Decimal(1), day=date(2026, 5, 5))
    consume(session, theirs, [Decimal(1)], unit_price=Decimal(1), day=date(2026, 5, 5))
    statements = {s.supplier_id: s.statement_id for s in generate(session, clerk, MAY_31)}
    service.issue_statement(session, statements[theirs.supplier_id], actor=clerk)
    user = supplier_user(session, mine)

    with as_supplier(session, user):
        with pytest.raises(NotFound):
            queries.get_statement(session, statements[mine.supplier_id])  # a draft is the buyer's
        with pytest.raises(NotFound):
            service.confirm_statement(session, statements[theirs.supplier_id], actor=user)
        assert queries.list_statements(session, state=None, supplier_id=None).items == []


def test_only_finance_generates_and_issues(session):
    world = make_consignment(session)
    consume(session, world, [Decimal(1)], unit_price=Decimal(1), day=date(2026, 5, 5))
    with pytest.raises(PermissionDenied):
        generate(session, supplier_user(session, world), MAY_31)


def test_one_run_puts_each_suppliers_lines_on_its_own_statement_and_leaves_issued_ones_alone(session):
    # given a supplier with a draft for May and a late line, its own lines in USD, a second supplier whose
    # May statement is issued before a late line came, and a weekly supplier with nothing generated yet
    clerk = finance(session)
    drafted = make_consignment(session)
    in_usd = make_consignment(session, currency="USD", supplier=session.get(Party, drafted.supplier_id))
    issued, weekly = make_consignment(session), make_consignment(session, cycle="weekly")
    first = consume(session, drafted, [Decimal(1)], unit_price=Decimal("1.10"), day=date(2026, 5, 3))
    frozen = consume(session, issued, [Decimal(1)], unit_price=Decimal("2.20"), day=date(2026, 5, 3))
    made = {s.supplier_id: s.statement_id for s in generate(session, clerk, MAY_31)}
    service.issue_statement(session, made[issued.supplier_id], actor=clerk)
    late = consume(session, drafted, [Decimal(2), Decimal(3)], unit_price=Decimal("1.10"), day=date(2026, 5, 20))
    dollars = consume(session, in_usd, [Decimal(4)], unit_price=Decimal("0.50"), day=date(2026, 5, 21))
    waiting = consume(session, issued, [Decimal(5)], unit_price=Decimal("2.20"), day=date(2026, 5, 22))
    weeks = consume(session, weekly, [Decimal(6), Decimal(7)], unit_price=Decimal(1), day=date(2026, 5, 26))

    # when finance generates May's statements again
    generated = generate(session, clerk, MAY_31)

    # then each supplier's lines are on its own statement of its own currency and cycle, and the issued
    # statement's late line waits for June
    answers = {(s.supplier_id, s.currency): (s.period_start, s.added_lines) for s in generated}
    assert answers == {(drafted.supplier_id, "CNY"): (date(2026, 5, 1), 2),
                       (drafted.supplier_id, "USD"): (date(2026, 5, 1), 1),
                       (weekly.supplier_id, "CNY"): (date(2026, 5, 25), 2)}
    on = {(s.supplier_id, s.currency): lines_on(session, s.statement_id) for s in generated}
    assert on == {(drafted.supplier_id, "CNY"): first + late, (drafted.supplier_id, "USD"): dollars,
                  (weekly.supplier_id, "CNY"): weeks}
    assert lines_on(session, made[issued.supplier_id]) == frozen
    assert session.scalar(select(SettlementLine.statement_id).where(SettlementLine.id == waiting[0])) is None
    history = sorted((e.supplier_id, e.action, e.line_count, e.note) for e in session.scalars(
        select(StatementEvent).where(StatementEvent.action != "issue")))
    assert history == sorted([(drafted.supplier_id, "generate", 1, None), (issued.supplier_id, "generate", 1, None),
                              (drafted.supplier_id, "regenerate", 2, None), (drafted.supplier_id, "generate", 1, None),
                              (weekly.supplier_id, "generate", 2, None)])
