"""Notices of other features' documents (a statement issued, disputed, confirmed) for the people
concerned: inbox rows and e-mails written in the document's transaction, worded when read or sent."""
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from openvmi.alerts.models import InboxMessage, OutboxMessage
from openvmi.alerts.rules import FINANCE_ROLES, AlertEvent, Audience, Channel, OutboxStatus
from openvmi.auth.models import User
from openvmi.db import utcnow
from openvmi.parties.models import Party
from openvmi.scoping import unscoped


@dataclass(frozen=True)
class Notice:
    event: AlertEvent
    supplier_id: int  # whose document it is
    audience: Audience
    facts: dict[str, Any] = field(default_factory=dict)  # what alerts.wording needs to word it


def notify(session: Session, notices: Sequence[Notice], *, now: datetime | None = None) -> None:
    """An inbox row (and an e-mail where the user has an address) for every active user the notice is
    for. Caller commits."""
    now = now or utcnow()
    with unscoped(session):  # a supplier's answer is for the buyer's finance staff, and the other way round
        codes = dict(session.execute(select(Party.id, Party.code).where(
            Party.id.in_({notice.supplier_id for notice in notices}))).all())
        users = session.execute(select(User.id, User.email, User.role, User.supplier_id).where(
            User.active.is_(True), or_(User.role.in_(FINANCE_ROLES), User.role == "supplier"))
            .order_by(User.id)).all()
    inbox, outbox = [], []
    for notice in notices:
        content = {"event": str(notice.event), "supplier": codes.get(notice.supplier_id), **notice.facts,
                   "at": now.isoformat()}
        for user in users:
            if not _hears(user, notice):
                continue
            inbox.append({"user_id": user.id, "alert_id": None, "event": notice.event, "title": None, "body": None,
                          "content": content, "created_at": now, "read_at": None})
            if user.email:
                outbox.append({"channel": Channel.EMAIL, "event": notice.event, "alert_id": None,
                               "recipient": user.email, "endpoint_id": None,
                               "payload": {"to": user.email, "user_id": user.id, "content": content},
                               "status": OutboxStatus.PENDING, "attempts": 0, "next_attempt_at": now,
                               "created_at": now})
    if inbox:
        session.execute(insert(InboxMessage), inbox)
    if outbox:
        session.execute(insert(OutboxMessage), outbox)


def _hears(user: Any, notice: Notice) -> bool:
    if notice.audience is Audience.SUPPLIER:
        return user.role == "supplier" and user.supplier_id == notice.supplier_id
    return user.role in FINANCE_ROLES
