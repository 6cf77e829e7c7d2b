"""Pure rules of log-in throttling: how long one client address must wait before it may try a
password on one account again. Failures from some addresses never stop another address's first try."""
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from openvmi.enums import N_

# One answer for an unknown user, a wrong password and a paused address, so that nobody learns
# which usernames exist or which accounts are under attack.
LOGIN_REFUSED = N_("wrong username or password, or too many attempts; try again later")
# A signed-in user confirming a password change may be told which it is.
NOT_THE_CURRENT_PASSWORD = N_("this is not your current password")
TOO_MANY_WRONG_PASSWORDS = N_("too many wrong passwords; try again later")
MAX_DOUBLINGS = 32  # the delay is capped long before this; it only keeps the arithmetic small


@dataclass(frozen=True)
class LoginPolicy:
    """The throttle's numbers (settings `login_*`, see docs/decisions.md)."""

    max_failures: int  # failures in a row from one address before it must wait
    delay: timedelta  # that first wait, doubled with each further failure ...
    max_delay: timedelta  # ... up to this
    account_max_failures: int  # recent failures on one account, all addresses together, before ...
    # ... an address that has not logged in to it lately gets one try (not max_failures) before waiting
    failure_window: timedelta  # failures older than this are forgotten
    known_address_for: timedelta  # a successful log-in keeps its address known this long


@dataclass(frozen=True)
class AddressRecord:
    """What is remembered of one client address's log-ins to one account."""

    failures: int = 0  # in a row, since the last success
    last_failure_at: datetime | None = None
    last_success_at: datetime | None = None


def client_key(host: str | None) -> str:
    """The address a throttle counts by: an IPv4 address, or the /64 an IPv6 address is in (one
    subscriber usually holds a whole /64, so counting single IPv6 addresses would count nothing)."""
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return (host or "unknown")[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(address) >> 64 << 64, 64)))
    return str(address)


def recent_failures(record: AddressRecord, *, now: datetime, window: timedelta) -> int:
    if record.last_failure_at is None or now - record.last_failure_at >= window:
        return 0
    return record.failures


def is_known(record: AddressRecord, *, now: datetime, policy: LoginPolicy) -> bool:
    """Has the right password come from this address lately?"""
    return record.last_success_at is not None and now - record.last_success_at < policy.known_address_for


def free_failures(record: AddressRecord, account_failures: int, *, now: datetime, policy: LoginPolicy) -> int:
    """How many failures in a row this address has before it waits: the full allowance, or one while
    the account is being guessed at from many places and this address is not a known one."""
    if account_failures >= policy.account_max_failures and not is_known(record, now=now, policy=policy):
        return 1
    return policy.max_failures


def paused_until(record: AddressRecord, account_failures: int, *, now: datetime,
                 policy: LoginPolicy) -> datetime | None:
    """When this address may try this account again; None if it may try now. `account_failures`
    counts the account's recent failures from every address."""
    failures = recent_failures(record, now=now, window=policy.failure_window)
    free = free_failures(record, account_failures, now=now, policy=policy)
    if failures < free or record.last_failure_at is None:
        return None
    delay = min(policy.delay * 2 ** min(failures - free, MAX_DOUBLINGS), policy.max_delay)
    until = record.last_failure_at + delay
    return until if until > now else None
