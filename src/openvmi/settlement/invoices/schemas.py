"""Invoice shapes: the supplier's invoice, finance's self-billing and tolerance, the invoice with its differences."""
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from openvmi.fields import Code, Currency, Id, Money, Percent, Text
from openvmi.settlement.invoices.rules import Figure, InvoiceSource, InvoiceState
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
