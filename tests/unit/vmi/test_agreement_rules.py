"""Pure agreement rules: which state an action leads to, and terms that contradict each other."""
from datetime import date
from decimal import Decimal

import pytest

from openvmi.vmi.agreements.rules import (
    AgreementAction, AgreementState, Terms, activation_problem, allowed_actions, next_state, term_problems,
)


def terms(low: str = "10", high: str = "50", start: str = "2026-01-01", end: str | None = None) -> Terms:
    return Terms(Decimal(low), Decimal(high), date.fromisoformat(start), date.fromisoformat(end) if end else None)


@pytest.mark.parametrize(("state", "action", "expected"), [
    ("draft", AgreementAction.ACTIVATE, AgreementState.ACTIVE),
    ("draft", AgreementAction.END, AgreementState.ENDED),
    ("active", AgreementAction.END, AgreementState.ENDED),
    ("active", AgreementAction.ACTIVATE, None),
    ("ended", AgreementAction.ACTIVATE, None),
    ("ended", AgreementAction.END, None),
])
def test_an_agreement_runs_once_and_ended_is_final(state, action, expected):
    assert next_state(state, action) == expected


def test_an_ended_agreement_offers_no_action():
    assert allowed_actions("ended") == []
    assert allowed_actions("draft") == [AgreementAction.ACTIVATE, AgreementAction.END]


def test_min_above_max_and_an_end_before_the_start_are_each_named():
    assert [field for field, _ in term_problems(terms(low="60", high="50", end="2025-12-31"))] == [
        "max_level", "valid_to"]
    assert term_problems(terms(low="50", high="50", end="2026-01-01")) == []


def test_an_agreement_whose_validity_ended_cannot_start_running():
    assert activation_problem(terms(end="2026-03-31"), date(2026, 3, 31)) is None
    assert "2026-03-31" in activation_problem(terms(end="2026-03-31"), date(2026, 4, 1))
