"""Portal pages: the alert list and detail (acknowledge, comment), the user's inbox, and the
dashboard's open-alerts panel."""
import re
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from openvmi.access import Actor
from openvmi.alerts import queries, rules, service, wording
from openvmi.alerts.rules import AlertEvent, AlertKind, AlertStatus, Channel, OutboxStatus
from openvmi.alerts.schemas import CommentCreate, WebhookEndpointCreate
from openvmi.alerts.targets import WebhookTargets
from openvmi.errors import Conflict, DomainError
from openvmi.fields import Id
from openvmi.parties import queries as parties_queries
from openvmi.web.deps import DbSession
from openvmi.web.forms import FormState, add_domain_error, form_values, parse
from openvmi.web.i18n import N_
from openvmi.web.listing import ListView, list_request
from openvmi.web.portal import DashboardPanel, NavEntry, PortalFeature, portal_router
from openvmi.web.rendering import flash, redirect, render, request_words, safe_next, translate
from openvmi.web.viewer import page_requires

router = portal_router()
Reader = Annotated[Actor, Depends(page_requires("alerts.read"))]
Actor_ = Annotated[Actor, Depends(page_requires("alerts.act"))]
InboxReader = Annotated[Actor, Depends(page_requires("notifications.read"))]
Admin = Annotated[Actor, Depends(page_requires("notifications.manage"))]

KIND_LABELS = AlertKind.labels()
STATUS_LABELS = AlertStatus.labels()
STATUS_FILTERS = {"unresolved": N_("Unresolved"), **STATUS_LABELS, "all": N_("All")}
EVENT_LABELS = AlertEvent.labels()

@router.get("/alerts")
def alert_list(request: Request, session: DbSession, actor: Reader, status: str = "unresolved",
               kind: str | None = None) -> Response:
    status = status if status in STATUS_FILTERS else "unresolved"
    kind = kind if kind in KIND_LABELS else None
    view = ListView.of(request, queries.browse_alerts(
        session, list_request(request), status=None if status == "all" else status, kind=kind))
    return render(request, "alerts/list.html", title=N_("Alerts"), view=view, status=status, kind=kind,
                  kinds=KIND_LABELS, statuses=STATUS_LABELS, status_filters=STATUS_FILTERS,
                  summaries=_summaries(request, [row.Alert for row in view.rows]),
                  can_act=actor.can("alerts.act"))


def _summaries(request: Request, alerts: list[Any]) -> dict[int, str]:
    """Each alert's list-row text in the reader's language, true in its current state."""
    words = request_words(request)
    return {a.id: wording.summary(words, a.kind, resolved=a.status == AlertStatus.RESOLVED, numbers=a.numbers)
            or a.message for a in alerts}


def _detail(request: Request, session: Session, actor: Actor, alert_id: int, form: FormState,
            status_code: int = 200) -> Response:
    view = queries.alert_view(session, alert_id)
    alert, supplier, item = view["alert"], view["supplier"], view["item"]
    location = view["location"]
    subject = {"supplier": supplier.code, "item": item.code if item else None, "unit": item.unit if item else None,
               "location": location.code if location else None}
    sentence = wording.sentence(request_words(request), alert.kind, resolved=alert.status == AlertStatus.RESOLVED,
                                subject=subject, numbers=alert.numbers) or alert.message
    return render(request, "alerts/detail.html", title=N_("Alert #%(id)s"), title_params={"id": alert_id},
                  form=form, kinds=KIND_LABELS, statuses=STATUS_LABELS, can_act=actor.can("alerts.act"),
                  sentence=sentence, labels=wording.FIGURE_LABELS, figures=wording.figures(alert.numbers),
                  status_code=status_code, **view)


@router.get("/alerts/{alert_id}")
def alert_detail(request: Request, session: DbSession, actor: Reader, alert_id: Id) -> Response:
    return _detail(request, session, actor, alert_id, FormState(values={}))


@router.post("/alerts/{alert_id}/acknowledge")
async def acknowledge(request: Request, session: DbSession, actor: Actor_, alert_id: Id) -> Response:
    back = safe_next((await request.form()).get("next"), f"/alerts/{alert_id}")
    try:
        service.acknowledge_alert(session, alert_id, actor=actor)
    except Conflict:  # a colleague was quicker, or stock came back: say so instead of an error page
        session.rollback()
        return flash(redirect(back), request, N_("Alert #%(id)s is no longer open."), id=alert_id)
    session.commit()
    return flash(redirect(back), request, N_("Alert #%(id)s acknowledged."), id=alert_id)


@router.post("/alerts/{alert_id}/comments")
async def comment(request: Request, session: DbSession, actor: Actor_, alert_id: Id) -> Response:
    form = FormState(values=form_values(await request.form(), ["text"]))
    body = parse(CommentCreate, form.values, form)
    if body is not None:
        try:
            service.add_comment(session, alert_id, body, actor=actor)
            session.commit()
            return flash(redirect(f"/alerts/{alert_id}#comments"), request, N_("Comment added."))
        except DomainError as error:
            session.rollback()
            add_domain_error(form, error)
    return _detail(request, session, actor, alert_id, form, status_code=422)


@router.get("/inbox")
def inbox(request: Request, session: DbSession, actor: InboxReader, unread: bool = False) -> Response:
    view = ListView.of(request, queries.browse_inbox(session, actor, list_request(request), unread_only=unread))
    words = request_words(request)
    return render(request, "alerts/inbox.html", title=N_("Inbox"), view=view, unread=unread,
                  unread_count=queries.count_unread(session, actor), events=EVENT_LABELS,
                  worded={m.id: queries.inbox_read(m, words) for m in view.rows})


@router.post("/inbox/{message_id}/read")
async def read_message(request: Request, session: DbSession, actor: InboxReader, message_id: Id) -> Response:
    back = safe_next((await request.form()).get("next"), "/inbox")
    service.mark_read(session, message_id, actor=actor)
    session.commit()
    return redirect(back)


@router.post("/inbox/read-all")
async def read_all(request: Request, session: DbSession, actor: InboxReader) -> Response:
    marked = service.mark_all_read(session, actor=actor)
    session.commit()
    return flash(redirect("/inbox"), request, N_("%(count)s messages marked read."), count=marked)


OUTBOX_FILTERS = {"failing": N_("Failing"),
                  **{status.value: status.label for status in (OutboxStatus.DEAD, OutboxStatus.PENDING,
                                                               OutboxStatus.DELIVERED)},
                  "all": N_("All")}
CHANNEL_LABELS = Channel.labels()


@router.get("/notifications/deliveries")
def deliveries(request: Request, session: DbSession, _: Admin, status: str = "failing") -> Response:
    status = status if status in OUTBOX_FILTERS else "failing"
    view = ListView.of(request, queries.browse_outbox(session, list_request(request),
                                                      status=None if status == "all" else status))
    errors = {row.id: delivery_failure(request, row.last_error) for row in view.rows if row.last_error}
    return render(request, "alerts/deliveries.html", title=N_("Notification deliveries"), view=view, status=status,
                  filters=OUTBOX_FILTERS, channels=CHANNEL_LABELS, counts=queries.outbox_counts(session),
                  errors=errors)


# A stored failure, e.g. "HTTP 503" or "10.0.0.5 is a private network address", matched back to its
# msgid and values, so that it reads in the viewer's language; anything else is shown as stored.
_FAILURES = [(msgid, re.compile(re.sub(r"%\\\((\w+)\\\)s", r"(?P<\1>.+)", re.escape(msgid))))
             for msgid in rules.DELIVERY_FAILURES]


def delivery_failure(request: Request, text: str) -> str:
    for msgid, pattern in _FAILURES:
        match = pattern.fullmatch(text)
        if match:
            return translate(request, msgid, **match.groupdict())
    return text


@router.post("/notifications/deliveries/{message_id}/retry")
async def retry_delivery(request: Request, session: DbSession, _: Admin, message_id: Id) -> Response:
    back = safe_next((await request.form()).get("next"), "/notifications/deliveries")
    try:
        service.retry_outbox_message(session, message_id)
    except Conflict:
        session.rollback()
        return flash(redirect(back), request, N_("Delivery #%(id)s cannot be retried."), id=message_id)
    session.commit()
    return flash(redirect(back), request, N_("Delivery #%(id)s will be retried at the next worker pass."),
                 id=message_id)


WEBHOOK_FIELDS = ["name", "url", "supplier_id", "kind"]


def _webhooks(request: Request, session: Session, form: FormState, *, issued: Any = None,
              status_code: int = 200) -> Response:
    suppliers = [(str(i), f"{code} · {name}") for i, code, name in parties_queries.supplier_choices(session)]
    kinds = [(k, translate(request, label)) for k, label in KIND_LABELS.items()]
    codes = {i: code for i, code, _ in parties_queries.supplier_choices(session)}
    return render(request, "alerts/webhooks.html", title=N_("Webhook endpoints"), form=form, issued=issued,
                  endpoints=queries.list_all_webhook_endpoints(session), suppliers=suppliers, kinds=kinds,
                  kind_labels=KIND_LABELS, supplier_codes=codes, status_code=status_code)


@router.get("/notifications/webhooks")
def webhooks(request: Request, session: DbSession, _: Admin) -> Response:
    return _webhooks(request, session, FormState(values={}))


@router.post("/notifications/webhooks")
async def create_webhook(request: Request, session: DbSession, _: Admin) -> Response:
    form = FormState(values=form_values(await request.form(), WEBHOOK_FIELDS))
    data = {k: v for k, v in form.values.items() if k != "kind"}
    if form.values.get("kind"):
        data["kinds"] = [form.values["kind"]]
    body = parse(WebhookEndpointCreate, data, form, field_names={"kinds": "kind"})
    if body is not None:
        try:
            targets = WebhookTargets.allowing(request.app.state.settings.webhook_allowed_hosts)
            issued = service.create_webhook_endpoint(session, body, targets=targets)
            session.commit()
            return _webhooks(request, session, FormState(values={}), issued=issued)
        except DomainError as error:
            session.rollback()
            add_domain_error(form, error)
    return _webhooks(request, session, form, status_code=422)


@router.post("/notifications/webhooks/{endpoint_id}/delete")
async def delete_webhook(request: Request, session: DbSession, _: Admin, endpoint_id: Id) -> Response:
    service.delete_webhook_endpoint(session, endpoint_id)
    session.commit()
    return flash(redirect("/notifications/webhooks"), request, N_("Webhook endpoint deleted."))


def _open_alerts_panel(session: Session, actor: Actor) -> dict[str, Any]:
    return {**queries.recent_unresolved(session), "kinds": KIND_LABELS}


feature = PortalFeature(
    router=router,
    nav=[NavEntry(N_("Alerts"), "/alerts", permission="alerts.read", order=30),
         NavEntry(N_("Inbox"), "/inbox", permission="notifications.read", order=95),
         NavEntry(N_("Notifications"), "/notifications/deliveries", permission="notifications.manage", order=96)],
    panels=[DashboardPanel(key="alerts", title=N_("Open alerts"), template="alerts/panel.html",
                           roles=frozenset({"buyer", "supplier", "admin"}), load=_open_alerts_panel, order=10)],
)
