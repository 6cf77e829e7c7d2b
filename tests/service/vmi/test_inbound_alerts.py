"""Alerts on inbound documents: a call-off not answered within the agreement's hours, a shipment past its
expected arrival, a receipt with differences until the buyer closes the shipment."""
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from openvmi.access import Actor, Role
from openvmi.alerts.models import Alert
from openvmi.alerts.rules import AlertStatus
from openvmi.vmi.call_offs import service as call_offs_service
from openvmi.vmi.call_offs.models import CallOff, CallOffLine
from openvmi.vmi.call_offs.rules import CallOffAction
from openvmi.vmi.call_offs.schemas import CallOffCreate, CallOffLineCreate
from openvmi.vmi.inbound_alerts.service import sync_inbound_alerts
from openvmi.vmi.receipts import service as receipts_service
from openvmi.vmi.replenishment.queries import Wanted
from openvmi.vmi.replenishment.service import sync_vmi_alerts
from openvmi.vmi.receipts.schemas import ReceiptCreate, ReceiptLineCreate
from openvmi.vmi.shipments import service as shipments_service
from openvmi.vmi.shipments.models import ShipmentLine
from openvmi.vmi.shipments.schemas import ShipmentCreate, ShipmentLineCreate
from tests.builders import make_location, make_user
from tests.service.planning.world import make_plan_world
from tests.service.vmi.replenishment_world import TODAY, make_vmi_world

SENT_AT = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def actors(session, world):
    buyer = make_user(session, role=Role.BUYER)
    supplier = make_user(session, role=Role.SUPPLIER, supplier=world.supplier)
    return (Actor(buyer.id, buyer.username, Role.BUYER, None),
            Actor(supplier.id, supplier.username, Role.SUPPLIER, world.supplier.id))


def sent_call_off(session, world, buyer) -> int:
    row = call_offs_service.create_call_off(session, CallOffCreate(lines=[CallOffLineCreate(
        agreement_id=world.agreement.id, quantity=Decimal(100), due_date=TODAY + timedelta(days=7))]), actor=buyer)
    call_offs_service.act_on_call_off(session, row.id, action=CallOffAction.SEND, actor=buyer)
    session.execute(update(CallOff).where(CallOff.id == row.id).values(changed_at=SENT_AT))
    return row.id


def shipped(session, world, buyer, supplier):
    """A call-off of 100 sent, accepted and shipped whole, expected in two days."""
    call_off_id = sent_call_off(session, world, buyer)
    call_offs_service.act_on_call_off(session, call_off_id, action=CallOffAction.ACCEPT, actor=supplier)
    line_id = session.scalar(select(CallOffLine.id).where(CallOffLine.call_off_id == call_off_id))
    return shipments_service.confirm_shipment(session, ShipmentCreate(
        lines=[ShipmentLineCreate(call_off_line_id=line_id, quantity=Decimal(100))],
        expected_arrival=TODAY + timedelta(days=2), origin_location_id=make_location(session, kind="virtual").id,
        in_transit_location_id=world.transit.id), actor=supplier)


def open_kinds(session, world) -> set[str]:
    return set(session.scalars(select(Alert.kind).where(Alert.supplier_id == world.supplier.id,
                                                        Alert.status != AlertStatus.RESOLVED)))


def test_a_call_off_unanswered_past_its_hours_opens_one_alert_and_the_answer_resolves_it(session):
    world = make_vmi_world(session, make_plan_world(session), per_day=0)
    buyer, supplier = actors(session, world)
    call_off_id = sent_call_off(session, world, buyer)

    in_time = sync_inbound_alerts(session, now=SENT_AT + timedelta(hours=47))
    late = sync_inbound_alerts(session, now=SENT_AT + timedelta(hours=49))
    alert = session.scalars(select(Alert).where(Alert.supplier_id == world.supplier.id)).one()
    opened_with = dict(alert.numbers)
    # the supplier's answer resolves the alert in its own transaction, not at the next sweep
    call_offs_service.act_on_call_off(session, call_off_id, action=CallOffAction.ACCEPT, actor=supplier)
    session.refresh(alert)

    assert (in_time.opened, late.opened) == (0, 1)
    assert alert.status == AlertStatus.RESOLVED
    assert opened_with == {"count": "1", "oldest": f"#{call_off_id}", "hours": "48"}
    assert alert.message == f"Resolved: {world.supplier.code} has answered its call-offs."


def test_an_overdue_shipment_and_a_receipt_with_differences_each_alert_until_received_and_closed(session):
    world = make_vmi_world(session, make_plan_world(session), per_day=0)
    buyer, supplier = actors(session, world)
    shipment = shipped(session, world, buyer, supplier)
    after_expected = datetime.combine(TODAY + timedelta(days=3), datetime.min.time(), tzinfo=UTC)

    sync_inbound_alerts(session, now=after_expected)
    overdue = open_kinds(session, world)
    shipment_line = session.scalar(select(ShipmentLine.id).where(ShipmentLine.shipment_id == shipment.id))
    clerk = make_user(session, role=Role.WAREHOUSE)
    receipts_service.receive_shipment(session, ReceiptCreate(shipment_number=shipment.number, lines=[
        ReceiptLineCreate(shipment_line_id=shipment_line, accepted=Decimal(90), short=Decimal(10),
                          short_reason="not_delivered")],
        quarantine_location_id=make_location(session, kind="quarantine").id),
        actor=Actor(clerk.id, clerk.username, Role.WAREHOUSE, None))
    sync_inbound_alerts(session, now=after_expected)
    received = open_kinds(session, world)
    shipments_service.close_shipment(session, shipment.id, actor=buyer)
    sync_inbound_alerts(session, now=after_expected)

    assert overdue == {"vmi_shipment_overdue"}
    assert received == {"vmi_receipt_differences"}
    assert open_kinds(session, world) == set()


def alerts_at_store(session, world) -> dict[str, str]:
    """Kind -> status of the supplier's alerts: its documents' and its agreement's levels."""
    rows = session.scalars(select(Alert).where(Alert.supplier_id == world.supplier.id).order_by(Alert.id))
    return {row.kind: row.status for row in rows}


def test_receiving_and_closing_open_and_resolve_their_alerts_at_once_without_a_sweep(session):
    # given 80 on hand under a min of 100: the sweep has opened below-min
    world = make_vmi_world(session, make_plan_world(session), on_hand=80, per_day=0)
    sync_vmi_alerts(session, Wanted(), today=TODAY)
    buyer, supplier = actors(session, world)
    shipment = shipped(session, world, buyer, supplier)
    before = alerts_at_store(session, world)
    shipment_line = session.scalar(select(ShipmentLine.id).where(ShipmentLine.shipment_id == shipment.id))
    clerk = make_user(session, role=Role.WAREHOUSE)

    # when 60 are accepted (80 + 60 = 140, above min), 30 damaged and 10 short
    receipts_service.receive_shipment(session, ReceiptCreate(shipment_number=shipment.number, lines=[
        ReceiptLineCreate(shipment_line_id=shipment_line, accepted=Decimal(60), damaged=Decimal(30),
                          damaged_reason="damaged_in_transit", short=Decimal(10), short_reason="not_delivered")],
        quarantine_location_id=make_location(session, kind="quarantine").id),
        actor=Actor(clerk.id, clerk.username, Role.WAREHOUSE, None))
    received = alerts_at_store(session, world)
    shipments_service.close_shipment(session, shipment.id, actor=buyer)

    # then below-min resolves and the differences open with the receipt, and closing resolves them
    assert before == {"vmi_under_min": AlertStatus.OPENED}
    assert received == {"vmi_under_min": AlertStatus.RESOLVED, "vmi_receipt_differences": AlertStatus.OPENED}
    assert alerts_at_store(session, world) == {"vmi_under_min": AlertStatus.RESOLVED,
                                               "vmi_receipt_differences": AlertStatus.RESOLVED}
    numbers = session.scalar(select(Alert.numbers).where(Alert.kind == "vmi_receipt_differences"))
    assert numbers == {"count": "0"}


def test_a_supplier_s_answer_touches_only_its_own_document_alerts(session):
    # given two suppliers, each with a call-off unanswered past its hours
    plan = make_plan_world(session)
    first, second = make_vmi_world(session, plan, per_day=0), make_vmi_world(session, plan, per_day=0)
    buyer, first_supplier = actors(session, first)
    first_id = sent_call_off(session, first, buyer)
    sent_call_off(session, second, buyer)
    sync_inbound_alerts(session, now=SENT_AT + timedelta(hours=49))

    # when the first supplier answers
    call_offs_service.act_on_call_off(session, first_id, action=CallOffAction.REJECT, actor=first_supplier)

    # then its alert resolves and the other supplier's stays open
    assert open_kinds(session, first) == set()
    assert open_kinds(session, second) == {"vmi_call_off_unanswered"}
