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
