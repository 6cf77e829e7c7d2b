"""Two warehouse clerks receiving the same shipment at once: one receipt stands, nothing is received twice."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openvmi.access import Actor, Role
from openvmi.db import create_db_engine, create_session_factory
from openvmi.errors import DomainError
from openvmi.ledger.queries import invariant_violations, on_hand
from openvmi.vmi.call_offs import service as call_offs
from openvmi.vmi.call_offs.models import CallOffLine
from openvmi.vmi.call_offs.rules import CallOffAction
from openvmi.vmi.call_offs.schemas import CallOffCreate, CallOffLineCreate
from openvmi.vmi.receipts import service as receipts
from openvmi.vmi.receipts.models import Receipt
from openvmi.vmi.receipts.schemas import ReceiptCreate, ReceiptLineCreate
from openvmi.vmi.shipments import service as shipments
from openvmi.vmi.shipments.models import ShipmentLine
from openvmi.vmi.shipments.schemas import ShipmentCreate, ShipmentLineCreate
from tests.builders import (
    make_location, make_party, make_supplier_item, make_user, make_vmi_agreement, make_vmi_location,
)

CLERKS = 4


def actor(user, supplier_id=None) -> Actor:
    return Actor(user_id=user.id, username=user.username, role=Role(user.role), supplier_id=supplier_id)


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_clerks_receiving_one_shipment_at_once_receive_it_once(fresh_database):
    engine = create_db_engine(fresh_database)
    factory = create_session_factory(engine)
    with factory() as session:
        supplier = make_party(session)
        store = make_vmi_location(session)
        origin = make_location(session, kind="virtual")
        make_location(session, kind="in_transit")
        supplier_item = make_supplier_item(session, supplier=supplier)
        agreement = make_vmi_agreement(session, supplier_item=supplier_item, location=store, activate=True)
        buyer = actor(make_user(session, role=Role.BUYER))
        shipper = actor(make_user(session, role=Role.SUPPLIER, supplier=supplier), supplier.id)
        clerks = [actor(make_user(session, role=Role.WAREHOUSE)) for _ in range(CLERKS)]
        call_off = call_offs.create_call_off(session, CallOffCreate(lines=[CallOffLineCreate(
            agreement_id=agreement.id, quantity=Decimal(40), due_date=date(2026, 12, 15))]), actor=buyer)
        call_offs.act_on_call_off(session, call_off.id, action=CallOffAction.SEND, actor=buyer)
        call_offs.act_on_call_off(session, call_off.id, action=CallOffAction.ACCEPT, actor=shipper)
        line_id = session.scalar(select(CallOffLine.id).where(CallOffLine.call_off_id == call_off.id))
        shipment = shipments.confirm_shipment(session, ShipmentCreate(
            lines=[ShipmentLineCreate(call_off_line_id=line_id, quantity=Decimal(40))],
            expected_arrival=date(2026, 12, 10), origin_location_id=origin.id), actor=shipper)
        session.flush()
        shipment_line_id = session.scalar(select(ShipmentLine.id).where(ShipmentLine.shipment_id == shipment.id))
        number, item_id, supplier_id = shipment.number, supplier_item.item_id, supplier.id
        session.commit()
    count = ReceiptCreate(shipment_number=number, lines=[ReceiptLineCreate(shipment_line_id=shipment_line_id,
                                                                           accepted=Decimal(40))])
    start = threading.Barrier(CLERKS)

    def receive(clerk: Actor) -> str:
        with factory() as session:
            start.wait()
            try:
                receipts.receive_shipment(session, count, actor=clerk)
                session.commit()
            except DomainError as refused:
                return refused.code
            return "ok"

    with ThreadPoolExecutor(max_workers=CLERKS) as pool:
        outcomes = sorted(pool.map(receive, clerks))

    assert outcomes == ["ok"] + [receipts.ShipmentAlreadyReceived.code] * (CLERKS - 1)
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Receipt)) == 1
        assert on_hand(session, item_id=item_id, location_id=store.id, owner_id=supplier_id) == Decimal(40)
        assert invariant_violations(session) == []
    engine.dispose()
