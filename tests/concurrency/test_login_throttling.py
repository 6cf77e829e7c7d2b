"""Guessing passwords in parallel does not buy more guesses than the lockout allows."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from openvmi.auth import service
from openvmi.db import create_db_engine, create_session_factory
from openvmi.errors import NotAuthenticated
from tests.builders import make_user

THREADS = 8
MAX_FAILURES = 5


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_parallel_wrong_passwords_still_lock_the_account(fresh_database):
    engine = create_db_engine(fresh_database)
    factory = create_session_factory(engine)
    with factory() as session:
        username = make_user(session).username
        session.commit()
    start = threading.Barrier(THREADS)

    def guess(_: int) -> None:
        with factory() as session:
            start.wait()
            with pytest.raises(NotAuthenticated):
                service.authenticate(session, username, "wrong-guess", max_failures=MAX_FAILURES,
                                     lockout=timedelta(minutes=5))
            session.commit()  # as the log-in route does: the failure count is what throttles

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(guess, range(THREADS)))

    # eight wrong guesses against a limit of five: the right password is now refused too
    with factory() as session, pytest.raises(NotAuthenticated, match="too many"):
        service.authenticate(session, username, "correct-horse-1", max_failures=MAX_FAILURES,
                             lockout=timedelta(minutes=5))
    engine.dispose()
