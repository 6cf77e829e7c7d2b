"""On PostgreSQL a single-move posting takes ledger_post_one_move (one round trip); it must
write exactly what the Python path writes, and leave every other case to that path."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openvmi.errors import IdempotencyMismatch, InsufficientStock
from openvmi.ledger import service
from openvmi.ledger.models import Posting, ReceiptLayer, StockBalance, StockMove
from openvmi.ledger.schemas import MoveCreate, PostingCreate
from tests.builders import make_buyer, make_item, make_location, make_party, make_user


# The function exists on PostgreSQL only (SQLite always takes the Python path, which every other
# ledger test covers), so this module runs on PostgreSQL alone instead of skipping on SQLite.
pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


@pytest.fixture
def postgresql_only(session):
    assert session.get_bind().dialect.name == "postgresql"


def _scenario(session, function_calls: list[bool]) -> tuple[list[str], list[tuple]]:
    """Receipts, transfers between physical locations, an ownership transfer and consumption, each
    first onto new balances (the Python path creates them) and then again onto existing ones.
    Returns which path each posting took and the written rows, with ids replaced by roles."""
    supplier, buyer, item, actor = make_party(session), make_buyer(session), make_item(session), make_user(session)
    places = {"origin": make_location(session, kind="virtual"), "store": make_location(session, kind="vmi"),
              "warehouse": make_location(session, kind="warehouse"), "line": make_location(session, kind="production")}
    owners = {"supplier": supplier, "buyer": buyer}
    taken = []

    def post(quantity, kind, source, target, key=None):
        (from_place, from_owner), (to_place, to_owner) = source, target
        move = MoveCreate(item_id=item.id, quantity=Decimal(quantity), kind=kind, reference=f"DOC-{kind}-{quantity}",
                          from_location_id=places[from_place].id, from_owner_id=owners[from_owner].id,
                          to_location_id=places[to_place].id, to_owner_id=owners[to_owner].id)
        result = service.post_moves(session, PostingCreate(moves=[move]), actor_id=actor.id, idempotency_key=key)
        taken.append(f"{kind} {quantity}: {'function' if function_calls[-1:] == [True] else 'python'}")
        function_calls.clear()
        return result

    for quantity in (10, 5):
        post(quantity, "receipt", ("origin", "supplier"), ("store", "supplier"))
    for quantity in (1, 11):  # the second drains the older layer and part of the newer one
        post(quantity, "transfer", ("store", "supplier"), ("warehouse", "supplier"))
    for quantity in (1, 3):
        post(quantity, "buyout", ("warehouse", "supplier"), ("warehouse", "buyer"))
    for quantity in (1, 2):
        post(quantity, "consumption", ("store", "supplier"), ("line", "buyer"), key=f"{actor.username}-{quantity}")
    replay = post(2, "consumption", ("store", "supplier"), ("line", "buyer"), key=f"{actor.username}-2")
    assert replay.replayed
    with pytest.raises(IdempotencyMismatch):
        post(3, "consumption", ("store", "supplier"), ("line", "buyer"), key=f"{actor.username}-2")
    with pytest.raises(InsufficientStock):
        post(100, "consumption", ("store", "supplier"), ("line", "buyer"))
    session.flush()
    return taken, _rows(session, item, places, owners)


def _rows(session, item, places, owners) -> list[tuple]:
    place, owner = {p.id: name for name, p in places.items()}, {o.id: name for name, o in owners.items()}
    moves = session.scalars(select(StockMove).where(StockMove.item_id == item.id).order_by(StockMove.id)).all()
    move_index = {m.id: index for index, m in enumerate(moves)}
    created = {m.created_at: index for index, m in enumerate(moves)}
    postings = {m.posting_id: session.get(Posting, m.posting_id) for m in moves}
    rows = [("move", m.quantity, place[m.from_location_id], owner[m.from_owner_id], place[m.to_location_id],
             owner[m.to_owner_id], m.kind, m.reference, m.created_by_id is not None,
             postings[m.posting_id].idempotency_key is not None, postings[m.posting_id].created_by_id == m.created_by_id)
            for m in moves]
    balances = session.scalars(select(StockBalance).where(StockBalance.item_id == item.id)).all()
    rows += sorted(("balance", place[b.location_id], owner[b.owner_id], b.on_hand, b.is_physical,
                    b.updated_at in created) for b in balances)
    layers = session.scalars(select(ReceiptLayer).where(ReceiptLayer.item_id == item.id).order_by(ReceiptLayer.id)).all()
    rows += [("layer", place[r.location_id], owner[r.owner_id], move_index[r.move_id], r.quantity_received,
              r.quantity_left, created.get(r.received_at)) for r in layers]
    return rows


def test_single_moves_onto_existing_balances_take_the_function_and_write_what_python_writes(
        session, postgresql_only, monkeypatch):
    function, calls = service._post_one_move, []

    def recorded(*args, use_function, **kwargs):
        result = function(*args, **kwargs) if use_function else None
        calls.append(result is not None)
        return result

    monkeypatch.setattr(service, "_post_one_move", lambda *a, **k: recorded(*a, use_function=False, **k))
    python_taken, python_rows = _scenario(session, calls)
    monkeypatch.setattr(service, "_post_one_move", lambda *a, **k: recorded(*a, use_function=True, **k))
    function_taken, function_rows = _scenario(session, calls)

    assert python_taken == [line.replace("function", "python") for line in function_taken]
    assert function_taken == [
        "receipt 10: python", "receipt 5: function", "transfer 1: python", "transfer 11: function",
        "buyout 1: python", "buyout 3: function", "consumption 1: python", "consumption 2: function",
        "consumption 2: python",  # the replay
    ]
    assert function_rows == python_rows
    layers = [row for row in function_rows if row[0] == "layer"]
    # the transfer of 11 took the rest of the first receipt and part of the second, keeping their
    # dates; the buyouts then drained the warehouse oldest first (the layer of 1, then 3 of the 9)
    assert [(r[1], r[2], r[4], r[5], r[6]) for r in layers if r[3] == 3] == [
        ("warehouse", "supplier", Decimal(9), Decimal(6), 0), ("warehouse", "supplier", Decimal(2), Decimal(2), 1)]
    assert [(r[1], r[2], r[4], r[6]) for r in layers if r[3] == 5] == [("warehouse", "buyer", Decimal(3), 0)]


def test_the_function_writes_nothing_when_it_leaves_the_posting_to_python(session, postgresql_only):
    supplier, item = make_party(session), make_item(session)
    origin, store, line, new_line = (make_location(session, kind=kind)
                                     for kind in ("virtual", "vmi", "production", "production"))

    def move(quantity, source, target):
        return MoveCreate(item_id=item.id, quantity=Decimal(quantity), kind="consumption",
                          from_location_id=source.id, from_owner_id=supplier.id,
                          to_location_id=target.id, to_owner_id=supplier.id)

    for quantity, source, target in ((10, origin, store), (4, store, line)):
        service.post_moves(session, PostingCreate(moves=[move(quantity, source, target)]), actor_id=None)
    service.post_moves(session, PostingCreate(moves=[move(1, store, line)]), actor_id=None, idempotency_key="used")
    before = _counts(session)

    for key, quantity, target in (("short", 6, line), ("new-balance", 1, new_line), ("used", 1, line)):
        assert service._post_one_move(session, move(quantity, store, target), actor_id=None,
                                      idempotency_key=key, request_hash="0" * 64) is None
        assert _counts(session) == before

    with pytest.raises(InsufficientStock):  # the Python path reports it, not a replay of a stray row
        service.post_moves(session, PostingCreate(moves=[move(6, store, line)]), actor_id=None, idempotency_key="short")


def _counts(session) -> tuple:
    balances = session.execute(select(StockBalance.id, StockBalance.on_hand).order_by(StockBalance.id)).all()
    return (session.scalar(select(func.count()).select_from(Posting)),
            session.scalar(select(func.count()).select_from(StockMove)),
            session.scalar(select(func.count()).select_from(ReceiptLayer)), balances)
