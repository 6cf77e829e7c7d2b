"""What a posting writes, decided without a database: moves + locked balances + open FIFO layers +
the moves being reversed + now -> the journal rows, balance figures, layer changes and draws.

`ledger.service` loads the inputs under the balance locks and hands the plan to `ledger.writer`;
nothing else decides what a posting writes (the PostgreSQL fast path is held to this by a
property-based test).
"""
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from openvmi.errors import FieldError, InvalidInput, Reason
from openvmi.ledger import rules
from openvmi.limits import MAX_QUANTITY

BalanceKey = tuple[int, int, int]  # (item_id, location_id, owner_id)
_SIX_PLACES = Decimal("0.000001")


class PlannedMove(Protocol):
    """One line of the request (ledger.schemas.MoveCreate has this shape)."""

    item_id: int
    quantity: Decimal
    from_location_id: int
    from_owner_id: int
    to_location_id: int
    to_owner_id: int
    kind: str
    reference: str | None
    reverses_move_id: int | None


class LockedFigure(Protocol):
    """A locked balance as read under its row lock."""

    id: int
    on_hand: Decimal
    is_physical: bool


@dataclass(slots=True)
class OpenLayer:
    """A FIFO layer as the posting sees it: read from the database (`id`) or opened by an earlier
    line of the same posting (`opened_index` into Plan.opened)."""

    quantity_left: Decimal
    received_at: datetime
    id: int | None = None
    opened_index: int | None = None


@dataclass(frozen=True, slots=True)
class ReversedMove:
    """A journal row some line reverses, with what is left of it to reverse."""

    id: int
    item_id: int
    quantity: Decimal
    from_location_id: int
    from_owner_id: int
    to_location_id: int
    to_owner_id: int
    kind: str
    reverses_move_id: int | None
    reversed_quantity: Decimal  # by postings before this one
    draws: tuple[tuple[int, Decimal], ...]  # (layer id, still unrestored quantity), in the order drawn


@dataclass(frozen=True, slots=True)
class Short:
    key: BalanceKey
    requested: Decimal
    available: Decimal


@dataclass(slots=True)
class Plan:
    moves: list[dict[str, Any]] = field(default_factory=list)  # journal rows, ids still to come
    balances: list[tuple[int, Decimal]] = field(default_factory=list)  # (balance id, new on hand)
    drawn: list[tuple[int, Decimal]] = field(default_factory=list)  # (stored layer id, new quantity left)
    opened: list[dict[str, Any]] = field(default_factory=list)  # new layers; "move_index" names their move
    draws: list[dict[str, Any]] = field(default_factory=list)  # move_index, layer_id | opened_index, quantity
    shortfalls: list[Short] = field(default_factory=list)  # not empty: the posting must be refused


def plan_posting(moves: Sequence[PlannedMove], balances: Mapping[BalanceKey, LockedFigure],
                 layers: Mapping[BalanceKey, list[OpenLayer]], reversed_moves: Mapping[int, ReversedMove], *,
                 posting: dict[str, Any], now: datetime) -> Plan:
    """The rows the posting writes. Lines apply one after another, so a line may not take stock
    that only a later line brings in.

    `layers` holds, oldest first, the open layers of every physical source, and at the physical
    target of a reversal also the (maybe empty) layers its move drew from; `posting` the columns
    every journal row shares (posting_id, created_by_id). Reversals must have passed
    `refuse_bad_reversals`. Returns shortfalls instead of rows when stock is short; InvalidInput
    when a line would leave a balance past what is kept exactly (rules.overflows).
    """
    plan = Plan()
    on_hand = {key: balance.on_hand for key, balance in balances.items()}
    requested: dict[BalanceKey, Decimal] = {}
    short: set[BalanceKey] = set()
    open_layers = {key: list(found) for key, found in layers.items()}
    touched: dict[int, OpenLayer] = {}  # stored layers whose quantity left changes
    unrestored = {move_id: [quantity for _, quantity in original.draws]
                  for move_id, original in reversed_moves.items()}
    too_large: list[FieldError] = []
    for index, move in enumerate(moves):
        source = (move.item_id, move.from_location_id, move.from_owner_id)
        target = (move.item_id, move.to_location_id, move.to_owner_id)
        before = on_hand[source], on_hand[target]
        on_hand[source] = _six(on_hand[source] - move.quantity)
        on_hand[target] = _six(on_hand[target] + move.quantity)
        for was, key in zip(before, (source, target), strict=True):
            if rules.overflows(was, on_hand[key]):
                too_large.append(overflow(index, on_hand[key]))
        requested[source] = requested.get(source, Decimal(0)) + move.quantity
        if on_hand[source] < 0 and balances[source].is_physical:
            short.add(source)
        plan.moves.append({**posting, "created_at": now, "item_id": move.item_id, "quantity": move.quantity,
                           "from_location_id": move.from_location_id, "from_owner_id": move.from_owner_id,
                           "to_location_id": move.to_location_id, "to_owner_id": move.to_owner_id,
                           "kind": str(move.kind), "reference": move.reference,
                           "reverses_move_id": move.reverses_move_id})
        ages = [(move.quantity, now)]
        if balances[source].is_physical:
            ages = _drain(plan, index, move.quantity, open_layers.setdefault(source, []), touched, owner_id=source[2])
        if not balances[target].is_physical:
            continue
        if move.reverses_move_id is None and rules.starts_its_own_age(str(move.kind)):
            ages = [(move.quantity, now)]
        elif move.reverses_move_id is not None:
            ages = _restore(plan, index, move, reversed_moves[move.reverses_move_id],
                            unrestored[move.reverses_move_id], open_layers.setdefault(target, []), touched, now=now)
        _open(plan, index, target, ages, open_layers)
    if too_large:
        raise InvalidInput(too_large)
    if short:
        plan.shortfalls = [Short(key, requested[key], balances[key].on_hand) for key in sorted(short)]
        return plan
    plan.balances = [(balance.id, on_hand[key]) for key, balance in balances.items()]
    plan.drawn = [(layer_id, layer.quantity_left) for layer_id, layer in touched.items()]
    return plan


def overflow(index: int, on_hand: Decimal) -> FieldError:
    """The refusal of line `index`, which would leave a balance at `on_hand` (rules.overflows)."""
    return FieldError(f"moves[{index}].quantity", Reason(
        "this move would leave a balance of %(on_hand)s; a balance holds at most %(limit)s either way",
        on_hand=_plain(on_hand), limit=f"{MAX_QUANTITY:,}"))


def refuse_bad_reversals(moves: Sequence[PlannedMove], reversed_moves: Mapping[int, ReversedMove]) -> None:
    """InvalidInput for every reversal that does not mirror its move, reverses a reversal, or
    takes back more than is left of its move (after earlier reversals and earlier lines)."""
    errors = []
    left = {move_id: original.quantity - original.reversed_quantity for move_id, original in reversed_moves.items()}
    for index, move in enumerate(moves):
        if move.reverses_move_id is None:
            continue
        where = f"moves[{index}].reverses_move_id"
        original = reversed_moves.get(move.reverses_move_id)
        if original is None:
            errors.append(FieldError(where, Reason("no such move: %(move)s", move=move.reverses_move_id)))
        elif original.reverses_move_id is not None:
            errors.append(FieldError(where, Reason("move %(move)s is itself a reversal and cannot be reversed",
                                                   move=original.id)))
        elif (move.item_id, move.from_location_id, move.from_owner_id, move.to_location_id, move.to_owner_id,
              str(move.kind)) != (original.item_id, original.to_location_id, original.to_owner_id,
                                  original.from_location_id, original.from_owner_id, original.kind):
            errors.append(FieldError(where, Reason(
                "a reversal of move %(move)s takes the same item back the way it came, as a %(kind)s",
                move=original.id, kind=original.kind)))
        elif move.quantity > left[original.id]:
            errors.append(FieldError(where, Reason(
                "only %(left)s of move %(move)s is left to reverse; %(requested)s requested",
                left=_plain(left[original.id]), move=original.id, requested=_plain(move.quantity))))
        else:
            left[original.id] -= move.quantity
    if errors:
        raise InvalidInput(errors)


def _drain(plan: Plan, index: int, quantity: Decimal, found: list[OpenLayer], touched: dict[int, OpenLayer], *,
           owner_id: int) -> list[tuple[Decimal, datetime]]:
    """Draw from the source's layers oldest first; the drawn ages travel with the stock."""
    taken = rules.drain_fifo([(layer.quantity_left, layer.received_at) for layer in found], quantity)
    for draw in taken:
        layer = found[draw.layer_index]
        _set_left(plan, layer, layer.quantity_left - draw.quantity, touched)
        plan.draws.append({"move_index": index, "layer_id": layer.id, "opened_index": layer.opened_index,
                           "owner_id": owner_id, "quantity": draw.quantity})
    return [(draw.quantity, draw.received_at) for draw in taken]


def _restore(plan: Plan, index: int, move: PlannedMove, original: ReversedMove, unrestored: list[Decimal],
             found: list[OpenLayer], touched: dict[int, OpenLayer], *, now: datetime) -> list[tuple[Decimal, datetime]]:
    """Give back to the layers the reversed move drew from, keeping their receipt dates; what they
    cannot take (stock from before layers were kept) opens a layer dated now, returned as its age."""
    given = rules.restore_draws(unrestored, move.quantity)
    by_id = {layer.id: layer for layer in found if layer.id is not None}
    for position, ((layer_id, _), quantity) in enumerate(zip(original.draws, given, strict=True)):
        if not quantity:
            continue
        unrestored[position] -= quantity
        layer = by_id[layer_id]
        _set_left(plan, layer, layer.quantity_left + quantity, touched)
        plan.draws.append({"move_index": index, "layer_id": layer_id, "opened_index": None,
                           "owner_id": move.to_owner_id, "quantity": -quantity})
    rest = move.quantity - sum(given, Decimal(0))
    return [(rest, now)] if rest > 0 else []


def _open(plan: Plan, index: int, target: BalanceKey, ages: list[tuple[Decimal, datetime]],
          open_layers: dict[BalanceKey, list[OpenLayer]]) -> None:
    """Open a layer per age at a physical target; later lines of the posting may drain them."""
    item_id, location_id, owner_id = target
    found = open_layers.setdefault(target, [])
    for quantity, received_at in ages:
        plan.opened.append({"move_index": index, "item_id": item_id, "location_id": location_id,
                            "owner_id": owner_id, "quantity_received": quantity, "quantity_left": quantity,
                            "received_at": received_at})
        found.append(OpenLayer(quantity, received_at, opened_index=len(plan.opened) - 1))
    found.sort(key=lambda layer: layer.received_at)  # stable: same-date layers keep their order


def _set_left(plan: Plan, layer: OpenLayer, quantity_left: Decimal, touched: dict[int, OpenLayer]) -> None:
    layer.quantity_left = _six(quantity_left)
    if layer.opened_index is not None:
        plan.opened[layer.opened_index]["quantity_left"] = layer.quantity_left
    else:
        touched[layer.id] = layer  # type: ignore[index]


def _six(value: Decimal) -> Decimal:
    """Round to the six places the database keeps."""
    return value.quantize(_SIX_PLACES)


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"
