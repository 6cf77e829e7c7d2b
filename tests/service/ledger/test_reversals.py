"""A move can be reversed, in full or in parts, never beyond what is left of it; the stock goes back
into the FIFO layers it came from, with their receipt dates."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from openvmi.errors import InvalidInput
from openvmi.ledger import queries, service
from openvmi.ledger.models import LayerDraw, ReceiptLayer
from openvmi.ledger.rules import DocumentKind
from openvmi.ledger.schemas import MoveCreate, PostingCreate
from tests.builders import consume, document, make_buyer, make_item, make_location, make_party, receive


@pytest.fixture
def consumed(session):
    """10 received on Monday and 10 on Tuesday at the store; then 14 consumed (all of Monday's, 4 of Tuesday's)."""
    supplier, buyer, item = make_party(session), make_buyer(session), make_item(session)
    store, line = make_location(session, kind="vmi"), make_location(session, kind="production")
    for days_ago in (8, 7):
        (receipt,) = receive(session, item=item, location=store, owner=supplier, quantity=10).moves
        session.execute(update(ReceiptLayer).where(ReceiptLayer.move_id == receipt.id)
                        .values(received_at=receipt.created_at - timedelta(days=days_ago)))
    (move,) = consume(session, item=item, location=store, owner=supplier, quantity=14, sink=line, buyer=buyer).moves
    return dict(supplier=supplier, buyer=buyer, item=item, store=store, line=line, move=move)


def reverse(session, world, quantity, *, kind=DocumentKind.CONSUMPTION, **changes):
    move = world["move"]
    line = MoveCreate(item_id=move.item_id, quantity=Decimal(quantity), kind=move.kind,
                      from_location_id=move.to_location_id, from_owner_id=move.to_owner_id,
                      to_location_id=move.from_location_id, to_owner_id=move.from_owner_id,
                      reverses_move_id=move.id).model_copy(update=changes)
    return service.post_moves(session, PostingCreate(moves=[line]), actor=None, document=document(kind))


def store_layers(session, world):
    return [(layer.quantity_left, layer.received_at.date()) for layer in session.scalars(
        select(ReceiptLayer).where(ReceiptLayer.item_id == world["item"].id,
                                   ReceiptLayer.location_id == world["store"].id).order_by(ReceiptLayer.id))]


def on_hand(session, world, place="store", owner="supplier"):
    return queries.on_hand(session, item_id=world["item"].id, location_id=world[place].id, owner_id=world[owner].id)


def test_a_full_reversal_puts_the_stock_back_into_the_layers_it_came_from(session, consumed):
    monday, tuesday = [at for _, at in store_layers(session, consumed)]

    # when production returns all 14 units
    (back,) = reverse(session, consumed, 14).moves

    # then the supplier owns them again at the store, in Monday's and Tuesday's layers, none dated today
    assert back.reverses_move_id == consumed["move"].id
    assert on_hand(session, consumed) == Decimal(20)
    assert on_hand(session, consumed, "line", "buyer") == Decimal(0)
    assert store_layers(session, consumed) == [(Decimal(10), monday), (Decimal(10), tuesday)]


def test_a_partial_reversal_gives_back_the_latest_part_first(session, consumed):
    monday, tuesday = [at for _, at in store_layers(session, consumed)]

    reverse(session, consumed, 5)

    assert store_layers(session, consumed) == [(Decimal(1), monday), (Decimal(10), tuesday)]
    draws = session.scalars(select(LayerDraw.quantity).join(ReceiptLayer, ReceiptLayer.id == LayerDraw.layer_id)
                            .where(ReceiptLayer.item_id == consumed["item"].id).order_by(LayerDraw.id)).all()
    assert draws == [Decimal(10), Decimal(4), Decimal(-1), Decimal(-4)]  # Monday's, Tuesday's; then back


def test_reversals_never_take_back_more_than_was_moved(session, consumed):
    reverse(session, consumed, 9)
    session.commit()

    with pytest.raises(InvalidInput) as refused:
        reverse(session, consumed, 6)
    session.rollback()

    assert "only 5 of move" in refused.value.errors[0].message
    assert on_hand(session, consumed) == Decimal(15)
    reverse(session, consumed, 5)
    assert on_hand(session, consumed) == Decimal(20)


def test_a_reversal_must_take_the_same_way_back(session, consumed):
    other_store = make_location(session, kind="vmi")

    with pytest.raises(InvalidInput) as refused:
        reverse(session, consumed, 1, to_location_id=other_store.id)
    session.rollback()

    assert refused.value.errors[0].field == "moves[0].reverses_move_id"


def test_a_reversal_cannot_itself_be_reversed(session, consumed):
    (back,) = reverse(session, consumed, 2).moves
    again = MoveCreate(item_id=back.item_id, quantity=Decimal(1), kind=back.kind, reverses_move_id=back.id,
                       from_location_id=back.to_location_id, from_owner_id=back.to_owner_id,
                       to_location_id=back.from_location_id, to_owner_id=back.from_owner_id)

    with pytest.raises(InvalidInput, match="itself a reversal"):
        service.post_moves(session, PostingCreate(moves=[again]), actor=None,
                           document=document(DocumentKind.CONSUMPTION))
    session.rollback()


def test_undoing_a_consumption_is_settlement_business_too(session, consumed):
    # the stock goes back to the supplier: only a consumption document may do that, never a manual posting
    with pytest.raises(InvalidInput) as refused:
        reverse(session, consumed, 1, kind=DocumentKind.MANUAL)
    session.rollback()

    assert refused.value.errors[0].field == "moves[0].reverses_move_id"
    assert "only through a consumption or a buyout" in refused.value.errors[0].message


def test_a_reversed_transfer_leaves_the_warehouse_and_refills_the_store_layers(session):
    supplier, item = make_party(session), make_item(session)
    store, warehouse = make_location(session, kind="vmi"), make_location(session, kind="warehouse")
    receive(session, item=item, location=store, owner=supplier, quantity=6)
    (moved,) = service.post_moves(session, PostingCreate(moves=[MoveCreate(
        item_id=item.id, quantity=Decimal(6), from_location_id=store.id, from_owner_id=supplier.id,
        to_location_id=warehouse.id, to_owner_id=supplier.id, kind="transfer")]), actor=None).moves

    service.post_moves(session, PostingCreate(moves=[MoveCreate(
        item_id=item.id, quantity=Decimal(6), from_location_id=warehouse.id, from_owner_id=supplier.id,
        to_location_id=store.id, to_owner_id=supplier.id, kind="transfer", reverses_move_id=moved.id)]), actor=None)

    layers = session.scalars(select(ReceiptLayer).where(ReceiptLayer.item_id == item.id)
                             .order_by(ReceiptLayer.id)).all()
    assert [(layer.location_id, layer.quantity_left) for layer in layers] == [
        (store.id, Decimal(6)), (warehouse.id, Decimal(0))]
