"""The VMI stock view: per active agreement, stock by owner and place, FIFO layers with their age, days of
cover against the plan and the last consumptions, read in the same few statements for any number of
agreements; a supplier sees only its own."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from openvmi.ledger.models import ReceiptLayer
from openvmi.scoping import scope_to_supplier
from openvmi.settlement.rules import SettlementKind
from openvmi.vmi.replenishment.queries import Wanted
from openvmi.vmi.stock.queries import list_vmi_stock
from tests.builders import count_statements, make_location, receive, settled_move
from tests.service.planning.world import NOW, make_plan_world
from tests.service.vmi.replenishment_world import make_vmi_world


@pytest.fixture
def plan(session):
    return make_plan_world(session)


def stock_world(session, plan):
    """20 received at the store a week ago, 5 in transit, 2 a day planned; then 4 consumed, 3 bought out
    and 2 damaged ones put in quarantine."""
    world = make_vmi_world(session, plan, on_hand=20, in_transit=5, per_day=2, days=20)
    session.execute(update(ReceiptLayer).where(ReceiptLayer.item_id == world.item.id)
                    .values(received_at=NOW - timedelta(days=7)))
    settled_move(session, world.agreement, 4)
    settled_move(session, world.agreement, 3, kind=SettlementKind.BUYOUT)
    quarantine = make_location(session, kind="quarantine", plant_code=plan.plants[0].code)
    receive(session, item=world.item, location=quarantine, owner=world.supplier, quantity=2)
    return world


def view(session, **wanted):
    return list_vmi_stock(session, Wanted(**wanted), now=NOW, limit=500)


def test_stock_is_shown_by_owner_and_place_with_its_age_cover_and_consumptions(session, plan):
    world = stock_world(session, plan)

    (row,) = view(session, supplier_id=world.supplier.id).items

    assert (row.agreement_id, row.item_code, row.location_code) == (world.agreement.id, world.item.code,
                                                                    world.store.code)
    assert (row.supplier_owned, row.buyer_owned, row.in_transit, row.quarantine) == (13, 3, 5, 2)
    assert row.days_of_cover == 6  # 13 at 2 a day: the seventh day is short
    assert sum(l.quantity_left for l in row.layers if l.owned_by_supplier) == Decimal(13)
    assert sum(l.quantity_left for l in row.layers if not l.owned_by_supplier) == Decimal(3)
    assert {l.age_days for l in row.layers} == {7}  # bought-out stock keeps its receipt date
    assert [c.quantity for c in row.last_consumptions] == [Decimal(4)]


def test_only_the_latest_five_consumptions_are_shown_newest_first(session, plan):
    world = make_vmi_world(session, plan, on_hand=20, in_transit=0, per_day=0)
    moves = [settled_move(session, world.agreement, quantity)[0] for quantity in (1, 2, 3, 1, 2, 3)]

    (row,) = view(session, supplier_id=world.supplier.id).items

    assert [c.move_id for c in row.last_consumptions] == [m.id for m in reversed(moves[1:])]
    assert row.days_of_cover is None  # nothing planned: no end in sight


def test_a_supplier_sees_its_own_agreements_only(session, plan):
    mine, theirs = stock_world(session, plan), make_vmi_world(session, plan)
    scope_to_supplier(session, mine.supplier.id)

    rows = view(session).items

    assert [r.agreement_id for r in rows] == [mine.agreement.id]
    assert rows[0].buyer_owned == 0  # what the buyer owns is the buyer's business
    assert view(session, supplier_id=theirs.supplier.id).items == []


def test_filters_pick_the_agreements_by_item_and_location(session, plan):
    first, second = stock_world(session, plan), make_vmi_world(session, plan)

    assert [r.agreement_id for r in view(session, item_id=second.item.id).items] == [second.agreement.id]
    assert [r.agreement_id for r in view(session, location_id=first.store.id).items] == [first.agreement.id]


def test_the_view_is_read_in_the_same_statements_for_one_agreement_or_many(session, plan):
    stock_world(session, plan)

    def statements() -> int:
        return count_statements(session, lambda: view(session).items or pytest.fail("no stock shown"))

    one = statements()
    for _ in range(4):
        stock_world(session, plan)
    session.flush()

    assert statements() == one
