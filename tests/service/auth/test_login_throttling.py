"""Log-in throttling per account and client address: guessing slows down, the real user is never
locked out from elsewhere, and no refusal tells a guesser whether the username exists. The clock
is passed in; nothing sleeps. The policy is tests.builders.LOGIN_POLICY: 3 free failures, then 1,
2, 4 ... minutes; 6 failures on one account put new addresses on one try."""
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from openvmi.auth import security
from openvmi.auth.models import LoginThrottle
from openvmi.auth.rules import LOGIN_REFUSED
from openvmi.db import utcnow
from openvmi.errors import NotAuthenticated
from tests.builders import PASSWORD, log_in, make_user

ATTACKER, USER = "127.0.0.66", "127.0.0.1"


def refused(session, username, password=PASSWORD, **where) -> str:
    with pytest.raises(NotAuthenticated) as refusal:
        log_in(session, username, password, **where)
    return str(refusal.value)


def fail(session, username, times, *, address=ATTACKER, now=None) -> None:
    for _ in range(times):
        refused(session, username, "a-guess", address=address, now=now)


def test_after_three_failures_an_address_waits_a_minute_even_with_the_right_password(session):
    user, now = make_user(session), utcnow()
    fail(session, user.username, 3, now=now)

    refused(session, user.username, address=ATTACKER, now=now + timedelta(seconds=59))

    assert log_in(session, user.username, address=ATTACKER, now=now + timedelta(seconds=60)) is user


def test_fewer_failures_do_not_pause_and_a_success_starts_the_count_again(session):
    user, now = make_user(session), utcnow()
    fail(session, user.username, 2, now=now)
    assert log_in(session, user.username, address=ATTACKER, now=now) is user

    fail(session, user.username, 2, now=now)

    assert log_in(session, user.username, address=ATTACKER, now=now) is user


def test_each_further_failure_doubles_the_wait_and_paused_tries_do_not_count(session):
    user, now = make_user(session), utcnow()
    fail(session, user.username, 3, now=now)
    fail(session, user.username, 5, now=now + timedelta(seconds=30))  # paused: not even checked

    fail(session, user.username, 1, now=now + timedelta(minutes=1))  # the 4th counted failure

    refused(session, user.username, address=ATTACKER, now=now + timedelta(minutes=2, seconds=59))
    assert log_in(session, user.username, address=ATTACKER, now=now + timedelta(minutes=3)) is user


def test_a_guesser_at_one_address_never_keeps_the_user_out_at_another(session):
    user, now = make_user(session), utcnow()
    fail(session, user.username, 30, now=now)  # paused after three, for as long as they keep going

    assert log_in(session, user.username, address=USER, now=now) is user


def test_guessing_from_many_addresses_gives_new_addresses_one_try_but_never_locks_the_user_out(session):
    # given a user who logged in from the office last week
    user, now = make_user(session), utcnow()
    assert log_in(session, user.username, address=USER, now=now - timedelta(days=7)) is user

    # when guesses come from many addresses, two each (below the per-address allowance)
    for n in range(10, 20):
        fail(session, user.username, 2, address=f"127.0.1.{n}", now=now)

    # then an address with one failed guess must now wait ...
    fail(session, user.username, 1, address="127.0.2.1", now=now)
    refused(session, user.username, address="127.0.2.1", now=now)
    # ... but a new address still gets its first try, and the office its usual allowance
    assert log_in(session, user.username, address="127.0.2.2", now=now) is user
    fail(session, user.username, 2, address=USER, now=now)
    assert log_in(session, user.username, address=USER, now=now) is user


def test_failures_older_than_the_window_are_forgotten_and_their_rows_dropped(session):
    user, then = make_user(session), utcnow() - timedelta(days=2)
    for n in range(10, 20):
        fail(session, user.username, 3, address=f"127.0.1.{n}", now=then)

    fail(session, user.username, 1, address="127.0.2.1", now=utcnow())

    assert log_in(session, user.username, address="127.0.1.10") is user
    rows = session.scalar(select(func.count()).select_from(LoginThrottle).where(LoginThrottle.user_id == user.id))
    assert rows == 2  # the new failure and the new success; ten stale addresses are gone


class CountingHasher(PasswordHasher):
    """argon2id at the suite's cheap cost, counting the verifications it does."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verifications = 0

    def verify(self, hash, password):  # noqa: A002 - argon2's parameter name
        self.verifications += 1
        return super().verify(hash, password)


@pytest.fixture
def hasher(monkeypatch) -> CountingHasher:
    counting = CountingHasher()
    monkeypatch.setattr(security, "_hasher", counting)
    return counting


def test_unknown_user_wrong_password_and_paused_address_get_one_answer_for_one_argon2_check(session, hasher):
    user, inactive, now = make_user(session), make_user(session), utcnow()
    inactive.active = False
    fail(session, user.username, 3, now=now)  # ATTACKER is now paused on this account
    answers, costs = [], []

    for username, address in (("nobody-by-this-name", ATTACKER), (user.username, USER), (user.username, ATTACKER),
                              (inactive.username, USER)):
        hasher.verifications = 0
        password = PASSWORD if address == ATTACKER or username == inactive.username else "a-guess"
        answers.append(refused(session, username, password, address=address, now=now))
        costs.append(hasher.verifications)

    # unknown user, wrong password, right password from a paused address, deactivated user
    assert answers == [LOGIN_REFUSED] * 4
    assert costs == [1, 1, 1, 1]
