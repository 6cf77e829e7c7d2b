"""What a posting writes, decided without a database (ledger.planner)."""
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from openvmi.errors import InvalidInput
from openvmi.ledger.planner import OpenLayer, ReversedMove, Short, plan_posting, refuse_bad_reversals
from openvmi.limits import MAX_QUANTITY

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
MONDAY, TUESDAY = NOW - timedelta(days=8), NOW - timedelta(days=7)
ITEM, ORIGIN, STORE, WAREHOUSE, LINE = 1, 10, 11, 12, 13
SUPPLIER, BUYER = 100, 200
PHYSICAL = {STORE, WAREHOUSE}


@dataclass(frozen=True)
class Move:
    quantity: Decimal
    from_location_id: int
    to_location_id: int
    kind: str = "transfer"
    from_owner_id: int = SUPPLIER
    to_owner_id: int = SUPPLIER
    item_id: int = ITEM
    reference: str | None = None
    reverses_move_id: int | None = None


@dataclass(frozen=True)
class Balance:
    id: int
    on_hand: Decimal
    is_physical: bool


def balances(**on_hand: Decimal) -> dict:
    """Balances of ITEM for every (location, owner) the tests use, with the given on-hand figures
    named like store_supplier=5."""
    names = {"origin": ORIGIN, "store": STORE, "warehouse": WAREHOUSE, "line": LINE}
    owners = {"supplier": SUPPLIER, "buyer": BUYER}
    found = {}
    for index, (place, location_id) in enumerate(names.items()):
        for offset, (who, owner_id) in enumerate(owners.items()):
            figure = Decimal(on_hand.get(f"{place}_{who}", 0))
            found[(ITEM, location_id, owner_id)] = Balance(10 * index + offset + 1, figure, location_id in PHYSICAL)
    return found


def plan(moves, *, on_hand=None, layers=None, reversed_moves=None):
    refuse_bad_reversals(moves, reversed_moves or {})
    return plan_posting(moves, balances(**(on_hand or {})), layers or {}, reversed_moves or {},
                        posting={"created_by_id": 7}, now=NOW)


def test_a_receipt_raises_the_balance_and_opens_a_layer_dated_now():
    result = plan([Move(Decimal(10), ORIGIN, STORE, kind="receipt")], layers={})

    assert dict(result.balances)[balances()[(ITEM, STORE, SUPPLIER)].id] == Decimal(10)
    assert dict(result.balances)[balances()[(ITEM, ORIGIN, SUPPLIER)].id] == Decimal(-10)
    assert [(layer["location_id"], layer["quantity_left"], layer["received_at"]) for layer in result.opened] == [
        (STORE, Decimal(10), NOW)]
    assert result.draws == [] and result.drawn == []
    assert result.moves[0]["created_by_id"] == 7 and result.moves[0]["created_at"] == NOW


def test_a_consumption_drains_the_oldest_layer_first_and_records_each_draw():
    layers = {(ITEM, STORE, SUPPLIER): [OpenLayer(Decimal(5), MONDAY, id=1), OpenLayer(Decimal(5), TUESDAY, id=2)]}

    result = plan([Move(Decimal(7), STORE, LINE, kind="consumption", to_owner_id=BUYER)],
                  on_hand={"store_supplier": 10}, layers=layers)

    assert result.drawn == [(1, Decimal(0)), (2, Decimal(3))]
    assert [(draw["layer_id"], draw["quantity"]) for draw in result.draws] == [(1, Decimal(5)), (2, Decimal(2))]
    assert result.opened == []  # production holds no layers


def test_a_transfer_keeps_the_receipt_date_of_every_part():
    layers = {(ITEM, STORE, SUPPLIER): [OpenLayer(Decimal(5), MONDAY, id=1), OpenLayer(Decimal(5), TUESDAY, id=2)]}

    result = plan([Move(Decimal(7), STORE, WAREHOUSE)], on_hand={"store_supplier": 10}, layers=layers)

    assert [(layer["location_id"], layer["quantity_received"], layer["received_at"]) for layer in result.opened] == [
        (WAREHOUSE, Decimal(5), MONDAY), (WAREHOUSE, Decimal(2), TUESDAY)]


def test_a_receipt_from_transit_draws_the_shipped_layers_but_opens_one_dated_its_arrival():
    # the warehouse stands in for the in-transit place here: any physical source with layers
    layers = {(ITEM, WAREHOUSE, SUPPLIER): [OpenLayer(Decimal(5), MONDAY, id=1), OpenLayer(Decimal(5), TUESDAY, id=2)]}

    result = plan([Move(Decimal(7), WAREHOUSE, STORE, kind="receipt")], on_hand={"warehouse_supplier": 10},
                  layers=layers)

    assert [(draw["layer_id"], draw["quantity"]) for draw in result.draws] == [(1, Decimal(5)), (2, Decimal(2))]
    assert [(layer["location_id"], layer["quantity_received"], layer["received_at"]) for layer in result.opened] == [
        (STORE, Decimal(7), NOW)]


def test_every_short_line_is_reported_with_the_total_it_asked_for_and_nothing_is_planned():
    result = plan([Move(Decimal(2), STORE, LINE, kind="consumption", to_owner_id=BUYER),
                   Move(Decimal(2), STORE, WAREHOUSE)],
                  on_hand={"store_supplier": 3}, layers={(ITEM, STORE, SUPPLIER): [OpenLayer(Decimal(3), MONDAY, id=1)]})

    assert result.shortfalls == [Short((ITEM, STORE, SUPPLIER), Decimal(4), Decimal(3))]
    assert result.balances == []


def test_a_line_cannot_pass_on_stock_that_only_a_later_line_brings_in():
    result = plan([Move(Decimal(5), STORE, WAREHOUSE), Move(Decimal(5), ORIGIN, STORE, kind="receipt")])

    assert [short.key for short in result.shortfalls] == [(ITEM, STORE, SUPPLIER)]


def test_stock_received_and_passed_on_in_one_posting_draws_the_layer_it_just_opened():
    result = plan([Move(Decimal(5), ORIGIN, STORE, kind="receipt"), Move(Decimal(5), STORE, WAREHOUSE)],
                  layers={(ITEM, STORE, SUPPLIER): []})

    store_layer, warehouse_layer = result.opened
    assert store_layer["quantity_left"] == Decimal(0) and warehouse_layer["quantity_left"] == Decimal(5)
    assert result.draws == [{"move_index": 1, "layer_id": None, "opened_index": 0, "owner_id": SUPPLIER,
                             "quantity": Decimal(5)}]


def consumed(quantity=7, *, reversed_quantity=0, draws=((1, 5), (2, 2)), reverses=None) -> ReversedMove:
    """Move 50 took `quantity` from the store to the line; its draws took (layer, quantity)."""
    return ReversedMove(id=50, item_id=ITEM, quantity=Decimal(quantity), from_location_id=STORE, from_owner_id=SUPPLIER,
                        to_location_id=LINE, to_owner_id=BUYER, kind="consumption", reverses_move_id=reverses,
                        reversed_quantity=Decimal(reversed_quantity),
                        draws=tuple((layer, Decimal(taken)) for layer, taken in draws))


def reversal(quantity, **changes) -> Move:
    fields = dict(quantity=Decimal(quantity), from_location_id=LINE, from_owner_id=BUYER, to_location_id=STORE,
                  to_owner_id=SUPPLIER, kind="consumption", reverses_move_id=50) | changes
    return Move(**fields)


def emptied_layers():
    return {(ITEM, STORE, SUPPLIER): [OpenLayer(Decimal(0), MONDAY, id=1), OpenLayer(Decimal(3), TUESDAY, id=2)]}


def test_a_full_reversal_gives_the_layers_back_with_their_dates_instead_of_opening_one_today():
    result = plan([reversal(7)], on_hand={"store_supplier": 3}, layers=emptied_layers(),
                  reversed_moves={50: consumed()})

    assert result.opened == []
    assert sorted(result.drawn) == [(1, Decimal(5)), (2, Decimal(5))]
    assert [(draw["layer_id"], draw["quantity"]) for draw in result.draws] == [(1, Decimal(-5)), (2, Decimal(-2))]


def test_a_partial_reversal_undoes_the_latest_part_of_the_draw():
    result = plan([reversal(3)], on_hand={"store_supplier": 3}, layers=emptied_layers(),
                  reversed_moves={50: consumed()})

    assert sorted(result.drawn) == [(1, Decimal(1)), (2, Decimal(5))]


def test_two_reversals_in_one_posting_never_give_back_more_than_was_drawn():
    result = plan([reversal(4), reversal(3)], on_hand={"store_supplier": 3}, layers=emptied_layers(),
                  reversed_moves={50: consumed()})

    assert sorted(result.drawn) == [(1, Decimal(5)), (2, Decimal(5))]


def test_a_reversal_of_stock_that_predates_layers_opens_a_layer_for_the_rest():
    result = plan([reversal(7)], on_hand={"store_supplier": 3}, layers=emptied_layers(),
                  reversed_moves={50: consumed(draws=((2, 2),))})

    assert [(layer["quantity_received"], layer["received_at"]) for layer in result.opened] == [(Decimal(5), NOW)]


@pytest.mark.parametrize(("move", "original", "message"), [
    (reversal(5), consumed(reversed_quantity=3), "only 4 of move 50 is left to reverse; 5 requested"),
    (reversal(8), consumed(), "only 7 of move 50 is left to reverse; 8 requested"),
    (reversal(1, to_location_id=WAREHOUSE), consumed(), "takes the same item back the way it came, as a consumption"),
    (reversal(1, kind="return"), consumed(), "takes the same item back the way it came"),
    (reversal(1), consumed(reverses=49), "move 50 is itself a reversal and cannot be reversed"),
    (reversal(1, reverses_move_id=51), consumed(), "no such move: 51"),
])
def test_a_reversal_that_does_not_mirror_what_is_left_of_its_move_is_refused(move, original, message):
    with pytest.raises(InvalidInput) as refused:
        plan([move], on_hand={"store_supplier": 3}, layers=emptied_layers(), reversed_moves={50: original})

    (error,) = refused.value.errors
    assert error.field == "moves[0].reverses_move_id" and message in error.message


def test_two_lines_reversing_more_than_is_left_between_them_are_refused():
    with pytest.raises(InvalidInput, match="only 3 of move 50 is left to reverse; 4 requested"):
        plan([reversal(4), reversal(4)], layers=emptied_layers(), reversed_moves={50: consumed()})


def test_a_line_that_would_overfill_a_balance_is_refused_naming_its_quantity():
    with pytest.raises(InvalidInput) as refused:
        plan([Move(Decimal(1), ORIGIN, STORE, kind="receipt"), Move(MAX_QUANTITY, ORIGIN, STORE, kind="receipt")],
             on_hand={"store_supplier": Decimal(5), "origin_supplier": Decimal(-5)})

    assert [(e.field, e.message.msgid) for e in refused.value.errors] == [
        ("moves[1].quantity", "this move would leave a balance of %(on_hand)s; a balance holds at most %(limit)s "
                              "either way")] * 2  # the store past the limit, and the origin below minus it
    assert [e.message.params["on_hand"] for e in refused.value.errors] == ["-1000000005.999999", "1000000005.999999"]
    assert refused.value.errors[0].message.params["limit"] == "999,999,999.999999"
