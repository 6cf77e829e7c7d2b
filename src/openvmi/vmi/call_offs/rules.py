"""Pure call-off rules: one enum of states, the transition table, who may take each action."""
from dataclasses import dataclass
from decimal import Decimal

from openvmi.enums import N_, Labelled


class CallOffState(Labelled):
    DRAFT = "draft", N_("Draft")
    SENT = "sent", N_("Sent")
    ACCEPTED = "accepted", N_("Accepted")
    REJECTED = "rejected", N_("Rejected")
    COUNTER_PROPOSED = "counter_proposed", N_("Counter-proposed")
    PARTLY_SHIPPED = "partly_shipped", N_("Partly shipped")
    SHIPPED = "shipped", N_("Shipped")
    CLOSED = "closed", N_("Closed")
    CANCELLED = "cancelled", N_("Cancelled")


class CallOffAction(Labelled):
    CREATE = "create", N_("Create")
    SEND = "send", N_("Send")
    ACCEPT = "accept", N_("Accept")
    REJECT = "reject", N_("Reject")
    COUNTER_PROPOSE = "counter_propose", N_("Counter-propose")
    ACCEPT_PROPOSAL = "accept_proposal", N_("Accept the proposal")
    CANCEL = "cancel", N_("Cancel")
    CLOSE = "close", N_("Close")
    SHIP = "ship", N_("Ship")  # taken by shipments, never by hand
    UNSHIP = "unship", N_("Cancel a shipment")  # likewise


class Side(Labelled):
    """Which side of the call-off may take an action."""

    BUYER = "buyer", N_("Buyer")
    SUPPLIER = "supplier", N_("Supplier")
    SHIPMENTS = "shipments", N_("Shipments")


S, A = CallOffState, CallOffAction
# state -> action -> next state. Shipping moves between accepted, partly shipped and shipped;
# the state it lands on is decided by the lines (shipping_state), the table only allows it.
TRANSITIONS: dict[CallOffState, dict[CallOffAction, CallOffState]] = {
    S.DRAFT: {A.SEND: S.SENT, A.CANCEL: S.CANCELLED},
    S.SENT: {A.ACCEPT: S.ACCEPTED, A.REJECT: S.REJECTED, A.COUNTER_PROPOSE: S.COUNTER_PROPOSED, A.CANCEL: S.CANCELLED},
    # the buyer takes the supplier's proposal, or changes the lines and sends them again
    S.COUNTER_PROPOSED: {A.ACCEPT_PROPOSAL: S.ACCEPTED, A.SEND: S.SENT, A.CANCEL: S.CANCELLED},
    S.ACCEPTED: {A.SHIP: S.PARTLY_SHIPPED, A.CANCEL: S.CANCELLED, A.CLOSE: S.CLOSED},
    S.PARTLY_SHIPPED: {A.SHIP: S.SHIPPED, A.UNSHIP: S.ACCEPTED, A.CLOSE: S.CLOSED},
    S.SHIPPED: {A.UNSHIP: S.PARTLY_SHIPPED, A.CLOSE: S.CLOSED},
    S.REJECTED: {},
    S.CLOSED: {},
    S.CANCELLED: {},
}

ACTORS: dict[CallOffAction, Side] = {
    A.CREATE: Side.BUYER, A.SEND: Side.BUYER, A.CANCEL: Side.BUYER, A.CLOSE: Side.BUYER, A.ACCEPT_PROPOSAL: Side.BUYER,
    A.ACCEPT: Side.SUPPLIER, A.REJECT: Side.SUPPLIER, A.COUNTER_PROPOSE: Side.SUPPLIER,
    A.SHIP: Side.SHIPMENTS, A.UNSHIP: Side.SHIPMENTS,
}

# Lines may be changed while the buyer holds the call-off: before sending, or after a counter proposal.
EDITABLE_STATES = frozenset({S.DRAFT, S.COUNTER_PROPOSED})
# What the supplier has promised and not yet shipped: the replenishment projection counts it.
OPEN_ACCEPTED_STATES = frozenset({S.ACCEPTED, S.PARTLY_SHIPPED})
SHIPPABLE_STATES = OPEN_ACCEPTED_STATES | {S.SHIPPED}  # shipped: more may come within the tolerance
del S, A


def allowed(state: str, action: CallOffAction) -> bool:
    return action in TRANSITIONS[CallOffState(state)]


def allowed_actions(state: str, side: Side) -> list[CallOffAction]:
    """The actions `side` may take on a call-off in `state`, in the table's order."""
    return [action for action in TRANSITIONS[CallOffState(state)] if ACTORS[action] is side]


@dataclass(frozen=True)
class LineShipping:
    quantity: Decimal  # what was agreed
    shipped: Decimal  # what active shipments carry


def shipping_state(lines: list[LineShipping]) -> CallOffState:
    """Accepted, partly shipped or shipped, from what the lines' shipments carry."""
    if lines and all(line.shipped >= line.quantity for line in lines):
        return CallOffState.SHIPPED
    if any(line.shipped > 0 for line in lines):
        return CallOffState.PARTLY_SHIPPED
    return CallOffState.ACCEPTED


def line_state(quantity: Decimal, shipped: Decimal) -> CallOffState | None:
    """A line's own shipping state: partly shipped or shipped; None while nothing is shipped."""
    if shipped >= quantity:
        return CallOffState.SHIPPED
    return CallOffState.PARTLY_SHIPPED if shipped > 0 else None


def tolerance_limit(quantity: Decimal, tolerance_percent: Decimal) -> Decimal:
    """The most that may be shipped against a line of `quantity`, the agreement's tolerance included."""
    return quantity + quantity * tolerance_percent / Decimal(100)
