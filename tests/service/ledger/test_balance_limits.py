"""A balance holds at most what both databases keep exactly (limits.MAX_QUANTITY, either way): a
posting that would take one past it is refused naming the line, whichever path posts it."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from openvmi.errors import InvalidInput
from openvmi.ledger import fast_path
from openvmi.ledger.models import StockBalance
from openvmi.limits import MAX_QUANTITY
from tests.builders import make_item, make_location, make_party, receive


def test_a_receipt_past_the_limit_is_refused_on_either_path(session, backend, monkeypatch):
    # given a store holding the most a balance holds, received from a virtual origin
    item, supplier = make_item(session), make_party(session)
    store, origin = make_location(session), make_location(session, kind="virtual")
    receive(session, item=item, location=store, owner=supplier, quantity=MAX_QUANTITY, origin=origin)
    called = []
    post_one_move = fast_path.post_one_move
    monkeypatch.setattr(fast_path, "post_one_move", lambda *a, **k: called.append(1) or post_one_move(*a, **k))

    # when one more millionth arrives (on PostgreSQL the balances are known now: the function posts it)
    attempt = session.begin_nested()
    with pytest.raises(InvalidInput) as refused:
        receive(session, item=item, location=store, owner=supplier, quantity=Decimal("0.000001"), origin=origin)
    attempt.rollback()  # as the entrypoint does after any refusal

    # then both ends are named, and the store still holds the limit
    assert [e.field for e in refused.value.errors] == ["moves[0].quantity", "moves[0].quantity"]
    assert called == ([1] if backend == "postgres" else [])
    assert store_balance(session, item, store, supplier) == MAX_QUANTITY


def test_a_balance_may_reach_the_limit_exactly(session):
    item, supplier, store = make_item(session), make_party(session), make_location(session)

    receive(session, item=item, location=store, owner=supplier, quantity=MAX_QUANTITY - 1)
    receive(session, item=item, location=store, owner=supplier, quantity=1)

    assert store_balance(session, item, store, supplier) == MAX_QUANTITY


def store_balance(session, item, store, owner) -> Decimal:
    session.expire_all()
    return session.scalar(select(StockBalance.on_hand).where(
        StockBalance.item_id == item.id, StockBalance.location_id == store.id, StockBalance.owner_id == owner.id))
