"""Consumption use cases racing on a real database: the last units go once, a retried scan is posted once
(one move, one settlement line), and two returns cannot both take the rest of a line."""
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openvmi.access import Actor, Role
from openvmi.catalog.models import Item
from openvmi.db import create_db_engine, create_session_factory
from openvmi.errors import DomainError
from openvmi.ledger.models import StockMove
from openvmi.ledger.queries import invariant_violations, on_hand
from openvmi.vmi.consumptions.queries import line_link_violations
from openvmi.settlement.models import SettlementLine
from openvmi.vmi.consumptions import service
from openvmi.vmi.consumptions.models import ConsumptionLine
from openvmi.vmi.consumptions.schemas import ConsumptionCreate, ConsumptionLineCreate, ReversalCreate
from tests.builders import (
    make_party, make_production_location, make_supplier_item, make_user, make_vmi_agreement, make_vmi_location, receive,
)

ZONE = "Asia/Shanghai"
pytestmark = pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)


def stocked(factory, quantity: int):
    """A committed agreement with `quantity` units in its VMI store, and a warehouse clerk."""
    with factory() as session:
        supplier = make_party(session)
        store = make_vmi_location(session)
        make_production_location(session, at=store)
        supplier_item = make_supplier_item(session, supplier=supplier)
        make_vmi_agreement(session, supplier_item=supplier_item, location=store, activate=True)
        receive(session, item=session.get(Item, supplier_item.item_id), location=store, owner=supplier,
                quantity=quantity)
        user = make_user(session, role=Role.WAREHOUSE)
        clerk = Actor(user_id=user.id, username=user.username, role=Role.WAREHOUSE, supplier_id=None)
        session.commit()
        return supplier_item.item_id, store.id, supplier.id, clerk


def request(item_id: int, store_id: int, quantity: int) -> ConsumptionCreate:
    return ConsumptionCreate(lines=[ConsumptionLineCreate(item_id=item_id, location_id=store_id,
                                                          quantity=Decimal(quantity))])


def run_together(factory, count: int, use_case):
    """`use_case(session)` in `count` threads started at once, each in its own transaction."""
    barrier = threading.Barrier(count)

    def attempt(_):
        barrier.wait()
        with factory() as session:
            try:
                result = use_case(session)
                session.commit()
                return result
            except DomainError as refused:
                session.rollback()
                return refused.code

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(attempt, range(count)))


def counts(factory, item_id: int) -> tuple[int, int]:
    with factory() as session:
        assert invariant_violations(session) + line_link_violations(session) == []
        return (session.scalar(select(func.count()).select_from(StockMove).where(StockMove.item_id == item_id,
                                                                                 StockMove.kind == "consumption")),
                session.scalar(select(func.count()).select_from(SettlementLine).where(SettlementLine.item_id == item_id)))


def test_two_lines_consuming_the_last_units_never_oversell(fresh_database):
    factory = create_session_factory(create_db_engine(fresh_database))
    item_id, store_id, supplier_id, clerk = stocked(factory, 10)

    outcomes = run_together(factory, 2, lambda session: service.record_consumption(
        session, request(item_id, store_id, 7), actor=clerk, zone=ZONE)[1])

    assert sorted(outcomes, key=str) == [False, "insufficient_stock"]
    assert counts(factory, item_id) == (1, 1)
    with factory() as session:
        assert on_hand(session, item_id=item_id, location_id=store_id, owner_id=supplier_id) == Decimal(3)


def test_one_scan_retried_at_once_with_one_key_is_posted_once(fresh_database):
    factory = create_session_factory(create_db_engine(fresh_database))
    item_id, store_id, supplier_id, clerk = stocked(factory, 10)

    outcomes = run_together(factory, 4, lambda session: service.record_consumption(
        session, request(item_id, store_id, 2), actor=clerk, zone=ZONE, idempotency_key="scan-42"))

    assert len({consumption_id for consumption_id, _ in outcomes}) == 1
    assert sorted(replayed for _, replayed in outcomes) == [False, True, True, True]
    assert counts(factory, item_id) == (1, 1)
    with factory() as session:
        assert on_hand(session, item_id=item_id, location_id=store_id, owner_id=supplier_id) == Decimal(8)


def test_two_returns_cannot_both_take_the_rest_of_a_line(fresh_database):
    factory = create_session_factory(create_db_engine(fresh_database))
    item_id, store_id, supplier_id, clerk = stocked(factory, 10)
    with factory() as session:
        consumption_id, _ = service.record_consumption(session, request(item_id, store_id, 5), actor=clerk, zone=ZONE)
        session.commit()
        line_id = session.scalar(select(ConsumptionLine.id).where(ConsumptionLine.consumption_id == consumption_id))

    outcomes = run_together(factory, 2, lambda session: service.reverse_consumption(
        session, consumption_id, ReversalCreate(line_id=line_id, quantity=Decimal(3)), actor=clerk).quantity)

    assert sorted(outcomes, key=str) == [Decimal(3), "invalid_input"]
    with factory() as session:
        assert on_hand(session, item_id=item_id, location_id=store_id, owner_id=supplier_id) == Decimal(8)
        total = session.scalar(select(func.sum(SettlementLine.quantity)).where(SettlementLine.item_id == item_id))
        assert total == Decimal(2)
