"""The ledger's one use case: post moves, refuse shortfalls, honour idempotency keys."""
from decimal import Decimal

import pytest

from openvmi.errors import IdempotencyMismatch, InsufficientStock, InvalidInput
from openvmi.ledger import queries, service
from openvmi.ledger.rules import DocumentKind
from openvmi.ledger.schemas import DocumentRef, MoveCreate, PostingCreate
from tests.builders import consume, document, make_buyer, make_item, make_location, make_party, receive

SCAN = DocumentRef(kind=DocumentKind.CONSUMPTION, id=42)  # the one document a retried request is for


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
                        to_location_id=line.id, to_owner_id=make_buyer(session).id, kind="consumption")
             for i in (bolt, nut)]
    with pytest.raises(InsufficientStock) as raised:
        service.post_moves(session, PostingCreate(moves=moves), actor=None,
                           document=document(DocumentKind.CONSUMPTION))

    assert [(s.item_code, s.requested, s.available) for s in raised.value.shortfalls] == [
        ("BOLT-T1", Decimal(5), Decimal(3)), ("NUT-T1", Decimal(5), Decimal(1))]
    session.rollback()


def test_a_retry_with_the_same_key_returns_the_first_posting_and_moves_nothing_twice(session):
    supplier, item = make_party(session), make_item(session)
    store, line = make_location(session, kind="vmi"), make_location(session, kind="production")
    receive(session, item=item, location=store, owner=supplier, quantity=10)

    first = consume(session, item=item, location=store, owner=supplier, quantity=4, sink=line, idempotency_key="k-1", consumption=SCAN)
    again = consume(session, item=item, location=store, owner=supplier, quantity=4, sink=line, idempotency_key="k-1", consumption=SCAN)

    assert again.replayed and again.posting_id == first.posting_id
    assert [m.id for m in again.moves] == [m.id for m in first.moves]
    assert queries.on_hand(session, item_id=item.id, location_id=store.id, owner_id=supplier.id) == Decimal(6)


def test_a_key_reused_for_a_different_request_is_refused(session):
    supplier, item = make_party(session), make_item(session)
    store, line = make_location(session, kind="vmi"), make_location(session, kind="production")
    receive(session, item=item, location=store, owner=supplier, quantity=10)
    consume(session, item=item, location=store, owner=supplier, quantity=4, sink=line, idempotency_key="k-2", consumption=SCAN)

    with pytest.raises(IdempotencyMismatch):
        consume(session, item=item, location=store, owner=supplier, quantity=5, sink=line, idempotency_key="k-2", consumption=SCAN)


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


def move(item, quantity, source, target, *, owner, to_owner=None, kind="transfer"):
    return MoveCreate(item_id=item.id, quantity=Decimal(quantity), from_location_id=source.id,
                      from_owner_id=owner.id, to_location_id=target.id,
                      to_owner_id=(to_owner or owner).id, kind=kind)


def layers_at(session, *, item, location, owner):
    from sqlalchemy import select

    from openvmi.ledger.models import ReceiptLayer

    return [(layer.quantity_left, layer.received_at) for layer in session.scalars(
        select(ReceiptLayer).where(ReceiptLayer.item_id == item.id, ReceiptLayer.location_id == location.id,
                                   ReceiptLayer.owner_id == owner.id, ReceiptLayer.quantity_left > 0)
        .order_by(ReceiptLayer.received_at, ReceiptLayer.id))]


def test_a_multi_line_posting_journals_every_line_under_one_posting(session):
    # given a supplier delivering two items into its consignment store
    supplier, store, origin = make_party(session), make_location(session), make_location(session, kind="virtual")
    bolt, nut = make_item(session), make_item(session)

    # when one posting carries both lines
    result = service.post_moves(session, PostingCreate(moves=[
        move(bolt, 10, origin, store, owner=supplier, kind="receipt"),
        move(nut, "2.5", origin, store, owner=supplier, kind="receipt")]), actor=None)

    # then both lines share the posting and both balances moved
    assert len(result.moves) == 2 and {m.posting_id for m in result.moves} == {result.posting_id}
    assert queries.on_hand(session, item_id=bolt.id, location_id=store.id, owner_id=supplier.id) == Decimal(10)
    assert queries.on_hand(session, item_id=nut.id, location_id=store.id, owner_id=supplier.id) == Decimal("2.5")
    assert queries.on_hand(session, item_id=nut.id, location_id=origin.id, owner_id=supplier.id) == Decimal("-2.5")


def test_ownership_passes_from_supplier_to_buyer_in_one_move_keeping_the_receipt_date(session):
    supplier, buyer = make_party(session), make_buyer(session)
    item, store = make_item(session), make_location(session, kind="vmi")
    receive(session, item=item, location=store, owner=supplier, quantity=10)
    (received_at,) = [at for _, at in layers_at(session, item=item, location=store, owner=supplier)]

    # when the buyer takes over 4 units where they lie (a buyout)
    result = service.post_moves(session, PostingCreate(moves=[
        move(item, 4, store, store, owner=supplier, to_owner=buyer, kind="buyout")]), actor=None,
        document=document(DocumentKind.BUYOUT))

    # then exactly one journal row records the transfer, and both owners' balances follow it
    (transfer,) = result.moves
    assert (transfer.from_owner_id, transfer.to_owner_id) == (supplier.id, buyer.id)
    assert transfer.from_location_id == transfer.to_location_id == store.id
    assert queries.on_hand(session, item_id=item.id, location_id=store.id, owner_id=supplier.id) == Decimal(6)
    assert queries.on_hand(session, item_id=item.id, location_id=store.id, owner_id=buyer.id) == Decimal(4)
    assert layers_at(session, item=item, location=store, owner=buyer) == [(Decimal(4), received_at)]


def test_a_virtual_place_goes_negative_by_what_it_handed_out(session):
    supplier, item = make_party(session), make_item(session)
    found, origin = make_location(session, kind="virtual"), make_location(session, kind="virtual")
    store = make_location(session, kind="warehouse")

    service.post_moves(session, PostingCreate(moves=[
        move(item, 3, found, store, owner=supplier, kind="adjustment"),
        move(item, 2, origin, store, owner=supplier, kind="receipt")]), actor=None)

    assert queries.on_hand(session, item_id=item.id, location_id=found.id, owner_id=supplier.id) == Decimal(-3)
    assert queries.on_hand(session, item_id=item.id, location_id=origin.id, owner_id=supplier.id) == Decimal(-2)
    assert queries.on_hand(session, item_id=item.id, location_id=store.id, owner_id=supplier.id) == Decimal(5)


@pytest.mark.parametrize("field", ["item_id", "from_location_id", "to_location_id", "from_owner_id", "to_owner_id"])
def test_an_unknown_reference_is_refused_naming_the_field(session, field):
    supplier, item = make_party(session), make_item(session)
    origin, store = make_location(session, kind="virtual"), make_location(session)
    good = move(item, 1, origin, store, owner=supplier, kind="receipt")
    bad = good.model_copy(update={field: 999_999_999})

    with pytest.raises(InvalidInput) as raised:
        service.post_moves(session, PostingCreate(moves=[good, bad]), actor=None)

    assert [e.field for e in raised.value.errors] == [f"moves[1].{field}"]
    assert "999999999" in raised.value.errors[0].message
    session.rollback()
    assert queries.on_hand(session, item_id=item.id, location_id=store.id, owner_id=supplier.id) == Decimal(0)


def test_a_transfer_between_physical_places_keeps_the_age_of_each_layer(session):
    # given two receipts at different times into the consignment store
    supplier, item = make_party(session), make_item(session)
    store, warehouse = make_location(session, kind="vmi"), make_location(session, kind="warehouse")
    receive(session, item=item, location=store, owner=supplier, quantity=5)
    receive(session, item=item, location=store, owner=supplier, quantity=5)
    first_at, second_at = [at for _, at in layers_at(session, item=item, location=store, owner=supplier)]

    # when 7 units move to the warehouse
    service.post_moves(session, PostingCreate(moves=[move(item, 7, store, warehouse, owner=supplier)]), actor=None)

    # then the warehouse holds them with their original receipt dates, oldest first
    assert layers_at(session, item=item, location=warehouse, owner=supplier) == [
        (Decimal(5), first_at), (Decimal(2), second_at)]
    assert layers_at(session, item=item, location=store, owner=supplier) == [(Decimal(3), second_at)]


def test_a_short_line_refuses_the_whole_posting(session):
    supplier, item, other = make_party(session), make_item(session), make_item(session)
    store, line = make_location(session), make_location(session, kind="production")
    receive(session, item=item, location=store, owner=supplier, quantity=5)
    receive(session, item=other, location=store, owner=supplier, quantity=1)
    session.commit()  # releases the test's savepoint; the outer transaction still rolls back

    buyer = make_buyer(session)
    with pytest.raises(InsufficientStock) as raised:
        service.post_moves(session, PostingCreate(moves=[
            move(item, 5, store, line, owner=supplier, to_owner=buyer, kind="consumption"),
            move(other, 2, store, line, owner=supplier, to_owner=buyer, kind="consumption")]), actor=None,
            document=document(DocumentKind.CONSUMPTION))
    session.rollback()

    assert [s.available for s in raised.value.shortfalls] == [Decimal(1)]
    assert queries.on_hand(session, item_id=item.id, location_id=store.id, owner_id=supplier.id) == Decimal(5)


def test_stock_passed_on_within_one_posting_before_it_arrives_is_short(session):
    # Lines apply in order: a place cannot hand on stock that a later line only brings in.
    supplier, item = make_party(session), make_item(session)
    origin, dock, store = make_location(session, kind="virtual"), make_location(session), make_location(session)

    with pytest.raises(InsufficientStock):
        service.post_moves(session, PostingCreate(moves=[
            move(item, 5, dock, store, owner=supplier),
            move(item, 5, origin, dock, owner=supplier, kind="receipt")]), actor=None)
    session.rollback()


def test_stock_received_and_passed_on_within_one_posting_keeps_layers_with_the_stock(session):
    supplier, item = make_party(session), make_item(session)
    origin, dock, store = make_location(session, kind="virtual"), make_location(session), make_location(session)

    service.post_moves(session, PostingCreate(moves=[
        move(item, 5, origin, dock, owner=supplier, kind="receipt"),
        move(item, 5, dock, store, owner=supplier)]), actor=None)

    assert layers_at(session, item=item, location=dock, owner=supplier) == []
    assert sum(q for q, _ in layers_at(session, item=item, location=store, owner=supplier)) == Decimal(5)


def test_a_move_that_changes_nothing_is_invalid_input():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="must change the location or the owner"):
        MoveCreate(item_id=1, quantity=Decimal(1), from_location_id=2, from_owner_id=3, to_location_id=2,
                   to_owner_id=3, kind="transfer")
    with pytest.raises(ValidationError):
        MoveCreate(item_id=1, quantity=Decimal(0), from_location_id=2, from_owner_id=3, to_location_id=4,
                   to_owner_id=3, kind="transfer")
