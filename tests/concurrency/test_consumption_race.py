"""Production lines consuming the same consignment stock at once never oversell and lose no update."""
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from openvmi.db import create_db_engine, create_session_factory
from openvmi.errors import InsufficientStock
from tests.concurrency.consignment import CONSUMPTION, assert_ledger_adds_up, post, stock_a_consignment

THREADS = 8
ROUNDS = 6
INITIAL = Decimal(100)


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_eight_lines_consuming_the_same_stock_never_oversell(fresh_database):
    engine = create_db_engine(fresh_database)
    factory = create_session_factory(engine)
    # given 100 units on consignment
    stock = stock_a_consignment(factory, INITIAL)
    start = threading.Barrier(THREADS)

    def production_line(line: int) -> list[Decimal]:
        consumed = []
        start.wait()
        for round_ in range(ROUNDS):
            quantity = Decimal(1 + (line + round_) % 4)  # 1..4 units; 8 x 6 x 2.5 = 120 wanted
            try:
                post(factory, stock.consumption(quantity), document=CONSUMPTION)
            except InsufficientStock:  # the only acceptable refusal: no deadlock, no lock timeout
                continue
            consumed.append(quantity)
        return consumed

    # when eight lines consume from it at the same time
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        consumed = [q for outcome in pool.map(production_line, range(THREADS)) for q in outcome]

    # then nothing was oversold, every success is in the balance, and the ledger adds up
    with factory() as session:
        left = stock.on_hand(session)
    assert sum(consumed) <= INITIAL
    assert left == INITIAL - sum(consumed)
    assert left < 4  # demand exceeded supply, so the stock was drawn down to a remainder no line could take
    assert_ledger_adds_up(factory)
    engine.dispose()


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_transfers_crossing_in_opposite_directions_do_not_deadlock(fresh_database):
    from openvmi.ledger import queries
    from openvmi.ledger.schemas import MoveCreate, PostingCreate
    from tests.builders import make_item, make_location, make_party, receive

    engine = create_db_engine(fresh_database)
    factory = create_session_factory(engine)
    with factory() as session:
        supplier, item = make_party(session), make_item(session)
        north, south = make_location(session, kind="warehouse"), make_location(session, kind="warehouse")
        for store in (north, south):
            receive(session, item=item, location=store, owner=supplier, quantity=50)
        session.commit()
        ids = (item.id, north.id, south.id, supplier.id)
    item_id, north_id, south_id, owner_id = ids

    def line(source: int, target: int) -> MoveCreate:
        return MoveCreate(item_id=item_id, quantity=Decimal(1), from_location_id=source, from_owner_id=owner_id,
                          to_location_id=target, to_owner_id=owner_id, kind="transfer")

    start = threading.Barrier(THREADS)

    def shuttle(worker: int) -> int:
        # even workers list north first, odd ones south first: lock order must not follow line order
        lines = [line(north_id, south_id), line(south_id, north_id)]
        posting = PostingCreate(moves=lines if worker % 2 == 0 else lines[::-1])
        start.wait()
        for _ in range(ROUNDS):
            post(factory, posting)
        return ROUNDS

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        assert sum(pool.map(shuttle, range(THREADS))) == THREADS * ROUNDS

    with factory() as session:
        for store_id in (north_id, south_id):
            assert queries.on_hand(session, item_id=item_id, location_id=store_id, owner_id=owner_id) == Decimal(50)
    assert_ledger_adds_up(factory)
    engine.dispose()
