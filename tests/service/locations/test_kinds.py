"""What a kind of place does with stock: a place that holds goods never gives more than it holds;
a supplier's origin is bookkeeping and may go below zero."""
from decimal import Decimal

import pytest

from openvmi.errors import InsufficientStock
from openvmi.ledger import queries as ledger_queries
from openvmi.ledger import service as ledger_service
from openvmi.ledger.schemas import MoveCreate, PostingCreate
from tests.builders import make_item, make_location, make_party

HOLDING_GOODS = ("vmi", "warehouse", "quarantine", "in_transit")


def post(session, moves):
    return ledger_service.post_moves(session, PostingCreate(moves=moves), actor=None)


def move(item, owner, source, target, quantity, kind):
    return MoveCreate(item_id=item.id, quantity=Decimal(quantity), from_location_id=source.id, from_owner_id=owner.id,
                      to_location_id=target.id, to_owner_id=owner.id, kind=kind)


def test_every_place_that_holds_goods_refuses_to_give_more_than_it_holds(session):
    # given 2 bolts sent from the supplier's origin to each place that holds goods
    supplier, bolt = make_party(session), make_item(session)
    origin = make_location(session, kind="virtual")
    places = [make_location(session, kind=kind) for kind in HOLDING_GOODS]
    post(session, [move(bolt, supplier, origin, place, 2, "shipment" if place.kind == "in_transit" else "receipt")
                   for place in places])

    # when 5 are written off from each of them in one posting
    with pytest.raises(InsufficientStock) as refused:
        post(session, [move(bolt, supplier, place, origin, 5, "adjustment") for place in places])

    # then every place is named with the 2 it holds, and the origin that never held any is not
    assert sorted((s.location_code, s.available) for s in refused.value.shortfalls) == sorted(
        (place.code, Decimal(2)) for place in places)
    assert ledger_queries.on_hand(session, item_id=bolt.id, location_id=origin.id, owner_id=supplier.id) == -8
