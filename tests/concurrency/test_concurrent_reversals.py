"""Production returning the same consumed stock from several terminals at once never returns more
than was consumed: reversals of one move queue on its balances' locks."""
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from openvmi.db import create_db_engine, create_session_factory
from openvmi.errors import InvalidInput
from openvmi.ledger.schemas import MoveCreate, PostingCreate
from tests.concurrency.consignment import CONSUMPTION, assert_ledger_adds_up, post, stock_a_consignment

THREADS = 6


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_simultaneous_returns_of_one_consumption_never_exceed_it(fresh_database):
    engine = create_db_engine(fresh_database)
    factory = create_session_factory(engine)
    # given 10 units consumed from 20 on consignment
    stock = stock_a_consignment(factory, Decimal(20))
    (consumed,) = post(factory, stock.consumption(Decimal(10)), document=CONSUMPTION).moves
    back = PostingCreate(moves=[MoveCreate(
        item_id=consumed.item_id, quantity=Decimal(3), kind="consumption", reverses_move_id=consumed.id,
        from_location_id=consumed.to_location_id, from_owner_id=consumed.to_owner_id,
        to_location_id=consumed.from_location_id, to_owner_id=consumed.from_owner_id)])
    start = threading.Barrier(THREADS)

    def terminal(_: int) -> str:
        start.wait()
        try:
            post(factory, back, document=CONSUMPTION)
        except InvalidInput as refused:
            return refused.errors[0].message
        return "returned"

    # when six terminals each return 3 of them at the same time
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = sorted(pool.map(terminal, range(THREADS)))

    # then three returns go through, the others are told only 1 is left, and the store holds 19
    assert outcomes.count("returned") == 3
    assert all("only 1 of move" in outcome for outcome in outcomes if outcome != "returned")
    with factory() as session:
        assert stock.on_hand(session) == Decimal(19)
    assert_ledger_adds_up(factory)
    engine.dispose()
