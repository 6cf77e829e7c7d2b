"""Pure decisions of the alert lifecycle and the outbox: kinds and states, edges, transitions,
back-off, signatures."""
import hashlib
import hmac
from datetime import timedelta
from enum import StrEnum

from openvmi.enums import N_, Labelled


class AlertKind(Labelled):
    LOW_STOCK = "low_stock", N_("Low stock")
    HIGH_STOCK = "high_stock", N_("High stock")
    STALE_DATA = "stale_data", N_("Stale stock data")


class AlertStatus(Labelled):
    OPENED = "opened", N_("Open")
    ACKNOWLEDGED = "acknowledged", N_("Acknowledged")
    RESOLVED = "resolved", N_("Resolved")


UNRESOLVED = (AlertStatus.OPENED, AlertStatus.ACKNOWLEDGED)


class AlertEvent(Labelled):
    """What a notification (inbox message, e-mail, webhook call) is about."""

    OPENED = "alert.opened", N_("Alert opened")
    RESOLVED = "alert.resolved", N_("Alert resolved")
    DIGEST = "alert.digest", N_("Alert summary")  # many events for one person at once


class Channel(Labelled):
    """How an outbox row leaves (the in-app inbox is written directly, not through the outbox)."""

    EMAIL = "email", N_("E-mail")
    WEBHOOK = "webhook", N_("Webhook")


class OutboxStatus(Labelled):
    PENDING = "pending", N_("Pending")  # due now or after a back-off; `last_error` set after a failure
    DELIVERED = "delivered", N_("Delivered")
    DEAD = "dead", N_("Dead")  # out of attempts, or its webhook endpoint was deleted

SIGNATURE_HEADER = "X-OpenVMI-Signature"
TIMESTAMP_HEADER = "X-OpenVMI-Timestamp"
EVENT_HEADER = "X-OpenVMI-Event"
DELIVERY_HEADER = "X-OpenVMI-Delivery"


class Edge(StrEnum):
    OPEN = "open"
    RESOLVE = "resolve"
    KEEP = "keep"  # still active, alert already open: no second alert, no notification
    NONE = "none"  # inactive and nothing open


def edge(*, active: bool, has_unresolved: bool) -> Edge:
    """What a threshold signal does to its subject: only a change of state is an event."""
    if active:
        return Edge.KEEP if has_unresolved else Edge.OPEN
    return Edge.RESOLVE if has_unresolved else Edge.NONE


def subject_key(kind: str, supplier_id: int, item_id: int | None, location_id: int | None) -> str:
    """One text key per alert subject; NULL parts are spelled out, so the unique index on it
    holds on every engine (NULLs never collide in a plain unique index)."""
    return f"{kind}:{supplier_id}:{'-' if item_id is None else item_id}:{'-' if location_id is None else location_id}"


def can_acknowledge(status: str) -> bool:
    return status == AlertStatus.OPENED


def retry_delay(attempts: int, *, base_seconds: int, cap_seconds: int) -> timedelta:
    """Exponential back-off after the `attempts`-th failure: base, 2x base, 4x base ... capped."""
    exponent = max(attempts - 1, 0)
    return timedelta(seconds=min(base_seconds * 2 ** min(exponent, 30), cap_seconds))


def is_exhausted(attempts: int, *, max_attempts: int) -> bool:
    return attempts >= max_attempts


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    """Header value `sha256=<hex>`: HMAC-SHA256 of "<timestamp>.<body>", so a receiver can
    refuse a replayed (old) or altered request."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_webhook(secret: str, *, timestamp: str, body: bytes, signature: str, now: int,
                   tolerance_seconds: int = 300) -> bool:
    """What a receiver checks: the signature matches and the timestamp is recent."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance_seconds:
        return False
    return hmac.compare_digest(webhook_signature(secret, int(timestamp), body), signature)
