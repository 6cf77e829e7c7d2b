"""Replenishment read from the database: ledger stock at the VMI store and in transit, the current
demand plan at the store's plant, suggestions in whole packs; a supplier sees only its own."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from openvmi.access import Actor, Role
from openvmi.errors import InvalidInput, NotFound
from openvmi.scoping import scope_to_supplier
from openvmi.vmi.call_offs import service as call_offs_service
from openvmi.vmi.call_offs.models import CallOff, CallOffLine
from openvmi.vmi.call_offs.rules import CallOffAction
from openvmi.vmi.call_offs.schemas import CallOffCreate, CallOffLineCreate
from openvmi.vmi.replenishment import queries
from openvmi.vmi.replenishment.queries import AgreementNotInForce, Wanted
from openvmi.vmi.shipments import service as shipments_service
from openvmi.vmi.shipments.schemas import ShipmentCreate, ShipmentLineCreate
from tests.builders import count_statements, make_location, make_user, make_vmi_agreement
from tests.service.planning.world import line, make_plan_world, publish
from tests.service.vmi.replenishment_world import TODAY, make_vmi_world


def day(offset: int):
    return TODAY + timedelta(days=offset)


def test_the_projection_adds_stock_in_transit_and_takes_the_plan_and_suggests_whole_packs(session):
    # given 180 on hand, 20 in transit and 60 a day planned for 10 days (lead 3, MOQ 150, packs of 40)
    world = make_vmi_world(session, make_plan_world(session))

    # when the buyer projects 10 days
    r = queries.project_agreement(session, world.agreement.id, today=TODAY, horizon_days=10)

    # then the figures are the hand-computed ones (tests/unit/vmi/test_replenishment_rules.py)
    assert (r.on_hand, r.in_transit) == (Decimal(180), Decimal(20))
    assert [d["projected"] for d in r.days[:4]] == [Decimal(140), Decimal(80), Decimal(20), Decimal(-40)]
    assert (r.first_below_min, r.run_out, r.earliest_due) == (day(1), day(3), day(3))
    assert [(s.due, s.quantity) for s in r.suggestions] == [(day(3), Decimal(320)), (day(7), Decimal(240))]
    assert (r.moq, r.pack_size, r.lead_time_days) == (Decimal(150), Decimal(40), 3)


def test_another_plants_plan_and_another_suppliers_stock_do_not_count(session):
    plan = make_plan_world(session)
    world = make_vmi_world(session, plan, per_day=0)
    publish(session, plan, line(world.item, plan.plants[1], 500, day=TODAY))  # the other plant's demand

    r = queries.project_agreement(session, world.agreement.id, today=TODAY, horizon_days=5)

    assert [d["projected"] for d in r.days] == [Decimal(200)] * 5 and r.suggestions == []


def test_a_supplier_sees_its_own_agreements_and_another_is_not_found(session):
    plan = make_plan_world(session)
    mine, theirs = make_vmi_world(session, plan), make_vmi_world(session, plan, per_day=0)

    scope_to_supplier(session, mine.supplier.id)
    page = queries.project_agreements(session, Wanted(), today=TODAY, horizon_days=10)

    assert [r.agreement_id for r in page.items] == [mine.agreement.id]
    assert page.items[0].suggestions  # the plan of its own item is visible to it
    with pytest.raises(NotFound):
        queries.project_agreement(session, theirs.agreement.id, today=TODAY)


def test_a_draft_agreement_is_not_replenished(session):
    draft = make_vmi_agreement(session)

    with pytest.raises(AgreementNotInForce):
        queries.project_agreement(session, draft.id, today=TODAY)


@pytest.mark.parametrize("horizon", [0, 183])
def test_a_horizon_outside_one_day_to_26_weeks_is_refused(session, horizon):
    with pytest.raises(InvalidInput):
        queries.project_agreements(session, Wanted(), today=TODAY, horizon_days=horizon)


def test_the_inputs_are_read_in_the_same_few_statements_for_one_agreement_or_many(session):
    plan = make_plan_world(session)
    make_vmi_world(session, plan)

    def statements_for_all() -> int:
        return count_statements(session, lambda: queries.project_agreements(
            session, Wanted(), today=TODAY, horizon_days=56, limit=500).items or pytest.fail("nothing projected"))

    one = statements_for_all()
    for _ in range(4):
        make_vmi_world(session, plan)
    session.flush()

    assert statements_for_all() == one


def _call_off(session, world, state: str, *lines: tuple[int, int, int]) -> None:
    header = CallOff(supplier_id=world.supplier.id, state=state)
    session.add(header)
    session.flush()
    session.add_all(CallOffLine(call_off_id=header.id, supplier_id=world.supplier.id, agreement_id=world.agreement.id,
                                quantity=Decimal(quantity), shipped_quantity=Decimal(shipped), due_date=day(offset))
                    for offset, quantity, shipped in lines)
    session.flush()


def test_open_accepted_call_offs_arrive_on_their_due_date_less_what_is_shipped(session):
    # given an accepted call-off of 200 due on day 2 of which 50 shipped (now in transit), one of 40 a
    # day late, and a draft and a rejected one that promise nothing
    world = make_vmi_world(session, make_plan_world(session), per_day=0)
    _call_off(session, world, "accepted", (2, 200, 50), (-1, 40, 0))
    _call_off(session, world, "draft", (2, 1000, 0))
    _call_off(session, world, "rejected", (3, 1000, 0))

    r = queries.project_agreement(session, world.agreement.id, today=TODAY, horizon_days=4)

    assert [d["arriving"] for d in r.days] == [Decimal(40), Decimal(0), Decimal(150), Decimal(0)]
    assert [d["projected"] for d in r.days] == [Decimal(240), Decimal(240), Decimal(390), Decimal(390)]


def test_a_shipment_on_the_way_arrives_on_its_expected_day_and_the_rest_in_transit_counts_now(session):
    # given an accepted call-off of 200 due on day 6, of which the supplier ships 120 expected on day 4
    world = make_vmi_world(session, make_plan_world(session), per_day=0)
    buyer_user = make_user(session, role=Role.BUYER)
    supplier_user = make_user(session, role=Role.SUPPLIER, supplier=world.supplier)
    buyer = Actor(buyer_user.id, buyer_user.username, Role.BUYER, None)
    supplier = Actor(supplier_user.id, supplier_user.username, Role.SUPPLIER, world.supplier.id)
    call_off = call_offs_service.create_call_off(session, CallOffCreate(lines=[CallOffLineCreate(
        agreement_id=world.agreement.id, quantity=Decimal(200), due_date=day(6))]), actor=buyer)
    call_offs_service.act_on_call_off(session, call_off.id, action=CallOffAction.SEND, actor=buyer)
    call_offs_service.act_on_call_off(session, call_off.id, action=CallOffAction.ACCEPT, actor=supplier)
    line_id = session.scalar(select(CallOffLine.id).where(CallOffLine.call_off_id == call_off.id))
    shipments_service.confirm_shipment(session, ShipmentCreate(
        lines=[ShipmentLineCreate(call_off_line_id=line_id, quantity=Decimal(120))], expected_arrival=day(4),
        origin_location_id=make_location(session, kind="virtual").id, in_transit_location_id=world.transit.id),
        actor=supplier)

    # when the buyer projects a week
    r = queries.project_agreement(session, world.agreement.id, today=TODAY, horizon_days=7)

    # then the 20 in transit without a shipment count now, 120 arrive on day 4, the 80 still owed on day 6
    assert (r.on_hand, r.in_transit) == (Decimal(180), Decimal(20))
    assert [d["arriving"] for d in r.days] == [Decimal(0)] * 4 + [Decimal(120), Decimal(0), Decimal(80)]
    assert r.days[-1]["projected"] == Decimal(400)
