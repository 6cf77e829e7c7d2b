"""Alerts with their comments, per-user inbox messages, webhook endpoints and the outbox."""
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ColumnElement, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openvmi.alerts.rules import AlertKind, AlertStatus, Channel, OutboxStatus
from openvmi.db import Base, UtcDateTime, one_of, utcnow
from openvmi.scoping import SupplierScoped


class Alert(SupplierScoped, Base):
    """A condition on a subject (supplier, optionally item and location), open until it clears."""

    __tablename__ = "alert"
    __table_args__ = (
        one_of("kind", AlertKind),
        one_of("status", AlertStatus),
        # open_key is the subject key while unresolved and NULL once resolved; its unique index
        # is the "one unresolved alert per subject" guarantee on SQLite and PostgreSQL alike.
        CheckConstraint("(status = 'resolved') = (open_key IS NULL)", name="open_key_while_unresolved"),
        CheckConstraint("(status = 'resolved') = (resolved_at IS NOT NULL)", name="resolved_at"),
        Index("ix_alert_supplier_status", "supplier_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("party.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    open_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=AlertStatus.OPENED.value)
    message: Mapped[str] = mapped_column(String(1000))
    numbers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    comments: Mapped[list["AlertComment"]] = relationship(
        back_populates="alert", order_by="AlertComment.id", cascade="all, delete-orphan")

    @classmethod
    def supplier_criterion(cls, supplier_id: int) -> ColumnElement[bool]:
        return cls.supplier_id == supplier_id

    def writable_by(self, supplier_id: int) -> bool:
        return self.supplier_id == supplier_id


class AlertComment(SupplierScoped, Base):
    """A remark on an alert; carries the alert's supplier so the boundary needs no join."""

    __tablename__ = "alert_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("party.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    alert: Mapped[Alert] = relationship(back_populates="comments")

    @classmethod
    def supplier_criterion(cls, supplier_id: int) -> ColumnElement[bool]:
        return cls.supplier_id == supplier_id

    def writable_by(self, supplier_id: int) -> bool:
        return self.supplier_id == supplier_id


class InboxMessage(Base):
    """An in-app notification for one user; written with the alert, read in the portal/API."""

    __tablename__ = "inbox_message"
    __table_args__ = (Index("ix_inbox_message_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alert.id"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    # Rows written before the wording moved to read time hold English title and body; newer rows
    # hold only `content` (alerts.wording: the event's facts), worded in the reader's language.
    title: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    content: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class WebhookEndpoint(Base):
    """An HTTP endpoint that receives signed alert events (all suppliers, or one)."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    url: Mapped[str] = mapped_column(String(1000))
    # Kept in clear: the worker needs it to sign; the API shows it only when it is created.
    secret: Mapped[str] = mapped_column(String(200))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"), index=True)
    kinds: Mapped[list[str] | None] = mapped_column(JSON)  # None: every alert kind
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class OutboxMessage(Base):
    """A side effect waiting to leave (e-mail or webhook), written in the alert's transaction.

    The worker claims a row by setting claimed_until (a lease), delivers outside any transaction,
    then records the outcome; a worker that dies leaves the lease to expire and the row is retried.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        one_of("channel", Channel),
        one_of("status", OutboxStatus),
        Index("ix_outbox_message_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    event: Mapped[str] = mapped_column(String(40))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alert.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(1000))  # e-mail address or webhook URL
    endpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="SET NULL"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    last_error: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
