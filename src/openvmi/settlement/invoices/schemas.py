"""Invoice shapes: the supplier's invoice, finance's self-billing and tolerance, the invoice with its differences."""
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from openvmi.fields import Code, Currency, Id, Money, Percent, Text
from openvmi.settlement.invoices.rules import Figure, Finding, InvoiceSource, InvoiceState
from openvmi.settlement.statements.rules import StatementState


class RateAmountsIn(BaseModel):
    tax_rate_percent: Percent
    net: Decimal = Field(ge=-10**12, le=10**12)
    tax: Decimal = Field(ge=-10**12, le=10**12)


class InvoiceCreate(BaseModel):
    """The supplier's invoice for its confirmed statement; `by_rate` as printed on the invoice (optional
    for a statement of one tax rate)."""

    statement_id: Id
    number: Code
    invoice_date: date
    net: Decimal = Field(ge=-10**12, le=10**12)
    tax: Decimal = Field(ge=-10**12, le=10**12)
    gross: Decimal = Field(ge=-10**12, le=10**12)
    by_rate: list[RateAmountsIn] = Field(default_factory=list, max_length=20)


class SelfBill(BaseModel):
    """Finance issues the invoice of a confirmed self-billing (ERS) statement: its amounts are the statement's."""

    number: Code
    invoice_date: date


class ToleranceSet(BaseModel):
    """Finance's matching tolerance for a currency: an invoice matches when every difference is within both."""

    absolute_amount: Money
    percent: Percent


class ToleranceRead(ToleranceSet):
    currency: str
    changed_at: datetime | None


class Rejection(BaseModel):
    reason: Text = Field(min_length=1, max_length=500)


class DifferenceRead(BaseModel):
    tax_rate_percent: Decimal | None  # None: the invoice's totals
    figure: Figure
    statement: Decimal
    invoice: Decimal
    difference: Decimal
    within_tolerance: bool


class InvoiceRead(BaseModel):
    id: int
    statement_id: int
    statement_state: StatementState
    supplier_id: int
    source: InvoiceSource
    state: InvoiceState
    number: str
    invoice_date: date
    currency: Currency
    net: Decimal
    tax: Decimal
    gross: Decimal
    by_rate: list[RateAmountsIn]
    has_pdf: bool
    pdf_sha256: str | None
    pdf_bytes: int | None
    recorded_at: datetime
    differences: list[DifferenceRead]  # against the statement now, with finance's tolerance
    matches: bool


class InvoicePage(BaseModel):
    items: list[InvoiceRead]


class FindingRead(BaseModel):
    finding: Finding
    move_id: int | None = None
    line_id: int | None = None
    statement_id: int | None = None
    invoice_number: str | None = None
    figure: Figure | None = None
    tax_rate_percent: Decimal | None = None
    quantity: Decimal | None = None  # line minus move, or the move's signed quantity when it has no line
    amount: Decimal | None = None  # the money concerned (a line's net, a statement's gross, invoice minus statement)
    within_tolerance: bool | None = None


class ReportStatement(BaseModel):
    id: int
    state: StatementState
    currency: str
    period_start: date
    period_end: date
    line_count: int
    net: Decimal
    tax: Decimal
    gross: Decimal
    invoice_number: str | None
    invoice_gross: Decimal | None


class ReportRead(BaseModel):
    """A supplier's period from ownership moves to invoices, with every difference found."""

    supplier_id: int
    supplier_code: str
    supplier_name: str
    since: date
    until: date
    ownership_moves: int
    settlement_lines: int
    lines_net: Decimal
    statements: list[ReportStatement]
    differences: list[FindingRead]
