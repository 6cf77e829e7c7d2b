"""Pure invoice rules: the invoice's states, the tolerance test and the differences against a statement."""
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openvmi.enums import N_, Labelled
from openvmi.settlement.statements.rules import Totals


class InvoiceState(Labelled):
    RECORDED = "recorded", N_("Recorded")  # waiting for finance to match it
    MATCHED = "matched", N_("Matched")
    REJECTED = "rejected", N_("Rejected")  # finance sent it back: the supplier records a corrected one


class InvoiceSource(Labelled):
    SUPPLIER = "supplier", N_("Recorded by the supplier")
    SELF_BILLED = "self_billed", N_("Self-billed by finance (ERS)")


class Figure(Labelled):
    NET = "net", N_("Net")
    TAX = "tax", N_("Tax")
    GROSS = "gross", N_("Gross")


class Finding(Labelled):
    """A difference the reconciliation report lists, from moves to invoices."""

    MOVE_WITHOUT_LINE = "move_without_line", N_("Ownership move without a settlement line")
    LINE_WITHOUT_MOVE = "line_without_move", N_("Settlement line without its move")
    QUANTITY_DIFFERS = "quantity_differs", N_("Line quantity differs from its move")
    AMOUNT_DIFFERS = "amount_differs", N_("Amount differs from quantity x price")
    LINE_NOT_ON_STATEMENT = "line_not_on_statement", N_("Line on no statement")
    NO_INVOICE = "no_invoice", N_("Confirmed statement without an invoice")
    INVOICE_DIFFERS = "invoice_differs", N_("Invoice differs from its statement")


@dataclass(frozen=True)
class Tolerance:
    """How far an invoice may be from its statement and still match: within both limits."""

    absolute: Decimal = Decimal(0)
    percent: Decimal = Decimal(0)

    def allows(self, difference: Decimal, expected: Decimal) -> bool:
        """True when |difference| is at most the absolute limit and at most `percent` of |expected|."""
        return abs(difference) <= self.absolute and abs(difference) * 100 <= self.percent * abs(expected)


@dataclass(frozen=True)
class RateAmounts:
    tax_rate_percent: Decimal
    net: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Difference:
    """One figure of the invoice against the statement; tax_rate_percent None: the invoice's totals."""

    tax_rate_percent: Decimal | None
    figure: Figure
    statement: Decimal
    invoice: Decimal
    within_tolerance: bool

    @property
    def amount(self) -> Decimal:
        return self.invoice - self.statement


def differences(statement: Totals, *, net: Decimal, tax: Decimal, gross: Decimal,
                by_rate: Sequence[RateAmounts], tolerance: Tolerance) -> list[Difference]:
    """Every figure where the invoice differs from the statement: per tax rate (when the invoice
    states its rates; a statement of one rate reads an invoice without rates as that rate's), then
    the totals. An empty list: the invoice matches exactly."""
    rows: list[Difference] = []
    stated = {Decimal(r.tax_rate_percent).normalize(): r for r in by_rate}
    if not stated and len(statement.by_rate) == 1:
        only = statement.by_rate[0]
        stated = {Decimal(only.tax_rate_percent).normalize(): RateAmounts(only.tax_rate_percent, net, tax)}
    expected = {Decimal(r.tax_rate_percent).normalize(): r for r in statement.by_rate}
    if stated:
        for rate in sorted(set(stated) | set(expected)):
            mine = expected.get(rate)
            theirs = stated.get(rate)
            for figure, ours, billed in (
                    (Figure.NET, mine.net if mine else Decimal(0), theirs.net if theirs else Decimal(0)),
                    (Figure.TAX, mine.tax if mine else Decimal(0), theirs.tax if theirs else Decimal(0))):
                if ours != billed:
                    rows.append(Difference(rate, figure, ours, billed, tolerance.allows(billed - ours, ours)))
    for figure, ours, billed in ((Figure.NET, statement.net, net), (Figure.TAX, statement.tax, tax),
                                 (Figure.GROSS, statement.gross, gross)):
        if ours != billed:
            rows.append(Difference(None, figure, ours, billed, tolerance.allows(billed - ours, ours)))
    return rows


def matches(found: Sequence[Difference]) -> bool:
    """An invoice matches when every difference is within the tolerance."""
    return all(row.within_tolerance for row in found)
