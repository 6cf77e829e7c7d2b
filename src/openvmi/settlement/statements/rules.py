"""Pure statement rules: one enum of states, the transition table, who acts, and the money totals."""
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from openvmi.enums import N_, Labelled
from openvmi.settlement.rules import round_money, tax_amount


class StatementState(Labelled):
    DRAFT = "draft", N_("Draft")
    ISSUED = "issued", N_("Issued")
    CONFIRMED = "confirmed", N_("Confirmed")
    DISPUTED = "disputed", N_("Disputed")
    INVOICED = "invoiced", N_("Invoiced")
    MATCHED = "matched", N_("Matched")
    CLOSED = "closed", N_("Closed")


class StatementAction(Labelled):
    GENERATE = "generate", N_("Generate")
    REGENERATE = "regenerate", N_("Regenerate")  # a draft takes the lines that came in late
    ISSUE = "issue", N_("Issue")
    CONFIRM = "confirm", N_("Confirm")
    DISPUTE = "dispute", N_("Dispute")
    WITHDRAW = "withdraw", N_("Withdraw a dispute")
    CREDIT = "credit", N_("Credit a line")
    INVOICE = "invoice", N_("Record the invoice")
    SELF_BILL = "self_bill", N_("Self-bill (ERS)")  # finance issues the invoice where the agreement says so
    MATCH = "match", N_("Match the invoice")
    MISMATCH = "mismatch", N_("Invoice does not match")  # stays invoiced; the differences are on the invoice
    REJECT = "reject", N_("Reject the invoice")  # back to confirmed: the supplier records a corrected one
    CLOSE = "close", N_("Close")


class Side(Labelled):
    """Who may take an action: the buyer's finance staff or the statement's supplier."""

    FINANCE = "finance", N_("Finance")
    SUPPLIER = "supplier", N_("Supplier")


class DisputeState(Labelled):
    OPEN = "open", N_("Open")
    WITHDRAWN = "withdrawn", N_("Withdrawn")


S, A = StatementState, StatementAction
# state -> action -> next state. Disputing, withdrawing and crediting keep a disputed statement
# disputed; it is confirmed once no dispute blocks (rules of the use case, not of the table).
TRANSITIONS: dict[StatementState, dict[StatementAction, StatementState]] = {
    S.DRAFT: {A.REGENERATE: S.DRAFT, A.ISSUE: S.ISSUED},
    S.ISSUED: {A.CONFIRM: S.CONFIRMED, A.DISPUTE: S.DISPUTED},
    S.DISPUTED: {A.DISPUTE: S.DISPUTED, A.WITHDRAW: S.DISPUTED, A.CREDIT: S.DISPUTED, A.CONFIRM: S.CONFIRMED},
    S.CONFIRMED: {A.INVOICE: S.INVOICED, A.SELF_BILL: S.INVOICED},
    S.INVOICED: {A.MATCH: S.MATCHED, A.MISMATCH: S.INVOICED, A.REJECT: S.CONFIRMED},
    S.MATCHED: {A.CLOSE: S.CLOSED},
    S.CLOSED: {},
}
ACTORS: dict[StatementAction, Side] = {
    A.GENERATE: Side.FINANCE, A.REGENERATE: Side.FINANCE, A.ISSUE: Side.FINANCE, A.CREDIT: Side.FINANCE,
    A.MATCH: Side.FINANCE, A.CLOSE: Side.FINANCE, A.SELF_BILL: Side.FINANCE, A.MISMATCH: Side.FINANCE,
    A.REJECT: Side.FINANCE,
    A.CONFIRM: Side.SUPPLIER, A.DISPUTE: Side.SUPPLIER, A.WITHDRAW: Side.SUPPLIER, A.INVOICE: Side.SUPPLIER,
}
# Actions a client may send again after losing the answer: asked on a statement already in the state
# the action leads to, they answer the statement as it is and write nothing (not 409).
RETRYABLE = frozenset({A.ISSUE, A.CONFIRM, A.MATCH, A.CLOSE})
# What a supplier may see: everything but the buyer's drafts.
VISIBLE_TO_SUPPLIER = frozenset(state for state in StatementState if state is not S.DRAFT)
del S, A


def next_state(state: str, action: StatementAction) -> StatementState | None:
    """The state `action` leads to from `state`, or None when the table does not allow it there."""
    return TRANSITIONS[StatementState(state)].get(action)


def repeats(state: str, action: StatementAction) -> bool:
    """Whether `action` asks again for the state a statement is in already: a retry, not a contradiction."""
    return action in RETRYABLE and any(targets.get(action) == state for targets in TRANSITIONS.values())


def allowed_actions(state: str, side: Side) -> list[StatementAction]:
    """The actions `side` may take on a statement in `state`, in the table's order."""
    return [action for action in TRANSITIONS[StatementState(state)] if ACTORS[action] is side]


@dataclass(frozen=True)
class RateTotal:
    tax_rate_percent: Decimal
    net: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Totals:
    net: Decimal
    tax: Decimal
    gross: Decimal
    by_rate: list[RateTotal]


def totals(lines: Iterable[tuple[Decimal, Decimal, int]], currency: str) -> Totals:
    """A statement's money from its lines, given as (tax rate, net, how many lines have both): net per
    line as stored, tax per line by `settlement.rules.tax_amount` (the lines list's rule), summed per
    rate; gross is net plus tax (docs/decisions.md, Statements). So a statement's tax is always the sum
    of the taxes its lines show."""
    sums: dict[Decimal, list[Decimal]] = {}
    for rate, net, count in lines:
        total = sums.setdefault(Decimal(rate).normalize(), [Decimal(0), Decimal(0)])
        total[0] += net * count
        total[1] += tax_amount(net, rate, currency) * count
    places = round_money(Decimal(0), currency)
    by_rate = [RateTotal(rate, round_money(net, currency), round_money(tax, currency))
               for rate, (net, tax) in sorted(sums.items())]
    net = sum((row.net for row in by_rate), places)
    tax = sum((row.tax for row in by_rate), places)
    return Totals(net=net, tax=tax, gross=net + tax, by_rate=by_rate)
