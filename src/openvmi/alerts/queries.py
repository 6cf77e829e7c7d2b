"""Read models of alerts, the caller's inbox, the outbox and webhook endpoints, filtered and paged."""
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from openvmi.access import Actor
from openvmi.alerts import wording
from openvmi.alerts.models import Alert, InboxMessage, OutboxMessage, WebhookEndpoint
from openvmi.alerts.rules import UNRESOLVED, AlertKind, OutboxStatus
from openvmi.alerts.schemas import (
    AlertFilter, AlertPage, AlertRead, InboxPage, InboxRead, OutboxFilter, OutboxPage, OutboxRead,
    WebhookEndpointPage, WebhookEndpointRead,
)
from openvmi.auth.models import User
from openvmi.catalog.models import Item
from openvmi.db import get_by_id
from openvmi.errors import NotFound
from openvmi.listing import ListPage, ListRequest, fetch_list_page, like_pattern
from openvmi.locations.models import Location
from openvmi.pagination import fetch_page, where_given
from openvmi.parties.models import Party
from openvmi.scoping import unscoped

OPEN_ALERTS = Alert.status.in_(UNRESOLVED)
# A delivery that failed at least once and will be tried again: what an admin should look at.
FAILING = (OutboxMessage.status == OutboxStatus.PENDING) & OutboxMessage.last_error.is_not(None)


def list_alerts(session: Session, filters: AlertFilter, *, cursor: str | None, limit: int) -> AlertPage:
    """Alerts the caller may see, newest first."""
    statement = select(Alert)
    if filters.status == "unresolved":
        statement = statement.where(OPEN_ALERTS)
    elif filters.status is not None:
        statement = statement.where(Alert.status == filters.status)
    statement = where_given(statement, (Alert.kind, filters.kind), (Alert.supplier_id, filters.supplier_id),
                            (Alert.item_id, filters.item_id), (Alert.location_id, filters.location_id))
    rows, next_cursor = fetch_page(session, statement, Alert.id, cursor=cursor, limit=limit, descending=True)
    return AlertPage(items=[AlertRead.model_validate(r) for r in rows], next_cursor=next_cursor)


def open_stock_alert_rows() -> Select[tuple[int, int, int, str]]:
    """(supplier_id, item_id, id, kind) of the newest unresolved low- or high-stock alert of each
    (supplier, item): one row each, so availability can join it to its lines."""
    kinds = [AlertKind.LOW_STOCK, AlertKind.HIGH_STOCK]
    newer = aliased(Alert)
    return select(Alert.supplier_id, Alert.item_id, Alert.id, Alert.kind).where(
        Alert.kind.in_(kinds), OPEN_ALERTS,
        ~exists().where(newer.supplier_id == Alert.supplier_id, newer.item_id == Alert.item_id, newer.id > Alert.id,
                        newer.kind.in_(kinds), newer.status.in_(UNRESOLVED)))


def open_stock_alerts(session: Session, *, item_ids: list[int]) -> dict[tuple[int, int], tuple[int, str]]:
    """The unresolved low- or high-stock alert of each (supplier, item) among these items."""
    rows = session.execute(open_stock_alert_rows().where(Alert.item_id.in_(item_ids)))
    return {(supplier_id, item_id): (alert_id, kind) for supplier_id, item_id, alert_id, kind in rows}


def get_alert(session: Session, alert_id: int) -> Alert:
    """One alert with its comments; another supplier's alert is "not found"."""
    alert = session.scalars(
        select(Alert).where(Alert.id == alert_id).options(selectinload(Alert.comments))).first()
    if alert is None:
        raise NotFound(f"no such alert: {alert_id}")
    return alert


def count_unresolved_alerts(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Alert).where(OPEN_ALERTS)) or 0


def list_inbox(session: Session, actor: Actor, *, words: wording.Words, unread_only: bool, cursor: str | None,
               limit: int) -> InboxPage:
    """The caller's own notifications, newest first and worded by `words`, with the number still unread."""
    mine = InboxMessage.user_id == actor.user_id
    statement = select(InboxMessage).where(mine)
    if unread_only:
        statement = statement.where(InboxMessage.read_at.is_(None))
    rows, next_cursor = fetch_page(session, statement, InboxMessage.id, cursor=cursor, limit=limit, descending=True)
    return InboxPage(items=[inbox_read(r, words) for r in rows], next_cursor=next_cursor,
                     unread=count_unread(session, actor))


def inbox_read(message: InboxMessage, words: wording.Words) -> InboxRead:
    """An inbox message with its title and text in the reader's language (older rows: as stored)."""
    if message.content is None:
        title, body = message.title or "", message.body or ""
    else:
        title, body = wording.title(words, message.content), wording.body(words, message.content)
    return InboxRead(id=message.id, alert_id=message.alert_id, event=message.event, title=title, body=body,
                     created_at=message.created_at, read_at=message.read_at)


def recipient_locales(session: Session, user_ids: list[int]) -> dict[int, str | None]:
    """The language each user chose (None: the portal's default), for e-mails written at send time."""
    if not user_ids:
        return {}
    with unscoped(session):
        return {user_id: locale for user_id, locale in session.execute(
            select(User.id, User.locale).where(User.id.in_(sorted(set(user_ids)))))}


def count_unread(session: Session, actor: Actor) -> int:
    return session.scalar(select(func.count()).select_from(InboxMessage).where(
        InboxMessage.user_id == actor.user_id, InboxMessage.read_at.is_(None))) or 0


def list_outbox(session: Session, filters: OutboxFilter, *, cursor: str | None, limit: int) -> OutboxPage:
    """Deliveries, newest first; `failing` are those that failed and wait for a retry."""
    statement = select(OutboxMessage)
    if filters.status == "failing":
        statement = statement.where(FAILING)
    elif filters.status is not None:
        statement = statement.where(OutboxMessage.status == filters.status)
    statement = where_given(statement, (OutboxMessage.channel, filters.channel),
                            (OutboxMessage.alert_id, filters.alert_id))
    rows, next_cursor = fetch_page(session, statement, OutboxMessage.id, cursor=cursor, limit=limit, descending=True)
    return OutboxPage(items=[OutboxRead.model_validate(r) for r in rows], next_cursor=next_cursor)


def outbox_counts(session: Session) -> dict[str, int]:
    """How many deliveries are pending, delivered, dead, and failing (pending after an error)."""
    counts = dict.fromkeys(OutboxStatus.values(), 0)
    counts.update(dict(session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()))
    counts["failing"] = session.scalar(select(func.count()).select_from(OutboxMessage).where(FAILING)) or 0
    return counts


def get_outbox_message(session: Session, message_id: int) -> OutboxMessage:
    return get_by_id(session, OutboxMessage, message_id, label="outbox message")


def list_webhook_endpoints(session: Session, *, cursor: str | None, limit: int) -> WebhookEndpointPage:
    rows, next_cursor = fetch_page(session, select(WebhookEndpoint), WebhookEndpoint.id, cursor=cursor, limit=limit)
    return WebhookEndpointPage(items=[WebhookEndpointRead.model_validate(r) for r in rows], next_cursor=next_cursor)


def get_webhook_endpoint(session: Session, endpoint_id: int) -> WebhookEndpoint:
    return get_by_id(session, WebhookEndpoint, endpoint_id, label="webhook endpoint")


ALERT_SORTS = {"opened_at": Alert.opened_at, "kind": Alert.kind, "status": Alert.status,
               "supplier": Party.code, "item": Item.code_sort_key, "updated_at": Alert.updated_at}


def _alert_rows(request: ListRequest, *, status: str | None, kind: str | None) -> Any:
    statement = (select(Alert, Party.code.label("supplier_code"), Party.name.label("supplier_name"),
                        Item.code.label("item_code"), Item.name.label("item_name"))
                 .join(Party, Party.id == Alert.supplier_id).outerjoin(Item, Item.id == Alert.item_id))
    if status == "unresolved":
        statement = statement.where(OPEN_ALERTS)
    elif status:
        statement = statement.where(Alert.status == status)
    if kind:
        statement = statement.where(Alert.kind == kind)
    if request.search:
        pattern = like_pattern(request.search)
        statement = statement.where(or_(*(func.lower(c).like(pattern, escape="\\") for c in (
            Party.code, Party.name, Item.code, Item.name, Alert.message))))
    return statement


def browse_alerts(session: Session, request: ListRequest, *, status: str | None, kind: str | None) -> ListPage:
    """Alerts for people, newest first by default; rows carry supplier and item codes and names."""
    if request.sort is None:
        request = ListRequest(search=request.search, sort="opened_at", descending=True, page=request.page,
                              per_page=request.per_page)
    return fetch_list_page(session, _alert_rows(request, status=status, kind=kind), request,
                           sort_columns=ALERT_SORTS, default_sort="opened_at", tie_breaker=Alert.id)


def alert_view(session: Session, alert_id: int) -> dict[str, Any]:
    """One alert with its comments and the names a person needs to read it."""
    alert = get_alert(session, alert_id)
    supplier = session.scalars(select(Party).where(Party.id == alert.supplier_id)).first()
    item = session.scalars(select(Item).where(Item.id == alert.item_id)).first() if alert.item_id else None
    location = session.get(Location, alert.location_id) if alert.location_id else None
    user_ids = {c.author_id for c in alert.comments} | {alert.acknowledged_by_id}
    with unscoped(session):  # a supplier reads who commented on its own alert, buyer staff included
        names = dict(session.execute(select(User.id, User.display_name).where(
            User.id.in_([i for i in user_ids if i is not None]))).all())
    return {"alert": alert, "supplier": supplier, "item": item, "location": location, "names": names}


def recent_unresolved(session: Session, *, limit: int = 5) -> dict[str, Any]:
    """For the dashboard: how many alerts are open and the newest few."""
    rows = session.execute(
        select(Alert, Party.code.label("supplier_code"), Item.code.label("item_code"))
        .join(Party, Party.id == Alert.supplier_id).outerjoin(Item, Item.id == Alert.item_id)
        .where(OPEN_ALERTS).order_by(Alert.opened_at.desc(), Alert.id.desc()).limit(limit)).all()
    return {"count": count_unresolved_alerts(session), "rows": rows}


def browse_inbox(session: Session, actor: Actor, request: ListRequest, *, unread_only: bool) -> ListPage:
    """The signed-in user's own messages, newest first."""
    statement = select(InboxMessage).where(InboxMessage.user_id == actor.user_id)
    if unread_only:
        statement = statement.where(InboxMessage.read_at.is_(None))
    if request.search:  # by the codes of the alert's supplier and item (older rows: their stored text)
        pattern = like_pattern(request.search)
        named = (select(Alert.id).join(Party, Party.id == Alert.supplier_id).outerjoin(Item, Item.id == Alert.item_id)
                 .where(or_(*(func.lower(c).like(pattern, escape="\\") for c in (
                     Party.code, Party.name, Item.code, Item.name)))))
        statement = statement.where(or_(func.lower(InboxMessage.title).like(pattern, escape="\\"),
                                        func.lower(InboxMessage.body).like(pattern, escape="\\"),
                                        InboxMessage.alert_id.in_(named)))
    request = ListRequest(search=request.search, sort="created_at", descending=True, page=request.page,
                          per_page=request.per_page)
    return fetch_list_page(session, statement, request, sort_columns={"created_at": InboxMessage.created_at},
                           default_sort="created_at", tie_breaker=InboxMessage.id)


def browse_outbox(session: Session, request: ListRequest, *, status: str | None) -> ListPage:
    """Deliveries for the admin page, newest first; `failing` are waiting for a retry after an error."""
    statement = select(OutboxMessage)
    if status == "failing":
        statement = statement.where(FAILING)
    elif status:
        statement = statement.where(OutboxMessage.status == status)
    if request.search:
        pattern = like_pattern(request.search)
        statement = statement.where(or_(func.lower(OutboxMessage.recipient).like(pattern, escape="\\"),
                                        func.lower(OutboxMessage.last_error).like(pattern, escape="\\")))
    request = ListRequest(search=request.search, sort="id", descending=True, page=request.page,
                          per_page=request.per_page)
    return fetch_list_page(session, statement, request, sort_columns={"id": OutboxMessage.id},
                           default_sort="id", tie_breaker=OutboxMessage.id)


def list_all_webhook_endpoints(session: Session) -> list[WebhookEndpoint]:
    return list(session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.name, WebhookEndpoint.id)))
