"""Reconciliation finds every ownership move without its line, every line without its move, and every
quantity or amount that differs; for lines the product wrote itself it finds nothing."""
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select, update

from openvmi.errors import NotFound
from openvmi.scoping import scope_to_supplier
from openvmi.settlement.models import SettlementLine
from openvmi.settlement.reconciliation import reconcile
from openvmi.settlement.rules import Difference, credit_row
from openvmi.settlement.service import record_lines
from tests.builders import consume, make_buyer
from tests.service.settlement.world import make_settled_world

ZONE = "Asia/Shanghai"


def reconciled(session, supplier, since, until=None):
    return reconcile(session, supplier.id, since=since, until=until or since, zone=ZONE)


@pytest.fixture
def world(session):
    return make_settled_world(session)


@pytest.fixture
def today(world):
    """The local day the world's lines were written."""
    return world.moves["consumed"].created_at.astimezone(ZoneInfo(ZONE)).date()


def found(answer):
    return sorted((f.difference.value, f.move_id, f.line_id) for f in answer.differences)


def change_line(session, line_id, **values):
    session.execute(update(SettlementLine).where(SettlementLine.id == line_id).values(**values))


def test_consumption_return_and_buyout_written_by_the_product_reconcile_without_difference(session, world, today):
    answer = reconciled(session, world.a, today)

    assert (answer.moves, answer.lines, answer.differences) == (3, 3, [])
    assert reconciled(session, world.b, today).differences == []


def test_a_credit_finance_gave_against_a_disputed_line_is_no_difference(session, world, today):
    # a credit is money only: it has no move by design, so it is no "line without a move" (also on a
    # day with no ownership move at all)
    consumed = session.execute(select(SettlementLine.__table__).where(
        SettlementLine.id == world.lines["consumed"])).mappings().one()
    record_lines(session, [credit_row(consumed, line_id=consumed["id"], amount=Decimal("0.50"),
                                      reason="two parts were scratched",
                                      occurred_at=consumed["occurred_at"] + timedelta(days=1))])

    assert reconciled(session, world.a, today + timedelta(days=1)).differences == []


def test_a_move_whose_line_is_missing_is_found(session, world, today):
    session.execute(delete(SettlementLine).where(SettlementLine.id == world.lines["bought"]))

    assert found(reconciled(session, world.a, today)) == [("move_without_line", world.moves["bought"].id, None)]


def test_an_ownership_move_posted_without_any_line_is_found(session, world, today):
    # given stock handed to the buyer by a consumption that wrote no line
    (move,) = consume(session, item=world.item_b, location=world.store, owner=world.b, quantity=1,
                      sink=world.production).moves

    assert found(reconciled(session, world.b, today)) == [("move_without_line", move.id, None)]
    assert reconciled(session, world.a, today).differences == []


def test_a_quantity_changed_on_the_line_is_found(session, world, today):
    # the line says 3 consumed at 1.15 = 3.45, the move took 4
    change_line(session, world.lines["consumed"], quantity=Decimal(3), net_amount=Decimal("3.45"))

    answer = reconciled(session, world.a, today)

    assert found(answer) == [("quantity", world.moves["consumed"].id, world.lines["consumed"])]
    (finding,) = answer.differences
    assert (finding.move_quantity, finding.line_quantity) == (Decimal(4), Decimal(3))


def test_an_amount_that_is_not_quantity_times_price_is_found(session, world, today):
    change_line(session, world.lines["bought"], net_amount=Decimal("5.74"))

    (finding,) = reconciled(session, world.a, today).differences

    assert (finding.difference, finding.line_amount, finding.expected_amount) == (
        Difference.AMOUNT, Decimal("5.74"), Decimal("5.75"))


def test_a_return_credited_more_than_its_share_of_the_line_is_found(session, world, today):
    change_line(session, world.lines["returned"], net_amount=Decimal("-1.20"))

    assert found(reconciled(session, world.a, today)) == [("amount", world.moves["returned"].id, world.lines["returned"])]


def test_a_line_pointing_at_another_suppliers_move_is_found_on_both_sides(session, world, today):
    # given A's buyout line re-pointed at B's consumption (whose own line is gone)
    session.execute(delete(SettlementLine).where(SettlementLine.id == world.lines["b"]))
    change_line(session, world.lines["bought"], move_id=world.moves["b"].id)

    assert found(reconciled(session, world.a, today)) == sorted([
        ("line_without_move", None, world.lines["bought"]), ("move_without_line", world.moves["bought"].id, None)])
    assert found(reconciled(session, world.b, today)) == [("move_without_line", world.moves["b"].id, None)]


def test_only_the_period_asked_for_is_reconciled(session, world, today):
    session.execute(delete(SettlementLine).where(SettlementLine.id == world.lines["bought"]))

    later = reconciled(session, world.a, today + timedelta(days=1), today + timedelta(days=30))

    assert (later.moves, later.lines, later.differences) == (0, 0, [])


def test_a_supplier_reconciles_its_own_and_never_another(session, world, today):
    scope_to_supplier(session, world.b.id)

    assert reconciled(session, world.b, today).differences == []
    with pytest.raises(NotFound):
        reconciled(session, world.a, today)


def test_the_buyer_is_no_supplier_to_reconcile(session, world, today):
    with pytest.raises(NotFound):
        reconciled(session, make_buyer(session), today)
