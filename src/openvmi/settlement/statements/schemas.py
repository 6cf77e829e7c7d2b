"""Statement shapes: generate, disputes, credits, and the statement as people read it."""
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from openvmi.fields import Id, Money, Text
from openvmi.settlement.rules import SettlementCycle, SettlementKind
from openvmi.settlement.statements.rules import DisputeState, StatementAction, StatementState


class StatementGenerate(BaseModel):
    """Generate (or regenerate the drafts of) the statements of the periods that hold `day`."""

    # Bounded so that every cycle's period around it is a real date (a week may end in the next year).
    day: date = Field(ge=date(1900, 1, 1), le=date(9999, 12, 24))
    supplier_id: Id | None = None  # None: every supplier with lines not yet on a statement


class GeneratedStatement(BaseModel):
    statement_id: int
    supplier_id: int
    currency: str
    period_start: date
    period_end: date
    added_lines: int  # lines this run put on the statement (0: nothing came in late)


class LineObjection(BaseModel):
    line_id: Id
    comment: Text = Field(min_length=1, max_length=500)


class DisputeCreate(BaseModel):
    """The supplier's objections: one comment per disputed line."""

    lines: list[LineObjection] = Field(min_length=1, max_length=500)


class CreditCreate(BaseModel):
    """Finance credits part or all of a disputed line's net amount, with a reason."""

    line_id: Id
    amount: Money = Field(gt=0)
    reason: Text = Field(min_length=1, max_length=500)


class Note(BaseModel):
    note: Text | None = Field(default=None, max_length=500)


class StatementLineRead(BaseModel):
    id: int
    kind: SettlementKind
    item_code: str
    item_name: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate_percent: Decimal
    net_amount: Decimal
    price_day: date
    reverses_line_id: int | None
    reason: str | None


class RateTotalRead(BaseModel):
    tax_rate_percent: Decimal
    net: Decimal
    tax: Decimal


class DisputeRead(BaseModel):
    id: int
    line_id: int
    comment: str
    state: DisputeState
    corrected: bool  # a credit or reversal names the line: the dispute no longer blocks
    opened_at: datetime
    withdrawn_at: datetime | None


class StatementEventRead(BaseModel):
    action: StatementAction
    from_state: StatementState | None
    to_state: StatementState
    actor_name: str | None
    at: datetime
    line_count: int | None = Field(description="lines a generation or dispute touched")
    line_id: int | None = Field(description="the line a withdrawal or credit was about")
    note: str | None = Field(description="what the person typed: a confirmation's note, a credit's reason")


class StatementSummary(BaseModel):
    id: int
    supplier_id: int
    supplier_code: str
    supplier_name: str
    currency: str
    cycle: SettlementCycle
    period_start: date
    period_end: date
    state: StatementState
    line_count: int
    net: Decimal
    tax: Decimal
    gross: Decimal
    blocking_disputes: int
    changed_at: datetime


class StatementRead(StatementSummary):
    by_rate: list[RateTotalRead]
    lines: list[StatementLineRead]
    disputes: list[DisputeRead]
    history: list[StatementEventRead]


class StatementPage(BaseModel):
    items: list[StatementSummary]
