"""Guessing passwords in parallel does not buy more guesses than the throttle allows, and does not
keep the user out from another address."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from openvmi.db import create_db_engine, create_session_factory
from openvmi.errors import NotAuthenticated
from tests.builders import LOGIN_POLICY, log_in, make_user

THREADS = 8
GUESSER = "127.0.0.66"


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_parallel_wrong_passwords_pause_their_address_but_not_the_users(fresh_database):
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
                log_in(session, username, "wrong-guess", address=GUESSER)
            session.commit()  # as the log-in routes do: the failure count is what throttles

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(guess, range(THREADS)))

    # eight wrong guesses at once against an allowance of three: the right password is refused too ...
    assert THREADS > LOGIN_POLICY.max_failures
    with factory() as session, pytest.raises(NotAuthenticated):
        log_in(session, username, address=GUESSER)
    # ... from that address only
    with factory() as session:
        assert log_in(session, username, address="127.0.0.1").username == username
    engine.dispose()
