"""Pure decisions of the alert lifecycle and the outbox: kinds and states, edges, transitions,
back-off, signatures, which addresses a webhook may reach and how a failed delivery is told."""
import hashlib
import hmac
import ipaddress
from datetime import timedelta
from enum import StrEnum

from openvmi.enums import N_, Labelled


class AlertKind(Labelled):
    LOW_STOCK = "low_stock", N_("Low stock")
    HIGH_STOCK = "high_stock", N_("High stock")
    STALE_DATA = "stale_data", N_("Stale stock data")
    VMI_UNDER_MIN = "vmi_under_min", N_("VMI stock under minimum")
    VMI_OVER_MAX = "vmi_over_max", N_("VMI stock over maximum")
    VMI_RUN_OUT = "vmi_run_out", N_("VMI stock runs out within the lead time")
    VMI_CALL_OFF_UNANSWERED = "vmi_call_off_unanswered", N_("Call-off not answered in time")
    VMI_SHIPMENT_OVERDUE = "vmi_shipment_overdue", N_("Shipment overdue")
    VMI_RECEIPT_DIFFERENCES = "vmi_receipt_differences", N_("Receipt with differences")
    VMI_ADJUSTMENT_WAITING = "vmi_adjustment_waiting", N_("Adjustment waiting for approval")


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
    # Notices of other features' documents (alerts.notices): no alert behind them.
    STATEMENT_ISSUED = "statement.issued", N_("Statement issued")
    STATEMENT_DISPUTED = "statement.disputed", N_("Statement disputed")
    STATEMENT_CONFIRMED = "statement.confirmed", N_("Statement confirmed")
    INVOICE_MISMATCH = "statement.invoice_mismatch", N_("Invoice mismatch")


class Audience(Labelled):
    """Who hears of a notice: the users of the supplier it concerns, or the buyer's finance staff."""

    SUPPLIER = "supplier", N_("The supplier's users")
    FINANCE = "finance", N_("Finance")


FINANCE_ROLES = ("admin", "finance")


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


# --- webhook targets and failed deliveries -----------------------------------------------------

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Why a webhook may not go somewhere; %(host)s names the host and, for a name, what it resolved to.
LOOPBACK = N_("%(host)s is a loopback address")
PRIVATE = N_("%(host)s is a private network address")
LINK_LOCAL = N_("%(host)s is a link-local address")
METADATA = N_("%(host)s is a cloud metadata address")
NOT_PUBLIC = N_("%(host)s is not a public address")
# What `last_error` says of a failed delivery: a short status line, never the receiver's words
# (its body could carry anything, an internal page included, to whoever reads the outbox).
HOST_UNRESOLVED = N_("could not resolve %(host)s")
HTTP_STATUS = N_("HTTP %(status)s")
TIMED_OUT = N_("timed out")
CONNECTION_REFUSED = N_("connection refused")
TLS_FAILED = N_("TLS handshake failed")
NOT_CONNECTED = N_("could not connect")
INVALID_REPLY = N_("the reply was not valid HTTP")
INVALID_URL = N_("invalid URL")
NO_SECRET = N_("webhook endpoint has no secret (was it deleted?)")
ENDPOINT_DELETED = N_("webhook endpoint deleted")
DELIVERY_FAILURES = (LOOPBACK, PRIVATE, LINK_LOCAL, METADATA, NOT_PUBLIC, HOST_UNRESOLVED, HTTP_STATUS,
                     TIMED_OUT, CONNECTION_REFUSED, TLS_FAILED, NOT_CONNECTED, INVALID_REPLY, INVALID_URL,
                     NO_SECRET, ENDPOINT_DELETED)

# Metadata services of the big clouds. Most sit at link-local or private addresses, refused anyway;
# Azure's 168.63.129.16 is a public address, so each is named.
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(text) for text in (
    "169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "168.63.129.16", "192.0.0.192"))
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(text) for text in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"))
# NAT64 prefixes (RFC 6052, RFC 8215): a gateway on our network turns them into the IPv4 address
# in their last 32 bits, so 64:ff9b::a9fe:a9fe is the metadata service.
NAT64_NETWORKS = tuple(ipaddress.ip_network(text) for text in ("64:ff9b::/96", "64:ff9b:1::/48"))


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for: IPv4-mapped, NAT64 or 6to4."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if any(address in network for network in NAT64_NETWORKS):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def address_refusal(address: Address) -> str | None:
    """Why a webhook may not go to `address` (one of the msgids above), or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address):
        address = embedded_ipv4(address) or address
    if address in METADATA_ADDRESSES:
        return METADATA
    if address.is_loopback:
        return LOOPBACK
    if address.is_link_local:
        return LINK_LOCAL
    if any(address in network for network in PRIVATE_NETWORKS):
        return PRIVATE
    if (not address.is_global or address.is_multicast or address.is_reserved or address.is_unspecified
            or getattr(address, "is_site_local", False)):  # fec0::/10, deprecated but still routed inside
        return NOT_PUBLIC
    return None
