"""The settlement money rule: per line, half-up to the currency's minor unit; returns net to zero."""
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openvmi.settlement.rules import (
    SettlementKind, currency_places, net_amount, owed_row, returned_amount, returned_row, round_money,
)


def test_each_currency_rounds_to_its_own_minor_unit():
    assert currency_places("CNY") == 2 and currency_places("JPY") == 0 and currency_places("KWD") == 3
    assert net_amount(Decimal("3"), Decimal("0.335"), "CNY") == Decimal("1.01")  # 1.005 half-up
    assert net_amount(Decimal("3"), Decimal("0.5"), "JPY") == Decimal("2")  # 1.5 half-up
    assert net_amount(Decimal("1"), Decimal("0.0005"), "KWD") == Decimal("0.001")


def test_half_up_means_away_from_zero_for_credits_too():
    assert round_money(Decimal("-1.005"), "CNY") == Decimal("-1.01")
    assert round_money(Decimal("2.5"), "JPY") == Decimal("3")  # not banker's 2


def test_returning_part_of_a_line_costs_what_the_remainder_lost():
    # 3 @ 0.333 = 0.999 -> 1.00; returning 1 leaves 2 @ 0.333 = 0.666 -> 0.67: the return is -0.33
    assert returned_amount(Decimal(3), Decimal(0), Decimal(1), Decimal("0.333"), "CNY") == Decimal("-0.33")


quantities = st.integers(min_value=1, max_value=10_000).map(Decimal)
prices = st.decimals(min_value=0, max_value=1000, places=6, allow_nan=False, allow_infinity=False)


@given(consumed=quantities, price=prices, cuts=st.lists(st.integers(min_value=1, max_value=10_000), max_size=6),
       currency=st.sampled_from(["CNY", "JPY", "KWD", "EUR"]))
def test_returning_everything_in_any_steps_nets_the_line_to_zero(consumed, price, cuts, currency):
    steps, left = [], consumed
    for cut in cuts:
        step = min(Decimal(cut), left)
        if step > 0:
            steps.append(step)
            left -= step
    if left > 0:
        steps.append(left)
    total, returned = net_amount(consumed, price, currency), Decimal(0)
    for step in steps:
        amount = returned_amount(consumed, returned, step, price, currency)
        assert amount <= 0
        total += amount
        returned += step
    assert total == 0


def test_a_return_takes_the_price_and_terms_of_the_line_it_reverses():
    line = owed_row(SettlementKind.CONSUMPTION, move_id=7, quantity=Decimal(4), unit_price=Decimal("4.50"),
                    currency="CNY", tax_rate_percent=Decimal(13), supplier_id=2, agreement_id=3, supplier_item_id=4,
                    item_id=5, price_day=date(2026, 12, 1), occurred_at=datetime(2026, 12, 1, 2, tzinfo=UTC))
    assert line["net_amount"] == Decimal("18.00")
    back = returned_row(line, line_id=11, move_id=8, quantity=Decimal(1), returned_before=Decimal(0),
                        occurred_at=datetime(2026, 12, 5, tzinfo=UTC))
    assert (back["kind"], back["quantity"], back["net_amount"], back["reverses_line_id"]) == (
        "reversal", Decimal(-1), Decimal("-4.50"), 11)
    assert back["unit_price"] == Decimal("4.50") and back["price_day"] == date(2026, 12, 1)
    with pytest.raises(ValueError):
        returned_row(line, line_id=11, move_id=9, quantity=Decimal(4), returned_before=Decimal(1),
                     occurred_at=datetime(2026, 12, 5, tzinfo=UTC))


# --- statements: periods, states and totals -------------------------------------------------------

from openvmi.settlement.rules import SettlementCycle, period_of  # noqa: E402
from openvmi.settlement.statements.rules import (  # noqa: E402
    Side, StatementAction, StatementState, allowed_actions, next_state, totals,
)


@pytest.mark.parametrize(("day", "cycle", "period"), [
    (date(2026, 5, 27), SettlementCycle.WEEKLY, (date(2026, 5, 25), date(2026, 5, 31))),  # Wednesday
    (date(2026, 5, 31), SettlementCycle.WEEKLY, (date(2026, 5, 25), date(2026, 5, 31))),  # Sunday ends it
    (date(2026, 4, 30), SettlementCycle.WEEKLY, (date(2026, 4, 27), date(2026, 5, 3))),  # across the month
    (date(2026, 2, 15), SettlementCycle.SEMI_MONTHLY, (date(2026, 2, 1), date(2026, 2, 15))),
    (date(2026, 2, 16), SettlementCycle.SEMI_MONTHLY, (date(2026, 2, 16), date(2026, 2, 28))),
    (date(2028, 2, 20), SettlementCycle.MONTHLY, (date(2028, 2, 1), date(2028, 2, 29))),  # leap year
])
def test_each_cycle_has_its_own_periods(day, cycle, period):
    assert period_of(day, cycle) == period


def test_the_transition_table_leads_from_draft_to_closed():
    assert next_state("draft", StatementAction.ISSUE) is StatementState.ISSUED
    assert next_state("issued", StatementAction.ISSUE) is None  # an issued statement is frozen
    assert next_state("disputed", StatementAction.CONFIRM) is StatementState.CONFIRMED
    assert next_state("confirmed", StatementAction.DISPUTE) is None
    assert allowed_actions("issued", Side.SUPPLIER) == [StatementAction.CONFIRM, StatementAction.DISPUTE]
    assert allowed_actions("issued", Side.FINANCE) == []


def test_a_statements_tax_is_the_sum_of_its_lines_taxes():
    # 10 lines of 0.04 at 13 %: 0.0052 -> 0.01 tax each, 0.10 in all (once on the sum it would be 0.05)
    result = totals([(Decimal(13), Decimal("0.04"), 10), (Decimal("6.0000"), Decimal("1.25"), 1)], "CNY")
    assert [(r.tax_rate_percent, r.net, r.tax) for r in result.by_rate] == [
        (Decimal(6), Decimal("1.25"), Decimal("0.08")), (Decimal(13), Decimal("0.40"), Decimal("0.10"))]
    assert (result.net, result.tax, result.gross) == (Decimal("1.65"), Decimal("0.18"), Decimal("1.83"))


def test_a_yen_statement_has_no_decimals():
    result = totals([(Decimal(10), Decimal(105), 1)], "JPY")
    assert (result.net, result.tax, result.gross) == (Decimal(105), Decimal(11), Decimal(116))  # 10.5 half-up


def test_the_last_day_a_statement_may_be_generated_for_has_a_whole_week_after_it():
    from openvmi.settlement.statements.schemas import StatementGenerate

    last = StatementGenerate.model_fields["day"].metadata[-1].le
    assert all(period_of(last, cycle)[1] >= last for cycle in SettlementCycle)
