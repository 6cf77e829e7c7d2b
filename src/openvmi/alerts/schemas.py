"""Alert signals from the features that watch stock, and the alert/notification API shapes."""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, UrlConstraints, field_validator

from openvmi.alerts import wording
from openvmi.alerts.rules import AlertEvent, AlertKind, AlertStatus, Channel, OutboxStatus
from openvmi.fields import Id, Text

# A receiver's address, no longer than its column (webhook_endpoint.url).
WebhookUrl = Annotated[HttpUrl, UrlConstraints(max_length=1000)]
# A list filter takes a state, or one of these views over several states.
AlertStatusFilter = AlertStatus | Literal["unresolved"]
OutboxStatusFilter = OutboxStatus | Literal["failing"]  # pending after a failed attempt


@dataclass(frozen=True, slots=True)
class AlertSignal:
    """The current truth about one subject: is its condition active right now?

    Callers send a signal for every subject they checked (active or not); sync_alerts turns
    changes of state into opened and resolved alerts.
    """

    kind: AlertKind
    supplier_id: int
    item_id: int | None
    location_id: int | None
    active: bool
    # English, true in the state `active` says (the API's and webhooks' text). Left empty, it is
    # worded from kind, subject and numbers (alerts.wording), only for alerts that change.
    message: str = ""
    numbers: dict[str, str | None] = field(default_factory=dict)  # decimals as text; None: not set
    subject: dict[str, str | None] = field(default_factory=dict)  # supplier, item codes and unit

    def __post_init__(self) -> None:
        if self.kind not in AlertKind.values():
            raise ValueError(f"unknown alert kind: {self.kind!r}")


@dataclass(frozen=True)
class SyncResult:
    opened: int = 0
    resolved: int = 0
    unchanged: int = 0


class AlertFilter(BaseModel):
    status: AlertStatusFilter | None = None
    kind: AlertKind | None = None
    supplier_id: Id | None = None
    item_id: Id | None = None
    location_id: Id | None = None


class CommentCreate(BaseModel):
    text: Text = Field(min_length=1, max_length=4000)


class CommentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    alert_id: int
    author_id: int | None
    text: str
    created_at: datetime


class AlertRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: AlertKind
    supplier_id: int
    item_id: int | None
    location_id: int | None
    status: AlertStatus
    message: str  # English, true in the alert's current state
    numbers: dict[str, Any]  # figures as numbers; a mark that is not set is null
    opened_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by_id: int | None
    resolved_at: datetime | None
    updated_at: datetime


    @field_validator("numbers", mode="before")
    @classmethod
    def _typed(cls, numbers: dict[str, Any]) -> dict[str, Any]:
        return wording.json_figures(numbers)


class AlertDetail(AlertRead):
    comments: list[CommentRead]


class AlertPage(BaseModel):
    items: list[AlertRead]
    next_cursor: str | None


class InboxRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    alert_id: int | None
    event: AlertEvent
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


class InboxPage(BaseModel):
    items: list[InboxRead]
    next_cursor: str | None
    unread: int


class WebhookEndpointCreate(BaseModel):
    name: Text = Field(min_length=1, max_length=120)
    url: WebhookUrl
    secret: Text | None = Field(default=None, min_length=16, max_length=200)  # generated when omitted
    supplier_id: Id | None = None  # only this supplier's alerts; None: all
    kinds: list[AlertKind] | None = None  # None: every kind
    active: bool = True


class WebhookEndpointUpdate(BaseModel):
    name: Text | None = Field(default=None, min_length=1, max_length=120)
    url: WebhookUrl | None = None
    secret: Text | None = Field(default=None, min_length=16, max_length=200)
    supplier_id: Id | None = None
    kinds: list[AlertKind] | None = None
    active: bool | None = None


class WebhookEndpointRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    url: str
    supplier_id: int | None
    kinds: list[AlertKind] | None
    active: bool
    created_at: datetime


class WebhookEndpointIssued(WebhookEndpointRead):
    secret: str  # shown when created (or rotated); receivers verify signatures with it


class WebhookEndpointPage(BaseModel):
    items: list[WebhookEndpointRead]
    next_cursor: str | None


class OutboxRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    channel: Channel
    event: AlertEvent
    alert_id: int | None
    recipient: str
    endpoint_id: int | None
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    claimed_until: datetime | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


class OutboxPage(BaseModel):
    items: list[OutboxRead]
    next_cursor: str | None


class OutboxFilter(BaseModel):
    status: OutboxStatusFilter | None = None
    channel: Channel | None = None
    alert_id: Id | None = None


@dataclass(frozen=True)
class DeliveryJob:
    """What the worker needs to deliver one claimed outbox row, detached from the session."""

    id: int
    channel: Channel
    event: AlertEvent
    recipient: str
    payload: dict[str, Any]
    attempts: int
    secret: str | None  # webhook only


@dataclass(frozen=True)
class DeliveryOutcome:
    id: int
    error: str | None = None  # None: delivered


@dataclass(frozen=True)
class WorkerPass:
    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    dead: int = 0
