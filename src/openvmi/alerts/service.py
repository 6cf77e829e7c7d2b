"""Use cases of alerts: sync signals into edge-triggered alerts (with their notifications in the
same transaction), acknowledge, comment, inbox, webhook endpoints, and the worker's outbox steps.
Every function leaves committing to its caller."""
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from openvmi.access import Actor
from openvmi.alerts import rules, wording
from openvmi.alerts.rules import AlertEvent, AlertStatus, Channel, OutboxStatus
from openvmi.alerts.models import Alert, AlertComment, InboxMessage, OutboxMessage, WebhookEndpoint
from openvmi.alerts.schemas import (
    AlertSignal, CommentCreate, DeliveryJob, DeliveryOutcome, SyncResult, WebhookEndpointCreate,
    WebhookEndpointIssued, WebhookEndpointUpdate, WorkerPass,
)
from openvmi.alerts.targets import WebhookTargets
from openvmi.auth.models import User
from openvmi.catalog.models import Item
from openvmi.db import get_by_id, utcnow
from openvmi.errors import Conflict, FieldError, InvalidInput, NotFound, PermissionDenied, Reason
from openvmi.locations.models import Location
from openvmi.parties.models import Party
from openvmi.scoping import current_supplier_scope, unscoped

CHUNK = 500  # bound on IN (...) lists: SQLite allows ~32k parameters, PostgreSQL 65k
NOTIFIED_STAFF_ROLES = ("admin", "buyer")
DIGEST_AFTER = 10  # more events than this for one person in one sync: one summary message
DIGEST_LINES = 50


def sync_alerts(session: Session, signals: list[AlertSignal], *, now: datetime | None = None) -> SyncResult:
    """Open an alert where a condition became active and resolve it where it cleared; a condition
    that stays active opens nothing new (its numbers are refreshed). Notifications for every
    opened and resolved alert are written in the same transaction. Caller commits."""
    now = now or utcnow()
    latest: dict[str, AlertSignal] = {}
    for signal in signals:  # the last word on a subject wins
        latest[rules.subject_key(signal.kind, signal.supplier_id, signal.item_id, signal.location_id)] = signal
    unresolved = _unresolved_alerts(session, latest)

    to_open: list[dict[str, Any]] = []
    resolved: list[Alert] = []
    unchanged = 0
    for key, signal in latest.items():
        alert = unresolved.get(key)
        decision = rules.edge(active=signal.active, has_unresolved=alert is not None)
        if decision is rules.Edge.OPEN:
            to_open.append({
                "kind": signal.kind, "supplier_id": signal.supplier_id, "item_id": signal.item_id,
                "location_id": signal.location_id, "open_key": key, "status": AlertStatus.OPENED,
                "message": _message(signal), "numbers": dict(signal.numbers), "opened_at": now, "updated_at": now})
        elif decision is rules.Edge.RESOLVE:
            assert alert is not None
            alert.status, alert.open_key, alert.resolved_at, alert.updated_at = AlertStatus.RESOLVED, None, now, now
            if signal.numbers:  # what is true now: the figures and the sentence of the resolution
                alert.numbers, alert.message = dict(signal.numbers), _message(signal)
            resolved.append(alert)
        else:
            unchanged += 1
            if alert is not None and (alert.numbers != signal.numbers or alert.message != _message(signal)):
                alert.numbers, alert.message, alert.updated_at = dict(signal.numbers), _message(signal), now
    session.flush()
    opened = _insert_alerts(session, to_open)
    _notify(session, [(AlertEvent.OPENED, a) for a in opened] + [(AlertEvent.RESOLVED, a) for a in resolved],
            now=now)
    # an alert another sync opened a moment ago counts as unchanged here
    return SyncResult(opened=len(opened), resolved=len(resolved), unchanged=unchanged + len(to_open) - len(opened))


def _message(signal: AlertSignal) -> str:
    """The signal's English sentence; worded here when the signal left it empty (most signals
    change nothing, so they are never worded)."""
    if signal.message:
        return signal.message
    return (wording.sentence(wording.ENGLISH, signal.kind, resolved=not signal.active, subject=signal.subject,
                             numbers=signal.numbers) or "")[:1000]


def _insert_alerts(session: Session, rows: list[dict[str, Any]]) -> list[Alert]:
    """Bulk INSERT ... ON CONFLICT (open_key) DO NOTHING RETURNING: a mass event opens tens of
    thousands at once, and when a concurrent sync opened the same alert first, ours is skipped
    (only the alerts really opened here are returned and notified). A bulk insert skips the
    flush-time supplier check, so the boundary is checked first, by hand."""
    scope = current_supplier_scope(session)
    if scope is not None and any(row["supplier_id"] != scope for row in rows):
        raise PermissionDenied("Alert belongs to another supplier")
    dialect = session.get_bind().dialect.name
    dialect_insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = dialect_insert(Alert).on_conflict_do_nothing(index_elements=["open_key"]).returning(Alert)
    opened: list[Alert] = []
    for batch in _chunks(rows, size=5000):
        opened.extend(session.scalars(statement, list(batch)).all())
    return opened


def _unresolved_alerts(session: Session, latest: dict[str, AlertSignal]) -> dict[str, Alert]:
    """The unresolved alerts of the signalled subjects, loaded per batch of suppliers (a
    supplier's open alerts are few), not one query per signal. They are row-locked in id order
    on PostgreSQL, so a concurrent sync waits and then no longer sees an alert this one resolved
    (no second "resolved" notification); SQLite's single writer gives the same."""
    supplier_ids = sorted({signal.supplier_id for signal in latest.values()})
    found: dict[str, Alert] = {}
    for batch in _chunks(supplier_ids):
        for alert in session.scalars(select(Alert).where(
                Alert.supplier_id.in_(batch), Alert.open_key.is_not(None)).order_by(Alert.id).with_for_update()):
            if alert.open_key in latest:
                found[alert.open_key] = alert
    return found


def _notify(session: Session, events: list[tuple[AlertEvent, Alert]], *, now: datetime) -> None:
    """Inbox rows for every recipient, plus e-mail and webhook outbox rows, for each event. Inbox
    rows and e-mails keep the event's facts and are worded when read or sent, in the recipient's
    language (alerts.wording); a webhook gets a JSON document with English text."""
    if not events:
        return
    with unscoped(session):  # the buyer's staff and endpoints are recipients of a supplier's alert
        users = session.execute(select(User.id, User.email, User.role, User.supplier_id).where(
            User.active.is_(True), or_(User.role.in_(NOTIFIED_STAFF_ROLES), User.role == "supplier"))).all()
        endpoints = session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))
                                    .order_by(WebhookEndpoint.id)).all()
        subjects = _subjects(session, [alert for _, alert in events])
    staff = [u for u in users if u.role in NOTIFIED_STAFF_ROLES]
    supplier_users: dict[int, list[Any]] = defaultdict(list)
    for user in users:
        if user.role == "supplier":
            supplier_users[user.supplier_id].append(user)

    contents = {(event, alert.id): wording.event_content(event, alert, subjects[alert.id]) for event, alert in events}
    per_user: dict[int, list[tuple[AlertEvent, Alert]]] = defaultdict(list)
    for event, alert in events:
        for user in (*staff, *supplier_users.get(alert.supplier_id, ())):
            per_user[user.id].append((event, alert))

    inbox: list[dict[str, Any]] = []
    outbox: list[dict[str, Any]] = []
    for user in users:
        mine = per_user.get(user.id)
        if not mine:
            continue
        if len(mine) > DIGEST_AFTER:  # a mass event (e.g. a first import): one summary, not a flood
            digest = wording.digest_content([contents[(e, a.id)] for e, a in mine], lines=DIGEST_LINES)
            messages = [(AlertEvent.DIGEST, None, digest)]
        else:
            messages = [(event, alert.id, contents[(event, alert.id)]) for event, alert in mine]
        for event, alert_id, content in messages:
            inbox.append({"user_id": user.id, "alert_id": alert_id, "event": event, "title": None, "body": None,
                          "content": content, "created_at": now, "read_at": None})
            if user.email:
                outbox.append(_outbox_row(Channel.EMAIL, event, alert_id, user.email, None,
                                          {"to": user.email, "user_id": user.id, "content": content}, now))
    for event, alert in events:  # machines get every event: they reconcile, people skim
        matching = [e for e in endpoints if e.supplier_id in (None, alert.supplier_id)
                    and (e.kinds is None or alert.kind in e.kinds)]
        if matching:
            document = _event_document(event, alert, subjects[alert.id], now=now)
            for endpoint in matching:
                outbox.append(_outbox_row(Channel.WEBHOOK, event, alert.id, endpoint.url, endpoint.id, document, now))
    for batch in _chunks(inbox, size=5000):
        session.execute(insert(InboxMessage), batch)
    for batch in _chunks(outbox, size=5000):
        session.execute(insert(OutboxMessage), batch)


def _outbox_row(channel: Channel, event: AlertEvent, alert_id: int | None, recipient: str, endpoint_id: int | None,
                payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {"channel": channel, "event": event, "alert_id": alert_id, "recipient": recipient,
            "endpoint_id": endpoint_id, "payload": payload, "status": OutboxStatus.PENDING, "attempts": 0,
            "next_attempt_at": now, "claimed_until": None, "claimed_by": None, "last_error": None,
            "created_at": now, "delivered_at": None}


def _subjects(session: Session, alerts: Sequence[Alert]) -> dict[int, dict[str, str | None]]:
    """Supplier code, item code, unit and location code of each alert, as its messages name them."""
    suppliers: dict[int, str] = {}
    locations: dict[int, str] = {}
    items: dict[int, tuple[str, str]] = {}
    for batch in _chunks(sorted({a.supplier_id for a in alerts})):
        suppliers.update({row_id: code for row_id, code in session.execute(
            select(Party.id, Party.code).where(Party.id.in_(batch)))})
    for batch in _chunks(sorted({a.item_id for a in alerts if a.item_id is not None})):
        for row_id, code, unit in session.execute(select(Item.id, Item.code, Item.unit).where(Item.id.in_(batch))):
            items[row_id] = (code, unit)
    for batch in _chunks(sorted({a.location_id for a in alerts if a.location_id is not None})):
        locations.update(session.execute(select(Location.id, Location.code).where(Location.id.in_(batch))).all())
    subjects = {}
    for alert in alerts:
        item_code, unit = items.get(alert.item_id, (None, None)) if alert.item_id is not None else (None, None)
        subjects[alert.id] = {"supplier": suppliers.get(alert.supplier_id), "item": item_code, "unit": unit,
                              "location": locations.get(alert.location_id) if alert.location_id else None}
    return subjects


def _event_document(event: AlertEvent, alert: Alert, subject: dict[str, str | None], *,
                    now: datetime) -> dict[str, Any]:
    """The JSON body a webhook receives: figures as numbers (null where no mark is set)."""
    return {
        "event": event,
        "occurred_at": now.isoformat(),
        "alert": {
            "id": alert.id, "kind": alert.kind, "status": alert.status,
            "supplier_id": alert.supplier_id, "supplier_code": subject["supplier"],
            "item_id": alert.item_id, "item_code": subject["item"],
            "location_id": alert.location_id,
            "message": alert.message, "numbers": wording.json_figures(alert.numbers),
            "opened_at": alert.opened_at.isoformat(),
            "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
        },
    }


def _chunks(values: Sequence[Any], *, size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def acknowledge_alert(session: Session, alert_id: int, *, actor: Actor, now: datetime | None = None) -> Alert:
    """Say "we are on it": an opened alert becomes acknowledged, by whom and when. Caller commits."""
    alert = get_by_id(session, Alert, alert_id, label="alert")
    if not rules.can_acknowledge(alert.status):
        raise Conflict(Reason("alert %(alert)s is acknowledged; only an opened alert can be acknowledged", alert=alert_id)
                       if alert.status == AlertStatus.ACKNOWLEDGED else
                       Reason("alert %(alert)s is resolved; only an opened alert can be acknowledged", alert=alert_id))
    now = now or utcnow()
    alert.status, alert.acknowledged_at, alert.acknowledged_by_id, alert.updated_at = (
        AlertStatus.ACKNOWLEDGED, now, actor.user_id, now)
    session.flush()
    return alert


def add_comment(session: Session, alert_id: int, comment: CommentCreate, *, actor: Actor) -> AlertComment:
    """Add a remark to an alert the caller can see, in any status. Caller commits."""
    alert = get_by_id(session, Alert, alert_id, label="alert")
    row = AlertComment(alert_id=alert.id, supplier_id=alert.supplier_id, author_id=actor.user_id,
                       text=comment.text.strip() or comment.text)
    session.add(row)
    session.flush()
    return row


def mark_read(session: Session, message_id: int, *, actor: Actor, now: datetime | None = None) -> InboxMessage:
    """Mark one of the caller's own inbox messages read (again: no change). Caller commits."""
    message = session.scalars(select(InboxMessage).where(
        InboxMessage.id == message_id, InboxMessage.user_id == actor.user_id)).first()
    if message is None:
        raise NotFound(f"no such message: {message_id}")
    message.read_at = message.read_at or now or utcnow()
    session.flush()
    return message


def mark_all_read(session: Session, *, actor: Actor, now: datetime | None = None) -> int:
    """Mark every unread message of the caller read; returns how many. Caller commits."""
    result = session.execute(
        update(InboxMessage).where(InboxMessage.user_id == actor.user_id, InboxMessage.read_at.is_(None))
        .values(read_at=now or utcnow()).execution_options(synchronize_session=False))
    return result.rowcount or 0


def create_webhook_endpoint(session: Session, endpoint: WebhookEndpointCreate, *,
                            targets: WebhookTargets) -> WebhookEndpointIssued:
    """Register a receiver of signed alert events; its secret is returned this once. Its URL must
    reach a public address, or one `targets` allows. Caller commits."""
    _check_supplier(session, endpoint.supplier_id)
    targets.check_endpoint_url(str(endpoint.url))
    row = WebhookEndpoint(name=endpoint.name, url=str(endpoint.url),
                          secret=endpoint.secret or secrets.token_urlsafe(32), supplier_id=endpoint.supplier_id,
                          kinds=list(endpoint.kinds) if endpoint.kinds is not None else None, active=endpoint.active)
    session.add(row)
    session.flush()
    return WebhookEndpointIssued.model_validate(row)


def update_webhook_endpoint(session: Session, endpoint_id: int, changes: WebhookEndpointUpdate, *,
                            targets: WebhookTargets) -> WebhookEndpoint:
    """Change an endpoint; pending deliveries go to its new URL with its new secret. Caller commits."""
    row = get_by_id(session, WebhookEndpoint, endpoint_id, label="webhook endpoint")
    fields = changes.model_dump(exclude_unset=True)
    if "supplier_id" in fields:
        _check_supplier(session, fields["supplier_id"])
    if "url" in fields and fields["url"] is not None:
        fields["url"] = str(fields["url"])
        targets.check_endpoint_url(fields["url"])
    for name, value in fields.items():
        if value is None and name not in ("supplier_id", "kinds"):
            raise InvalidInput([FieldError(name, "must not be null")])
        setattr(row, name, value)
    session.flush()
    return row


def delete_webhook_endpoint(session: Session, endpoint_id: int, *, now: datetime | None = None) -> None:
    """Remove an endpoint; its undelivered rows are kept, marked dead with the reason. Caller commits."""
    row = get_by_id(session, WebhookEndpoint, endpoint_id, label="webhook endpoint")
    session.execute(update(OutboxMessage).where(
        OutboxMessage.endpoint_id == row.id, OutboxMessage.status == OutboxStatus.PENDING).values(
        status=OutboxStatus.DEAD, last_error=rules.ENDPOINT_DELETED, claimed_until=None)
        .execution_options(synchronize_session=False))
    session.delete(row)
    session.flush()


def _check_supplier(session: Session, supplier_id: int | None) -> None:
    if supplier_id is None:
        return
    if session.scalars(select(Party.id).where(Party.id == supplier_id, Party.kind == "supplier")).first() is None:
        raise InvalidInput([FieldError("supplier_id", f"no such supplier: {supplier_id}")])


def retry_outbox_message(session: Session, message_id: int, *, now: datetime | None = None) -> OutboxMessage:
    """Send a failing or dead delivery again at the next worker pass, with a fresh attempt budget;
    its last error stays visible until then. Caller commits."""
    row = get_by_id(session, OutboxMessage, message_id, label="outbox message")
    if row.status == OutboxStatus.DELIVERED:
        raise Conflict(Reason("outbox message %(message)s was already delivered", message=message_id))
    if row.channel == Channel.WEBHOOK and row.endpoint_id is None:
        raise Conflict(Reason("outbox message %(message)s: its webhook endpoint was deleted", message=message_id))
    row.status, row.attempts, row.next_attempt_at, row.claimed_until = OutboxStatus.PENDING, 0, now or utcnow(), None
    session.flush()
    return row


def claim_due_messages(session: Session, channels: Sequence[Channel], *, worker_id: str, now: datetime,
                       lease: timedelta, limit: int) -> list[DeliveryJob]:
    """Lease up to `limit` due deliveries to this worker and count the attempt. On PostgreSQL rows
    another worker holds are skipped (FOR UPDATE SKIP LOCKED); SQLite's BEGIN IMMEDIATE already
    makes claims one at a time. Caller commits before delivering, so the lease is visible."""
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.channel.in_(list(channels)),
               OutboxMessage.next_attempt_at <= now,
               or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)).all()
    endpoint_ids = sorted({r.endpoint_id for r in rows if r.endpoint_id is not None})
    endpoints = {e.id: e for e in session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.id.in_(endpoint_ids)))} if endpoint_ids else {}
    jobs = []
    for row in rows:
        row.claimed_until, row.claimed_by, row.attempts = now + lease, worker_id, row.attempts + 1
        endpoint = endpoints.get(row.endpoint_id) if row.endpoint_id is not None else None
        if endpoint is not None:
            row.recipient = endpoint.url  # deliver to the endpoint's current URL, signed with its secret
        jobs.append(DeliveryJob(id=row.id, channel=Channel(row.channel), event=AlertEvent(row.event),
                                recipient=row.recipient, payload=row.payload, attempts=row.attempts,
                                secret=endpoint.secret if endpoint is not None else None))
    session.flush()
    return jobs


def record_outcomes(session: Session, outcomes: Sequence[DeliveryOutcome], *, worker_id: str, now: datetime,
                    max_attempts: int, retry_base_seconds: int, retry_cap_seconds: int) -> WorkerPass:
    """Store what happened to this worker's claimed deliveries: delivered, retry later (exponential
    back-off), or dead after the last attempt (kept and listed). A row whose lease passed to
    another worker is left to that worker. Caller commits."""
    by_id = {o.id: o for o in outcomes}
    rows = session.scalars(select(OutboxMessage).where(
        OutboxMessage.id.in_(sorted(by_id)), OutboxMessage.claimed_by == worker_id,
        OutboxMessage.status == OutboxStatus.PENDING).order_by(OutboxMessage.id).with_for_update()).all()
    delivered = retrying = dead = 0
    for row in rows:
        outcome = by_id[row.id]
        row.claimed_until = None
        if outcome.error is None:
            row.status, row.delivered_at, row.last_error = OutboxStatus.DELIVERED, now, None
            delivered += 1
        else:
            row.last_error = outcome.error[:2000]
            if rules.is_exhausted(row.attempts, max_attempts=max_attempts):
                row.status = OutboxStatus.DEAD
                dead += 1
            else:
                row.next_attempt_at = now + rules.retry_delay(
                    row.attempts, base_seconds=retry_base_seconds, cap_seconds=retry_cap_seconds)
                retrying += 1
    session.flush()
    return WorkerPass(claimed=len(outcomes), delivered=delivered, retrying=retrying, dead=dead)
