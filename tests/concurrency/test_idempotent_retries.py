"""Retries of one request with the same Idempotency-Key post it exactly once, even when they race."""
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openvmi.db import create_db_engine, create_session_factory
from openvmi.ledger.models import Posting, StockMove
from tests.concurrency.consignment import CONSUMPTION, assert_ledger_adds_up, post, stock_a_consignment

THREADS = 8


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_eight_simultaneous_retries_post_once_and_all_get_the_same_posting(fresh_database):
    engine = create_db_engine(fresh_database)
    factory = create_session_factory(engine)
    stock = stock_a_consignment(factory, Decimal(50))
    posting = stock.consumption(Decimal(7))
    start = threading.Barrier(THREADS)

    def client_retry(_: int):
        start.wait()
        return post(factory, posting, idempotency_key="MES-batch-0042", document=CONSUMPTION)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(client_retry, range(THREADS)))

    assert len({r.posting_id for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    assert len({tuple(m.id for m in r.moves) for r in results}) == 1
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Posting)
                              .where(Posting.idempotency_key == "MES-batch-0042")) == 1
        assert session.scalar(select(func.count()).select_from(StockMove)
                              .where(StockMove.posting_id == results[0].posting_id)) == 1
        assert stock.on_hand(session) == Decimal(43)
    assert_ledger_adds_up(factory)
    engine.dispose()


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_a_sequential_retry_after_commit_posts_nothing_more(fresh_database):
    engine = create_db_engine(fresh_database)
    factory = create_session_factory(engine)
    stock = stock_a_consignment(factory, Decimal(50))

    first = post(factory, stock.consumption(Decimal(5)), idempotency_key="k-seq", document=CONSUMPTION)
    again = post(factory, stock.consumption(Decimal(5)), idempotency_key="k-seq", document=CONSUMPTION)

    assert (again.replayed, again.posting_id) == (True, first.posting_id)
    assert [m.model_dump() for m in again.moves] == [m.model_dump() for m in first.moves]
    with factory() as session:
        assert stock.on_hand(session) == Decimal(45)
    engine.dispose()
