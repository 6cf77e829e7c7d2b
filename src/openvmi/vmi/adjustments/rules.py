"""Pure adjustment rules: reasons, directions, one enum of states with its transition table, the wait limit."""
from datetime import datetime, timedelta

from openvmi.enums import N_, Labelled


class AdjustmentReason(Labelled):
    CYCLE_COUNT = "cycle_count", N_("Cycle count")
    DAMAGE = "damage", N_("Damage")
    EXPIRY = "expiry", N_("Expiry")
    OTHER = "other", N_("Other")


class AdjustmentDirection(Labelled):
    """Which way the supplier's stock at the VMI location changes."""

    INCREASE = "increase", N_("Increase (found)")
    DECREASE = "decrease", N_("Decrease (lost, damaged, expired)")


class AdjustmentState(Labelled):
    PENDING = "pending", N_("Waiting for approval")
    POSTED = "posted", N_("Posted")
    REJECTED = "rejected", N_("Rejected")


class AdjustmentAction(Labelled):
    APPROVE = "approve", N_("Approve")
    REJECT = "reject", N_("Reject")


# state -> action -> next state. An adjustment that needs no approval is posted when it is made;
# posted and rejected are final: a wrong adjustment is corrected by another one.
TRANSITIONS: dict[AdjustmentState, dict[AdjustmentAction, AdjustmentState]] = {
    AdjustmentState.PENDING: {AdjustmentAction.APPROVE: AdjustmentState.POSTED,
                              AdjustmentAction.REJECT: AdjustmentState.REJECTED},
    AdjustmentState.POSTED: {},
    AdjustmentState.REJECTED: {},
}

# How long an adjustment may wait for the buyer before it raises an alert (issue 17, item 8).
APPROVAL_WAIT = timedelta(days=1)


def first_state(*, needs_approval: bool) -> AdjustmentState:
    """Where a new adjustment starts: waiting where the agreement asks for approval, else posted at once."""
    return AdjustmentState.PENDING if needs_approval else AdjustmentState.POSTED


def next_state(state: str, action: AdjustmentAction) -> AdjustmentState | None:
    """The state `action` leads to from `state`, or None when it is not allowed there."""
    return TRANSITIONS[AdjustmentState(state)].get(action)


def waited_too_long(requested_at: datetime, now: datetime) -> bool:
    """Whether a pending adjustment has waited for approval longer than the limit."""
    return now - requested_at > APPROVAL_WAIT
