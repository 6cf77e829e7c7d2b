"""A client that lost the answer sends the same state change again: it gets the statement as it is and
nothing is written twice (no second event, dispute or notice); a change that contradicts the state
keeps its specific refusal."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openvmi.alerts.models import InboxMessage, OutboxMessage
from openvmi.errors import PermissionDenied
from openvmi.parties.models import Party
from openvmi.settlement.invoices import service as invoices
from openvmi.settlement.statements import queries, service
from openvmi.settlement.statements.models import LineDispute, StatementEvent
from openvmi.settlement.statements.schemas import DisputeCreate, LineObjection
from openvmi.settlement.statements.service import DisputesOpen, LineAlreadyDisputed, StatementTransitionRefused
from openvmi.settlement.invoices.service import StatementNotMatched
from tests.invoice_world import as_supplier, confirmed_statement, record_invoice_of
from tests.service.settlement.test_statements import MAY_31, generate
from tests.settlement_world import consume, finance, make_consignment, supplier_user


def written(session) -> tuple[int, int, int, int]:
    """Everything a state change writes: events, disputes, inbox and outbox rows."""
    return tuple(session.scalar(select(func.count()).select_from(table))
                 for table in (StatementEvent, LineDispute, InboxMessage, OutboxMessage))


@pytest.fixture
def issued(session):
    world, clerk = make_consignment(session), finance(session)
    user = supplier_user(session, world)
    [line] = consume(session, world, [Decimal(10)], unit_price=Decimal("3.00"), day=date(2026, 5, 5))
    [made] = generate(session, clerk, MAY_31)
    service.issue_statement(session, made.statement_id, actor=clerk)
    return clerk, user, made.statement_id, line


def objection(line, comment="we delivered fewer"):
    return DisputeCreate(lines=[LineObjection(line_id=line, comment=comment)])


def test_issuing_and_confirming_again_answer_the_statement_as_it_is(session, issued):
    clerk, user, statement_id, _ = issued
    before = written(session)

    again = service.issue_statement(session, statement_id, actor=clerk)

    assert again.state == "issued" and written(session) == before
    with as_supplier(session, user):
        service.confirm_statement(session, statement_id, actor=user)
        after_confirm = written(session)
        assert service.confirm_statement(session, statement_id, actor=user).state == "confirmed"
    assert written(session) == after_confirm
    assert [e.action for e in queries.describe_statement(session, statement_id).history] == [
        "generate", "issue", "confirm"]


def test_the_same_dispute_sent_twice_disputes_once_and_a_withdrawal_twice_withdraws_once(session, issued):
    _, user, statement_id, line = issued
    with as_supplier(session, user):
        _, replayed_first = service.dispute_lines(session, statement_id, objection(line), actor=user)
        before = written(session)
        again, replayed = service.dispute_lines(session, statement_id, objection(line), actor=user)
        after_retry = written(session)
        [dispute] = queries.describe_statement(session, statement_id).disputes
        service.withdraw_dispute(session, statement_id, dispute.id, actor=user)
        withdrawn = written(session)
        assert service.withdraw_dispute(session, statement_id, dispute.id, actor=user).state == "withdrawn"

    assert (replayed_first, replayed, again.state) == (False, True, "disputed")
    assert after_retry == before and written(session) == withdrawn


def test_a_change_that_contradicts_the_state_keeps_its_refusal(session, issued):
    clerk, user, statement_id, line = issued
    with as_supplier(session, user):
        service.dispute_lines(session, statement_id, objection(line), actor=user)
    before = written(session)

    with as_supplier(session, user):
        with pytest.raises(DisputesOpen):  # confirming a disputed statement
            service.confirm_statement(session, statement_id, actor=user)
        with pytest.raises(LineAlreadyDisputed):  # the same line with another comment is not a retry
            service.dispute_lines(session, statement_id, objection(line, "the price is wrong"), actor=user)
    with pytest.raises(StatementTransitionRefused, match="is disputed: it cannot be issue"):
        service.issue_statement(session, statement_id, actor=clerk)
    with pytest.raises(PermissionDenied):  # finance cannot "retry" the supplier's answer
        service.confirm_statement(session, statement_id, actor=clerk)
    with pytest.raises(StatementNotMatched):
        invoices.close_statement(session, statement_id, actor=clerk)

    assert written(session) == before and queries.get_statement(session, statement_id).state == "disputed"


def test_matching_and_closing_again_answer_as_the_first_time(session):
    world, clerk, _, statement_id = confirmed_statement(session, confirm=False)
    record_invoice_of(session, statement_id, session.get(Party, world.supplier_id))
    matched = invoices.match_invoice(session, statement_id, actor=clerk)
    before = written(session)

    assert invoices.match_invoice(session, statement_id, actor=clerk).id == matched.id
    invoices.close_statement(session, statement_id, actor=clerk)
    closed = written(session)
    assert invoices.close_statement(session, statement_id, actor=clerk).state == "closed"

    assert written(session) == closed and closed[0] == before[0] + 1
    assert [e.action for e in queries.describe_statement(session, statement_id).history][-3:] == [
        "invoice", "match", "close"]
