"""Call-off shapes: create (lines), change lines, counter proposal, read, page, history."""
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from openvmi.fields import Id, PositiveQuantity, Text
from openvmi.vmi.call_offs.rules import CallOffAction, CallOffState


class CallOffLineCreate(BaseModel):
    agreement_id: Id  # an active agreement; every line of a call-off is with the same supplier
    quantity: PositiveQuantity
    due_date: date


class CallOffCreate(BaseModel):
    lines: list[CallOffLineCreate] = Field(min_length=1, max_length=500)
    note: Text | None = Field(default=None, max_length=500)


class CallOffLinesUpdate(BaseModel):
    """The buyer's new lines for a draft or a counter-proposed call-off (replacing all of them)."""

    lines: list[CallOffLineCreate] = Field(min_length=1, max_length=500)


class LineProposal(BaseModel):
    line_id: Id
    quantity: PositiveQuantity | None = None  # None: the quantity asked for is fine
    due_date: date | None = None  # None: the date asked for is fine


class CounterProposal(BaseModel):
    lines: list[LineProposal] = Field(min_length=1, max_length=500)
    note: Text | None = Field(default=None, max_length=500)


class Answer(BaseModel):
    """An optional word with an action (why rejected, why cancelled)."""

    note: Text | None = Field(default=None, max_length=500)


class CallOffLineRead(BaseModel):
    id: int
    agreement_id: int
    item_id: int
    item_code: str
    item_name: str
    unit: str
    location_code: str
    quantity: Decimal
    due_date: date
    proposed_quantity: Decimal | None
    proposed_due_date: date | None
    shipped_quantity: Decimal
    tolerance_percent: Decimal
    state: CallOffState | None  # accepted, partly shipped or shipped once shipping began; None before


class CallOffEventRead(BaseModel):
    action: CallOffAction
    from_state: CallOffState | None
    to_state: CallOffState
    actor_id: int | None
    actor_name: str | None
    at: datetime
    note: str | None


class CallOffRead(BaseModel):
    id: int
    supplier_id: int
    supplier_code: str
    supplier_name: str
    state: CallOffState
    note: str | None
    created_at: datetime
    changed_at: datetime
    lines: list[CallOffLineRead]
    history: list[CallOffEventRead]


class CallOffSummary(BaseModel):
    id: int
    supplier_id: int
    supplier_code: str
    state: CallOffState
    created_at: datetime
    changed_at: datetime
    line_count: int
    first_due_date: date | None


class CallOffPage(BaseModel):
    items: list[CallOffSummary]
    next_cursor: str | None
