"""post_moves skips the references query once a posting's balances are known to exist; the
answers must stay the same, including when a remembered balance was rolled back."""
from decimal import Decimal
from types import SimpleNamespace

import pytest

from openvmi.errors import IdempotencyMismatch, InvalidInput
from openvmi.ledger import queries
from openvmi.ledger.rules import DocumentKind
from openvmi.ledger.schemas import DocumentRef
from tests.builders import consume, make_item, make_location, make_party, receive

SCAN = DocumentRef(kind=DocumentKind.CONSUMPTION, id=42)  # the one document a retried request is for


def test_a_retry_of_a_posting_whose_balances_are_known_returns_the_first_posting(session):
    supplier, item = make_party(session), make_item(session)
    store, line = make_location(session, kind="vmi"), make_location(session, kind="production")
    receive(session, item=item, location=store, owner=supplier, quantity=10)
    consume(session, item=item, location=store, owner=supplier, quantity=1, sink=line)
    consume(session, item=item, location=store, owner=supplier, quantity=1, sink=line)  # both balances known now

    first = consume(session, item=item, location=store, owner=supplier, quantity=3, sink=line, idempotency_key="kb-1", consumption=SCAN)
    again = consume(session, item=item, location=store, owner=supplier, quantity=3, sink=line, idempotency_key="kb-1", consumption=SCAN)

    assert again.replayed and again.posting_id == first.posting_id
    assert [m.id for m in again.moves] == [m.id for m in first.moves]
    assert queries.on_hand(session, item_id=item.id, location_id=store.id, owner_id=supplier.id) == Decimal(5)
    with pytest.raises(IdempotencyMismatch):
        consume(session, item=item, location=store, owner=supplier, quantity=4, sink=line, idempotency_key="kb-1", consumption=SCAN)


def test_a_posting_still_succeeds_after_its_known_balances_were_rolled_back(session):
    supplier, item = make_party(session), make_item(session)
    store, line = make_location(session, kind="vmi"), make_location(session, kind="production")
    session.commit()  # the master data stays; the postings below are rolled back
    receive(session, item=item, location=store, owner=supplier, quantity=10)
    consume(session, item=item, location=store, owner=supplier, quantity=1, sink=line)
    consume(session, item=item, location=store, owner=supplier, quantity=1, sink=line)
    session.rollback()

    receive(session, item=item, location=store, owner=supplier, quantity=7)
    consume(session, item=item, location=store, owner=supplier, quantity=2, sink=line)

    assert queries.on_hand(session, item_id=item.id, location_id=store.id, owner_id=supplier.id) == Decimal(5)


def test_an_item_rolled_back_with_its_known_balances_is_still_refused_as_unknown(session):
    supplier, store = make_party(session), make_location(session, kind="vmi")
    line = make_location(session, kind="production")
    session.commit()
    item = make_item(session)
    receive(session, item=item, location=store, owner=supplier, quantity=10)
    consume(session, item=item, location=store, owner=supplier, quantity=1, sink=line)
    consume(session, item=item, location=store, owner=supplier, quantity=1, sink=line)
    gone = SimpleNamespace(id=item.id)
    session.rollback()  # the item and its balances are gone

    with pytest.raises(InvalidInput) as raised:
        consume(session, item=gone, location=store, owner=supplier, quantity=1, sink=line)

    assert [error.field for error in raised.value.errors] == ["moves[0].item_id"]
    session.rollback()
