"""Pure stock rules: what is short, and how FIFO layers drain oldest first."""
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from openvmi.ledger.rules import Draw, drain_fifo, overflows, restore_draws, shortfall
from openvmi.limits import MAX_QUANTITY

MONDAY = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_physical_location_reports_what_is_missing():
    assert shortfall(Decimal("3"), Decimal("5"), is_physical=True) == Decimal("2")


def test_enough_stock_is_not_short():
    assert shortfall(Decimal("5"), Decimal("5"), is_physical=True) == Decimal(0)
    assert shortfall(Decimal("9.5"), Decimal("0.5"), is_physical=True) == Decimal(0)


def test_virtual_locations_never_run_short_even_below_zero():
    assert shortfall(Decimal("-40"), Decimal("5"), is_physical=False) == Decimal(0)


def test_fractional_shortfall_is_exact():
    assert shortfall(Decimal("0.1"), Decimal("0.3"), is_physical=True) == Decimal("0.2")


def test_a_balance_may_not_grow_past_what_both_databases_keep_exactly():
    assert overflows(Decimal(0), MAX_QUANTITY + Decimal("0.000001"))
    assert overflows(Decimal(0), -MAX_QUANTITY - 1)  # a virtual origin going ever further below zero
    assert not overflows(Decimal(0), MAX_QUANTITY)
    assert not overflows(-MAX_QUANTITY, -MAX_QUANTITY + 1)


def test_a_balance_already_past_the_limit_may_still_be_drawn_down():
    assert not overflows(MAX_QUANTITY * 2, MAX_QUANTITY * 2 - 1)


def test_fifo_takes_the_oldest_layer_first_whatever_the_list_order():
    layers = [(Decimal(5), MONDAY + timedelta(days=2)), (Decimal(5), MONDAY)]

    draws = drain_fifo(layers, Decimal(7))

    assert draws == [Draw(1, Decimal(5), MONDAY), Draw(0, Decimal(2), MONDAY + timedelta(days=2))]


def test_fifo_skips_empty_layers():
    layers = [(Decimal(0), MONDAY), (Decimal(3), MONDAY + timedelta(days=1))]

    assert drain_fifo(layers, Decimal(2)) == [Draw(1, Decimal(2), MONDAY + timedelta(days=1))]


def test_fifo_stops_once_the_quantity_is_covered():
    layers = [(Decimal(4), MONDAY), (Decimal(4), MONDAY + timedelta(days=1))]

    draws = drain_fifo(layers, Decimal(4))

    assert draws == [Draw(0, Decimal(4), MONDAY)]


def test_fifo_draws_what_layers_hold_when_they_cannot_cover_everything():
    layers = [(Decimal("1.5"), MONDAY)]

    draws = drain_fifo(layers, Decimal(4))

    assert sum(d.quantity for d in draws) == Decimal("1.5")


def test_fifo_on_no_layers_draws_nothing():
    assert drain_fifo([], Decimal(1)) == []


def test_a_full_reversal_gives_every_layer_back_what_was_drawn():
    assert restore_draws([Decimal(5), Decimal(2)], Decimal(7)) == [Decimal(5), Decimal(2)]


def test_a_partial_reversal_undoes_the_latest_part_of_the_draw_first():
    assert restore_draws([Decimal(5), Decimal(2)], Decimal(3)) == [Decimal(1), Decimal(2)]


def test_a_reversal_gives_back_nothing_already_given_back():
    assert restore_draws([Decimal(4), Decimal(0)], Decimal(1)) == [Decimal(1), Decimal(0)]


def test_a_reversal_beyond_the_draws_gives_back_only_what_they_hold():
    # stock from before layers were kept: the rest opens a new layer (planner), never a negative one
    assert restore_draws([Decimal(2)], Decimal(5)) == [Decimal(2)]
