"""Log-in throttling as pure rules: how long an address waits, and what counts as one address."""
from datetime import UTC, datetime, timedelta

import pytest

from openvmi.auth.rules import AddressRecord, LoginPolicy, client_key, paused_until

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
POLICY = LoginPolicy(max_failures=5, delay=timedelta(minutes=1), max_delay=timedelta(hours=1),
                     account_max_failures=20, failure_window=timedelta(days=1), known_address_for=timedelta(days=90))


def failed(failures: int, *, ago: timedelta = timedelta(0), **fields) -> AddressRecord:
    return AddressRecord(failures=failures, last_failure_at=NOW - ago, **fields)


@pytest.mark.parametrize(("failures", "wait"), [
    (4, None), (5, timedelta(minutes=1)), (6, timedelta(minutes=2)), (7, timedelta(minutes=4)),
    (11, timedelta(hours=1)), (500, timedelta(hours=1)),
])
def test_an_address_waits_after_its_free_failures_and_the_wait_doubles_up_to_the_cap(failures, wait):
    until = paused_until(failed(failures), 0, now=NOW, policy=POLICY)

    assert until == (NOW + wait if wait else None)


def test_the_wait_runs_from_the_last_failure_and_ends():
    assert paused_until(failed(5, ago=timedelta(seconds=59)), 0, now=NOW, policy=POLICY) == NOW + timedelta(seconds=1)
    assert paused_until(failed(5, ago=timedelta(seconds=60)), 0, now=NOW, policy=POLICY) is None


def test_failures_older_than_the_window_are_forgotten():
    assert paused_until(failed(50, ago=timedelta(days=1)), 0, now=NOW, policy=POLICY) is None


def test_under_attack_from_many_addresses_a_new_address_gets_one_try_but_its_first_is_never_refused():
    assert paused_until(AddressRecord(), 10_000, now=NOW, policy=POLICY) is None
    assert paused_until(failed(1), 20, now=NOW, policy=POLICY) == NOW + timedelta(minutes=1)
    assert paused_until(failed(1), 19, now=NOW, policy=POLICY) is None


def test_an_address_that_logged_in_lately_keeps_its_full_allowance_during_an_attack():
    known = failed(4, last_success_at=NOW - timedelta(days=89))
    forgotten = failed(4, last_success_at=NOW - timedelta(days=90))

    assert paused_until(known, 10_000, now=NOW, policy=POLICY) is None
    assert paused_until(forgotten, 10_000, now=NOW, policy=POLICY) is not None


@pytest.mark.parametrize(("host", "key"), [
    ("127.0.0.1", "127.0.0.1"),
    ("::ffff:127.0.0.1", "127.0.0.1"),  # an IPv4 client on a dual-stack socket
    ("::1", "::/64"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),  # one subscriber's /64 counts as one address
    ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
    ("testclient", "testclient"),
    (None, "unknown"),
])
def test_which_client_addresses_count_as_one(host, key):
    assert client_key(host) == key
