"""Settlement shapes: which lines to list, a line as read with its tax, totals per currency, and the
reconciliation of ownership moves against lines."""
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel

from openvmi.errors import FieldError, InvalidInput, Reason
from openvmi.fields import Id
from openvmi.settlement.rules import Difference, SettlementKind


class LineFilter(BaseModel):
    """Lines wanted: every given condition holds. `since`/`until` are local days (the line's
    `price_day`), both included; `on_statement` true: lines on a statement, false: not yet."""

    supplier_id: Id | None = None
    item_id: Id | None = None
    agreement_id: Id | None = None
    kind: SettlementKind | None = None
    since: date | None = None
    until: date | None = None
    on_statement: bool | None = None


def check_period(since: date | None, until: date | None) -> None:
    """Refuse a period that ends before it starts (the API's `from` and `to`)."""
    if since is not None and until is not None and until < since:
        raise InvalidInput([FieldError("to", Reason("the period ends before it starts"))])


class SettlementLineRead(BaseModel):
    id: int
    kind: SettlementKind
    supplier_id: int
    supplier_code: str
    agreement_id: int
    item_id: int
    item_code: str
    item_name: str
    unit: str
    # The VMI store the supplier's stock was taken from, returned to or bought out in (none for a credit).
    location_code: str | None = None
    move_id: int | None  # none for finance's credit lines, which move no stock
    reverses_line_id: int | None
    quantity: Decimal
    unit_price: Decimal
    currency: str
    tax_rate_percent: Decimal
    net_amount: Decimal
    tax_amount: Decimal  # net x rate, rounded per line
    gross_amount: Decimal
    price_day: date
    occurred_at: datetime
    statement_id: int | None


class CurrencyTotal(BaseModel):
    """Every line wanted in one currency: quantity, net, tax (the sum of the lines' taxes) and gross."""

    currency: str
    lines: int
    quantity: Decimal
    net_amount: Decimal
    tax_amount: Decimal
    gross_amount: Decimal


class SettlementLinePage(BaseModel):
    items: list[SettlementLineRead]
    next_cursor: str | None
    totals: list[CurrencyTotal]  # of every line the filter selects, not only this page's


class ReconciliationFinding(BaseModel):
    """One ownership move or settlement line that does not settle exactly. `move_quantity` is signed
    like the line: + stock handed to the buyer, - given back."""

    difference: Difference
    move_id: int | None
    line_id: int | None
    item_id: int
    move_quantity: Decimal | None
    line_quantity: Decimal | None
    line_amount: Decimal | None
    expected_amount: Decimal | None  # the line's quantity at its price, by settlement.rules
    currency: str | None
    occurred_at: datetime


class ReconciliationRead(BaseModel):
    supplier_id: int
    since: date
    until: date
    moves: int  # ownership moves of the supplier in the period
    lines: int  # settlement lines of the supplier in the period
    differences: list[ReconciliationFinding]  # empty: every move has its line and every line its move
