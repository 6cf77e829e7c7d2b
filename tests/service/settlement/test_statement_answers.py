"""The supplier's answer to its statement: a disputed line blocks confirmation until finance credits it,
the buyer reverses it, or the supplier withdraws the dispute; finance and the supplier are told."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openvmi.alerts import queries as alerts_queries
from openvmi.alerts.models import InboxMessage, OutboxMessage
from openvmi.alerts.wording import ENGLISH
from openvmi.errors import NotFound
from openvmi.settlement.models import SettlementLine
from openvmi.settlement.statements import queries, service
from openvmi.settlement.statements.schemas import CreditCreate, DisputeCreate, LineObjection
from openvmi.settlement.statements.service import (
    DisputesOpen, InvalidCredit, LineAlreadyDisputed, StatementTransitionRefused,
)
from openvmi.web.i18n import Words
from tests.service.settlement.test_statements import MAY_31, as_supplier, generate
from tests.settlement_world import consume, finance, make_consignment, reverse, supplier_user


@pytest.fixture
def issued(session):
    """An issued May statement of two lines (10 x 3.00 and 5 x 2.00), a finance clerk and a supplier user."""
    world, clerk = make_consignment(session), finance(session)
    user = supplier_user(session, world)
    lines = consume(session, world, [Decimal(10)], unit_price=Decimal("3.00"), day=date(2026, 5, 5))
    lines += consume(session, world, [Decimal(5)], unit_price=Decimal("2.00"), day=date(2026, 5, 6))
    [made] = generate(session, clerk, MAY_31)
    service.issue_statement(session, made.statement_id, actor=clerk)
    return world, clerk, user, made.statement_id, lines


def dispute(session, user, statement_id, *line_ids):
    with as_supplier(session, user):
        return service.dispute_lines(session, statement_id, DisputeCreate(lines=[
            LineObjection(line_id=line_id, comment=f"line {line_id}: we delivered fewer") for line_id in line_ids]),
            actor=user)


def confirm(session, user, statement_id):
    with as_supplier(session, user):
        return service.confirm_statement(session, statement_id, actor=user)


def test_a_disputed_line_blocks_confirmation_until_finance_credits_it(session, issued):
    world, clerk, user, statement_id, (first, second) = issued

    # given the supplier disputes the first line
    dispute(session, user, statement_id, first)
    assert queries.get_statement(session, statement_id).state == "disputed"

    # then it cannot confirm the statement
    with pytest.raises(DisputesOpen, match="1 disputed line"):
        confirm(session, user, statement_id)

    # when finance credits 6.00 of the line with a reason
    service.credit_line(session, statement_id, CreditCreate(line_id=first, amount=Decimal("6.00"),
                                                            reason="two units were returned damaged"), actor=clerk)

    # then the credit is on the same statement and the supplier may confirm
    read = queries.describe_statement(session, statement_id)
    assert (read.net, read.tax, read.gross) == (Decimal("34.00"), Decimal("4.42"), Decimal("38.42"))
    assert [d.corrected for d in read.disputes] == [True]
    assert confirm(session, user, statement_id).state == "confirmed"
    assert [(e.action, e.to_state) for e in read.history][-2:] == [("dispute", "disputed"), ("credit", "disputed")]


def test_withdrawing_the_dispute_lets_the_supplier_confirm(session, issued):
    _, _, user, statement_id, (first, _) = issued
    dispute(session, user, statement_id, first)
    [open_dispute] = queries.describe_statement(session, statement_id).disputes

    with as_supplier(session, user):
        service.withdraw_dispute(session, statement_id, open_dispute.id, actor=user)

    assert confirm(session, user, statement_id).state == "confirmed"
    assert queries.describe_statement(session, statement_id).net == Decimal("40.00")


def test_a_reversal_of_the_disputed_line_answers_the_dispute(session, issued):
    world, _, user, statement_id, (first, _) = issued
    dispute(session, user, statement_id, first)

    reverse(session, world, first, Decimal(2))

    assert confirm(session, user, statement_id).state == "confirmed"


def test_bad_answers_are_refused_and_change_nothing(session, issued):
    world, clerk, user, statement_id, (first, second) = issued
    dispute(session, user, statement_id, first)
    lines = session.scalar(select(func.count()).select_from(SettlementLine))

    with pytest.raises(LineAlreadyDisputed):  # the same line again, with another comment
        with as_supplier(session, user):
            service.dispute_lines(session, statement_id, DisputeCreate(lines=[
                LineObjection(line_id=first, comment="and the price is wrong")]), actor=user)
    with pytest.raises(InvalidCredit, match="not disputed"):
        service.credit_line(session, statement_id, CreditCreate(line_id=second, amount=Decimal(1), reason="x"),
                            actor=clerk)
    with pytest.raises(InvalidCredit, match="2 decimal places"):
        service.credit_line(session, statement_id, CreditCreate(line_id=first, amount=Decimal("1.005"), reason="x"),
                            actor=clerk)
    with pytest.raises(InvalidCredit, match="at most the line's net amount"):
        service.credit_line(session, statement_id, CreditCreate(line_id=first, amount=Decimal("30.01"), reason="x"),
                            actor=clerk)
    with pytest.raises(NotFound):  # a line of no statement of theirs
        dispute(session, user, statement_id, 10**9)
    with pytest.raises(StatementTransitionRefused):
        service.issue_statement(session, statement_id, actor=clerk)

    assert session.scalar(select(func.count()).select_from(SettlementLine)) == lines
    assert queries.get_statement(session, statement_id).state == "disputed"


def test_issue_dispute_and_confirm_are_told_to_the_people_concerned_in_their_language(session, issued):
    world, clerk, user, statement_id, (first, _) = issued

    def inbox(user_id):
        return [(m.event, m.content) for m in session.scalars(
            select(InboxMessage).where(InboxMessage.user_id == user_id).order_by(InboxMessage.id))]

    # the supplier's user heard of the issue; finance did not
    [(event, content)] = inbox(user.user_id)
    assert event == "statement.issued" and content["gross"] == "45.20"
    assert inbox(clerk.user_id) == []
    chinese = Words("zh_CN", "Asia/Shanghai")
    message = alerts_queries.inbox_read(session.scalars(select(InboxMessage).where(
        InboxMessage.user_id == user.user_id)).one(), chinese)
    assert "对账单" in message.title and "45.20" in message.body
    english = alerts_queries.inbox_read(session.scalars(select(InboxMessage).where(
        InboxMessage.user_id == user.user_id)).one(), ENGLISH)
    assert english.title == f"Statement #{statement_id} issued: 2026-05-01 to 2026-05-31"

    # finance hears of the dispute and of the confirmation; the supplier's user does not
    dispute(session, user, statement_id, first)
    service.credit_line(session, statement_id, CreditCreate(line_id=first, amount=Decimal(3), reason="short"),
                        actor=clerk)
    confirm(session, user, statement_id)
    assert [event for event, _ in inbox(clerk.user_id)] == ["statement.disputed", "statement.confirmed"]
    assert len(inbox(user.user_id)) == 1
    assert session.scalar(select(func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.event.like("statement.%"))) == 3
