"""The ledger's one use case: post moves, refuse shortfalls, honour idempotency keys."""
from decimal import Decimal

import pytest

from openvmi.errors import IdempotencyMismatch, InsufficientStock
from openvmi.ledger import queries, service
from openvmi.ledger.schemas import MoveCreate, PostingCreate
from tests.builders import make_item, make_location, make_party, receive


def consume(session, *, item, location, owner, quantity, sink, idempotency_key=None):
    move = MoveCreate(item_id=item.id, quantity=Decimal(quantity), from_location_id=location.id,
                      from_owner_id=owner.id, to_location_id=sink.id, to_owner_id=owner.id, kind="consumption")
    return service.post_moves(session, PostingCreate(moves=[move]), actor_id=None, idempotency_key=idempotency_key)


def test_a_receipt_raises_the_balance_and_opens_a_fifo_layer(session):
    # given a supplier and its consignment store
    supplier, item, store = make_party(session), make_item(session), make_location(session, kind="vmi")

    # when 10 units are received
    result = receive(session, item=item, location=store, owner=supplier, quantity=10)

    # then the store holds 10 of the supplier's units
    assert not result.replayed
    assert queries.on_hand(session, item_id=item.id, location_id=store.id, owner_id=supplier.id) == Decimal(10)


def test_taking_more_than_is_there_lists_every_short_line_and_changes_nothing(session):
    supplier, store, line = make_party(session), make_location(session, kind="vmi"), make_location(session, kind="production")
    bolt, nut = make_item(session, code="BOLT-T1"), make_item(session, code="NUT-T1")
    receive(session, item=bolt, location=store, owner=supplier, quantity=3)
    receive(session, item=nut, location=store, owner=supplier, quantity=1)

    moves = [MoveCreate(item_id=i.id, quantity=Decimal(5), from_location_id=store.id, from_owner_id=supplier.id,
                        to_location_id=line.id, to_owner_id=supplier.id, kind="consumption") for i in (bolt, nut)]
    with pytest.raises(InsufficientStock) as raised:
        service.post_moves(session, PostingCreate(moves=moves), actor_id=None)

    assert [(s.item_code, s.requested, s.available) for s in raised.value.shortfalls] == [
        ("BOLT-T1", Decimal(5), Decimal(3)), ("NUT-T1", Decimal(5), Decimal(1))]
    session.rollback()


def test_a_retry_with_the_same_key_returns_the_first_posting_and_moves_nothing_twice(session):
    supplier, item = make_party(session), make_item(session)
    store, line = make_location(session, kind="vmi"), make_location(session, kind="production")
    receive(session, item=item, location=store, owner=supplier, quantity=10)

    first = consume(session, item=item, location=store, owner=supplier, quantity=4, sink=line, idempotency_key="k-1")
    again = consume(session, item=item, location=store, owner=supplier, quantity=4, sink=line, idempotency_key="k-1")

    assert again.replayed and again.posting_id == first.posting_id
    assert [m.id for m in again.moves] == [m.id for m in first.moves]
    assert queries.on_hand(session, item_id=item.id, location_id=store.id, owner_id=supplier.id) == Decimal(6)


def test_a_key_reused_for_a_different_request_is_refused(session):
    supplier, item = make_party(session), make_item(session)
    store, line = make_location(session, kind="vmi"), make_location(session, kind="production")
    receive(session, item=item, location=store, owner=supplier, quantity=10)
    consume(session, item=item, location=store, owner=supplier, quantity=4, sink=line, idempotency_key="k-2")

    with pytest.raises(IdempotencyMismatch):
        consume(session, item=item, location=store, owner=supplier, quantity=5, sink=line, idempotency_key="k-2")


def test_consumption_drains_the_oldest_receipt_first(session):
    from sqlalchemy import select

    from openvmi.ledger.models import ReceiptLayer

    supplier, item = make_party(session), make_item(session)
    store, line = make_location(session, kind="vmi"), make_location(session, kind="production")
    receive(session, item=item, location=store, owner=supplier, quantity=5)
    receive(session, item=item, location=store, owner=supplier, quantity=5)

    consume(session, item=item, location=store, owner=supplier, quantity=7, sink=line)

    layers = session.scalars(select(ReceiptLayer).where(ReceiptLayer.location_id == store.id)
                             .order_by(ReceiptLayer.id)).all()
    assert [layer.quantity_left for layer in layers] == [Decimal(0), Decimal(3)]
