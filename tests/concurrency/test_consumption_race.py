"""Production lines consuming the same consignment stock at once never oversell and lose no update."""
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from openvmi.db import create_db_engine, create_session_factory
from openvmi.errors import InsufficientStock
from tests.concurrency.consignment import assert_ledger_adds_up, post, stock_a_consignment

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
                post(factory, stock.consumption(quantity))
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
