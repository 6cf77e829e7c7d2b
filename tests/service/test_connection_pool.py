"""A busy server opens no database connection per request: every connection the pool opens stays open
for the next request (opening one costs a PostgreSQL backend, or SQLite's setup and schema read)."""
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import event, text

from openvmi.db import POOL_SIZE, create_db_engine, create_session_factory


def test_connections_given_back_under_load_stay_open_for_the_next_requests(database_url):
    # given an engine as the web app makes it, and a record of each connection it opens
    engine = create_db_engine(database_url)
    reads = create_session_factory(engine, read_only=True)  # a GET's: on SQLite they never queue
    opened = []
    event.listen(engine, "connect", lambda *_: opened.append(1))
    all_busy = threading.Barrier(POOL_SIZE)

    def request(_: int) -> None:
        with reads() as session:
            session.execute(text("SELECT 1"))
            all_busy.wait(timeout=30)  # every connection is in use at once

    # when as many requests as the pool holds run at once, twice over
    with ThreadPoolExecutor(max_workers=POOL_SIZE) as threads:
        list(threads.map(request, range(POOL_SIZE)))
        list(threads.map(request, range(POOL_SIZE)))

    # then the second round reused the first round's connections
    assert len(opened) == POOL_SIZE
    engine.dispose()
