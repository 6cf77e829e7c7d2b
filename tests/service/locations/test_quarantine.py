"""Quarantine: damaged or blocked stock is physical (counted, never negative, FIFO) but never available."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from openvmi.errors import InsufficientStock
from openvmi.ledger import queries as ledger_queries
from openvmi.ledger import service as ledger_service
from openvmi.ledger.models import ReceiptLayer
from openvmi.ledger.schemas import MoveCreate, PostingCreate
from openvmi.supplier_stock.availability import list_availability
from openvmi.supplier_stock.schemas import AvailabilityQuery
from tests.builders import make_item, make_location, make_party, make_supplier_item, receive


def block(session, *, item, source, quarantine, owner, quantity):
    """Move `quantity` found damaged from `source` into `quarantine`, owner unchanged."""
    move = MoveCreate(item_id=item.id, quantity=Decimal(quantity), from_location_id=source.id,
                      from_owner_id=owner.id, to_location_id=quarantine.id, to_owner_id=owner.id, kind="transfer")
    return ledger_service.post_moves(session, PostingCreate(moves=[move]), actor=None)


def test_quarantined_stock_counts_as_on_hand_but_is_not_offered_while_stock_on_its_way_is(session):
    # given 40 bolts on consignment in the VMI store, 15 of them found damaged and blocked,
    # and 10 more shipped to us
    supplier, bolt = make_party(session), make_item(session)
    make_supplier_item(session, supplier=supplier, item=bolt)
    store, blocked = make_location(session, kind="vmi"), make_location(session, kind="quarantine")
    receive(session, item=bolt, location=store, owner=supplier, quantity=40)
    block(session, item=bolt, source=store, quarantine=blocked, owner=supplier, quantity=15)
    on_the_way = make_location(session, kind="in_transit")
    ledger_service.post_moves(session, PostingCreate(moves=[MoveCreate(
        item_id=bolt.id, quantity=Decimal(10), from_location_id=make_location(session, kind="virtual").id,
        from_owner_id=supplier.id, to_location_id=on_the_way.id, to_owner_id=supplier.id, kind="shipment")]),
        actor=None)

    # when a planner asks who has bolts
    answer = list_availability(session, AvailabilityQuery(item_codes=[bolt.code])).items[0]

    # then the 15 still count on hand, but only the 25 left in the store and the 10 on their way are offered
    assert ledger_queries.on_hand(session, item_id=bolt.id, location_id=blocked.id, owner_id=supplier.id) == 15
    assert [(line["source"], line["site_code"], line["available"])
            for line in answer["lines"] if line["source"] != "supplier"] == [
        ("vmi", store.code, Decimal(25)), ("in_transit", on_the_way.code, Decimal(10))]
    assert answer["buyer_side"] == Decimal(35)


def test_quarantine_keeps_the_receipt_dates_and_never_goes_below_zero(session):
    # given 10 nuts received into the VMI store, then all of them blocked
    supplier, nut = make_party(session), make_item(session)
    store, blocked = make_location(session, kind="vmi"), make_location(session, kind="quarantine")
    scrap = make_location(session, kind="virtual")
    receive(session, item=nut, location=store, owner=supplier, quantity=10)
    block(session, item=nut, source=store, quarantine=blocked, owner=supplier, quantity=10)

    # when 12 are written off from quarantine
    write_off = MoveCreate(item_id=nut.id, quantity=Decimal(12), from_location_id=blocked.id,
                           from_owner_id=supplier.id, to_location_id=scrap.id, to_owner_id=supplier.id,
                           kind="adjustment")
    with pytest.raises(InsufficientStock):
        ledger_service.post_moves(session, PostingCreate(moves=[write_off]), actor=None)

    # then the 10 stay there in one FIFO layer that still carries the original receipt date
    received_at = session.scalar(select(ReceiptLayer.received_at).where(ReceiptLayer.location_id == store.id))
    layers = session.execute(select(ReceiptLayer.quantity_left, ReceiptLayer.received_at)
                             .where(ReceiptLayer.location_id == blocked.id)).all()
    assert [tuple(layer) for layer in layers] == [(Decimal(10), received_at)]
    assert ledger_queries.on_hand(session, item_id=nut.id, location_id=blocked.id, owner_id=supplier.id) == 10
