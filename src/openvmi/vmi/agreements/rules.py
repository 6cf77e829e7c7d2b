"""Pure agreement rules: states and their transitions, settlement cycles, the terms' own checks."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openvmi.enums import N_, Labelled
from openvmi.errors import Reason


class AgreementState(Labelled):
    DRAFT = "draft", N_("Draft")
    ACTIVE = "active", N_("Active")
    ENDED = "ended", N_("Ended")


class AgreementAction(Labelled):
    ACTIVATE = "activate", N_("Activate")
    END = "end", N_("End")


# state -> action -> next state. A draft may be ended without ever running (withdrawn); an ended
# agreement is history and never comes back: a new one is drafted instead.
TRANSITIONS: dict[AgreementState, dict[AgreementAction, AgreementState]] = {
    AgreementState.DRAFT: {AgreementAction.ACTIVATE: AgreementState.ACTIVE, AgreementAction.END: AgreementState.ENDED},
    AgreementState.ACTIVE: {AgreementAction.END: AgreementState.ENDED},
    AgreementState.ENDED: {},
}

# Terms people may change: only while the agreement is a draft, so what ran is what was agreed.
EDITABLE_STATES = frozenset({AgreementState.DRAFT})


def next_state(state: str, action: AgreementAction) -> AgreementState | None:
    """The state `action` leads to from `state`, or None when it is not allowed there."""
    return TRANSITIONS[AgreementState(state)].get(action)


def allowed_actions(state: str) -> list[AgreementAction]:
    return list(TRANSITIONS[AgreementState(state)])


@dataclass(frozen=True)
class Terms:
    min_level: Decimal
    max_level: Decimal
    valid_from: date
    valid_to: date | None


def term_problems(terms: Terms) -> list[tuple[str, Reason]]:
    """(field, message) for every term that contradicts another."""
    problems = []
    if terms.min_level > terms.max_level:
        problems.append(("max_level", Reason("the maximum level is below the minimum level")))
    if terms.valid_to is not None and terms.valid_to < terms.valid_from:
        problems.append(("valid_to", Reason("valid_to is before valid_from")))
    return problems


def activation_problem(terms: Terms, today: date) -> Reason | None:
    """Why the agreement cannot start running today, if it cannot."""
    if terms.valid_to is not None and terms.valid_to < today:
        return Reason("its validity ended on %(day)s, before today", day=terms.valid_to)
    return None
