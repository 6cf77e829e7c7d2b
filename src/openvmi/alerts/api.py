"""JSON API: alerts (list, get, acknowledge, comment), the caller's inbox, and for admins the
outbox (failed and dead deliveries, retry) and webhook endpoints."""
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from openvmi.access import Actor
from openvmi.fields import Id
from openvmi.alerts import queries, service
from openvmi.alerts.schemas import (
    AlertDetail, AlertFilter, AlertKind, AlertPage, AlertStatusFilter, Channel, CommentCreate, CommentRead,
    InboxPage, InboxRead, OutboxFilter, OutboxPage, OutboxRead, OutboxStatusFilter, WebhookEndpointCreate,
    WebhookEndpointIssued, WebhookEndpointPage, WebhookEndpointRead, WebhookEndpointUpdate,
)
from openvmi.alerts.targets import WebhookTargets
from openvmi.settings import Settings
from openvmi.web.deps import AppSettings, DbSession, requires
from openvmi.web.i18n import Words

router = APIRouter(tags=["alerts"])
Reader = Annotated[Actor, Depends(requires("alerts.read"))]
Actor_ = Annotated[Actor, Depends(requires("alerts.act"))]
InboxReader = Annotated[Actor, Depends(requires("notifications.read"))]
Admin = Annotated[Actor, Depends(requires("notifications.manage"))]
Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("/alerts", response_model=AlertPage)
def list_alerts(session: DbSession, _: Reader, status: AlertStatusFilter | None = None,
                kind: AlertKind | None = None, supplier_id: Id | None = None, item_id: Id | None = None,
                location_id: Id | None = None, cursor: str | None = None, limit: Limit = 50) -> AlertPage:
    """Alerts, newest first; `status=unresolved` means opened or acknowledged."""
    filters = AlertFilter(status=status, kind=kind, supplier_id=supplier_id, item_id=item_id,
                          location_id=location_id)
    return queries.list_alerts(session, filters, cursor=cursor, limit=limit)


@router.get("/alerts/{alert_id}", response_model=AlertDetail)
def get_alert(alert_id: Id, session: DbSession, _: Reader) -> AlertDetail:
    return AlertDetail.model_validate(queries.get_alert(session, alert_id))


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertDetail)
def acknowledge_alert(alert_id: Id, session: DbSession, actor: Actor_) -> AlertDetail:
    """Take ownership of an opened alert; it stays unresolved until the condition clears."""
    service.acknowledge_alert(session, alert_id, actor=actor)
    session.commit()
    return AlertDetail.model_validate(queries.get_alert(session, alert_id))


@router.post("/alerts/{alert_id}/comments", status_code=201, response_model=CommentRead)
def add_comment(alert_id: Id, body: CommentCreate, session: DbSession, actor: Actor_) -> CommentRead:
    comment = service.add_comment(session, alert_id, body, actor=actor)
    session.commit()
    return CommentRead.model_validate(comment)


@router.get("/notifications", response_model=InboxPage)
def list_notifications(session: DbSession, actor: InboxReader, settings: AppSettings, unread: bool = False,
                       cursor: str | None = None, limit: Limit = 50) -> InboxPage:
    """The caller's in-app inbox, newest first, in the caller's language."""
    return queries.list_inbox(session, actor, words=_words(actor, settings), unread_only=unread, cursor=cursor,
                              limit=limit)


def _words(actor: Actor, settings: Settings) -> Words:
    return Words.preferred(actor.locale, default=settings.default_locale, timezone=settings.timezone)


@router.post("/notifications/read-all")
def mark_all_read(session: DbSession, actor: InboxReader) -> dict[str, int]:
    marked = service.mark_all_read(session, actor=actor)
    session.commit()
    return {"marked": marked}


@router.post("/notifications/{message_id}/read", response_model=InboxRead)
def mark_read(message_id: Id, session: DbSession, actor: InboxReader, settings: AppSettings) -> InboxRead:
    message = service.mark_read(session, message_id, actor=actor)
    session.commit()
    return queries.inbox_read(message, _words(actor, settings))


@router.get("/outbox", response_model=OutboxPage)
def list_outbox(session: DbSession, _: Admin, status: OutboxStatusFilter | None = None,
                channel: Channel | None = None, alert_id: Id | None = None, cursor: str | None = None,
                limit: Limit = 50) -> OutboxPage:
    """Deliveries with attempts, next attempt and last error; `status=failing` or `dead` to triage."""
    return queries.list_outbox(session, OutboxFilter(status=status, channel=channel, alert_id=alert_id),
                               cursor=cursor, limit=limit)


@router.get("/outbox/summary")
def outbox_summary(session: DbSession, _: Admin) -> dict[str, int]:
    return queries.outbox_counts(session)


@router.post("/outbox/{message_id}/retry", response_model=OutboxRead)
def retry_outbox_message(message_id: Id, session: DbSession, _: Admin) -> OutboxRead:
    """Queue a failing or dead delivery for the next worker pass, with a fresh attempt budget."""
    row = service.retry_outbox_message(session, message_id)
    session.commit()
    return OutboxRead.model_validate(row)


@router.get("/webhook-endpoints", response_model=WebhookEndpointPage)
def list_webhook_endpoints(session: DbSession, _: Admin, cursor: str | None = None,
                           limit: Limit = 50) -> WebhookEndpointPage:
    return queries.list_webhook_endpoints(session, cursor=cursor, limit=limit)


@router.post("/webhook-endpoints", status_code=201, response_model=WebhookEndpointIssued)
def create_webhook_endpoint(body: WebhookEndpointCreate, session: DbSession, _: Admin,
                            settings: AppSettings) -> WebhookEndpointIssued:
    """Register a receiver; the answer holds its signing secret, shown this once. Loopback, private,
    link-local and cloud metadata addresses are refused unless OPENVMI_WEBHOOK_ALLOWED_HOSTS lists them."""
    issued = service.create_webhook_endpoint(
        session, body, targets=WebhookTargets.allowing(settings.webhook_allowed_hosts))
    session.commit()
    return issued


@router.get("/webhook-endpoints/{endpoint_id}", response_model=WebhookEndpointRead)
def get_webhook_endpoint(endpoint_id: Id, session: DbSession, _: Admin) -> WebhookEndpointRead:
    return WebhookEndpointRead.model_validate(queries.get_webhook_endpoint(session, endpoint_id))


@router.patch("/webhook-endpoints/{endpoint_id}", response_model=WebhookEndpointRead)
def update_webhook_endpoint(endpoint_id: Id, body: WebhookEndpointUpdate, session: DbSession,
                            _: Admin, settings: AppSettings) -> WebhookEndpointRead:
    row = service.update_webhook_endpoint(
        session, endpoint_id, body, targets=WebhookTargets.allowing(settings.webhook_allowed_hosts))
    session.commit()
    return WebhookEndpointRead.model_validate(row)


@router.delete("/webhook-endpoints/{endpoint_id}", status_code=204)
def delete_webhook_endpoint(endpoint_id: Id, session: DbSession, _: Admin) -> Response:
    """Remove an endpoint; its undelivered rows stay listed as dead."""
    service.delete_webhook_endpoint(session, endpoint_id)
    session.commit()
    return Response(status_code=204)
