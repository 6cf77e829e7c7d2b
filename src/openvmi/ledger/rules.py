"""Pure stock rules: which moves may go where, what is short, how FIFO layers drain. No database."""
import functools
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from openvmi.enums import N_, Labelled
from openvmi.limits import MAX_QUANTITY
from openvmi.locations.rules import LocationKind
from openvmi.parties.rules import PartyKind


class MoveKind(Labelled):
    SHIPMENT = "shipment", N_("Shipment")
    RECEIPT = "receipt", N_("Receipt")
    TRANSFER = "transfer", N_("Transfer")
    CONSUMPTION = "consumption", N_("Consumption")
    ADJUSTMENT = "adjustment", N_("Adjustment")
    RETURN = "return", N_("Return")
    BUYOUT = "buyout", N_("Buyout")


class DocumentKind(Labelled):
    """The business document a posting is for; `manual` is a posting of its own (API, corrections)."""

    MANUAL = "manual", N_("Manual posting")
    SHIPMENT = "shipment", N_("Shipment")
    RECEIPT = "receipt", N_("Receipt")
    CONSUMPTION = "consumption", N_("Consumption")
    ADJUSTMENT = "adjustment", N_("Adjustment")
    BUYOUT = "buyout", N_("Buyout")
    RETURN = "return", N_("Return to supplier")


# Only these documents may hand a supplier's stock to the buyer: each writes the settlement line
# for it in the same transaction, so no ownership transfer can escape settlement.
OWNERSHIP_DOCUMENTS = frozenset({DocumentKind.CONSUMPTION, DocumentKind.BUYOUT})

_STORES = frozenset({LocationKind.VMI, LocationKind.WAREHOUSE})  # buyer-site places production draws from
_PLACES = _STORES | {LocationKind.QUARANTINE}  # buyer-site places that hold stock, damaged or not
_HOLDING = _PLACES | {LocationKind.IN_TRANSIT}
_VIRTUAL = frozenset({LocationKind.VIRTUAL})

# Which location kinds each move kind may go between: (from kinds, to kinds) pairs. Nothing moves
# at a supplier's own site: that stock is published, not transacted (supplier_stock). Production
# never gives stock back except by reversing a consumption, which is checked as that consumption.
ROUTES: dict[MoveKind, tuple[tuple[frozenset[LocationKind], frozenset[LocationKind]], ...]] = {
    MoveKind.SHIPMENT: ((_VIRTUAL, frozenset({LocationKind.IN_TRANSIT})),),  # supplier origin -> on the way
    MoveKind.RECEIPT: ((_VIRTUAL | {LocationKind.IN_TRANSIT}, _PLACES),),  # damaged goods into quarantine
    MoveKind.TRANSFER: ((_PLACES, _PLACES),),
    MoveKind.CONSUMPTION: ((_STORES, frozenset({LocationKind.PRODUCTION})),),  # never from quarantine
    MoveKind.ADJUSTMENT: ((_VIRTUAL, _HOLDING), (_HOLDING, _VIRTUAL)),  # found or lost, counted, scrapped
    MoveKind.RETURN: ((_HOLDING, _VIRTUAL),),  # back to the supplier's origin
    MoveKind.BUYOUT: ((_PLACES, _PLACES),),  # the buyer takes over stock where it lies
}


@dataclass(frozen=True)
class Route:
    """What the rules need to know of one move: its kind and the kinds at both ends."""

    kind: MoveKind
    from_location: LocationKind
    to_location: LocationKind
    same_location: bool
    from_owner: PartyKind
    to_owner: PartyKind
    same_owner: bool


@functools.cache  # a handful of kinds: each combination is decided once per process
def route_problem(route: Route, *, document: DocumentKind) -> tuple[str, str, dict[str, str]] | None:
    """Why this move may not be posted as `document`, as (field, msgid, params); None if it may.

    A reversal is checked as the move it reverses (the mirror image), which passed these rules.
    """
    if not any(route.from_location in sources and route.to_location in targets
               for sources, targets in ROUTES[route.kind]):
        return ("kind", N_("a %(kind)s cannot go from %(source)s to %(target)s"),
                {"kind": route.kind.value, "source": route.from_location.value, "target": route.to_location.value})
    if route.kind is MoveKind.BUYOUT:
        if not route.same_location:
            return ("to_location_id", N_("a buyout changes the owner only; the stock stays where it is"), {})
        if (route.from_owner, route.to_owner) != (PartyKind.SUPPLIER, PartyKind.BUYER):
            return ("to_owner_id", N_("a buyout passes a supplier's stock to the buyer"), {})
    elif route.kind is MoveKind.CONSUMPTION:
        if route.to_owner is not PartyKind.BUYER:
            return ("to_owner_id", N_("consumed stock belongs to the buyer"), {})
    elif not route.same_owner:
        return ("to_owner_id", N_("a %(kind)s keeps the owner; only consumption and buyout change it"),
                {"kind": route.kind.value})
    if not route.same_owner and document not in OWNERSHIP_DOCUMENTS:
        return ("to_owner_id", N_("a supplier's stock becomes the buyer's only through a consumption or a buyout, "
                                  "which settles it"), {})
    return None


def overflows(before: Decimal, after: Decimal) -> bool:
    """Whether a move leaves a balance past what is kept exactly on both databases (a quantity's
    limit, either way: virtual places go below zero); one already past it may still move back."""
    return abs(after) > MAX_QUANTITY and abs(after) > abs(before)


def shortfall(on_hand: Decimal, requested: Decimal, *, is_physical: bool) -> Decimal:
    """How much is missing to take `requested` out; non-physical locations never run short."""
    return max(requested - on_hand, Decimal(0)) if is_physical else Decimal(0)


def starts_its_own_age(kind: str) -> bool:
    """Whether stock moved by a move of `kind` opens its layer dated the move, not the dates it
    carried: a receipt, so consignment stock ages from its arrival at the buyer, not its shipment."""
    return kind == MoveKind.RECEIPT


@dataclass(frozen=True)
class Draw:
    layer_index: int
    quantity: Decimal
    received_at: datetime


def drain_fifo(layers: list[tuple[Decimal, datetime]], quantity: Decimal) -> list[Draw]:
    """Take `quantity` from (quantity_left, received_at) layers, oldest first.

    Layers may hold less than the balance only if the data predates layers; whatever the
    layers cannot cover is simply not drawn (the balance check is the guard, not this).
    """
    draws: list[Draw] = []
    remaining = quantity
    order = sorted(range(len(layers)), key=lambda i: layers[i][1])
    for index in order:
        if remaining <= 0:
            break
        left, received_at = layers[index]
        if left <= 0:
            continue
        taken = min(left, remaining)
        draws.append(Draw(index, taken, received_at))
        remaining -= taken
    return draws


def restore_draws(draws: list[Decimal], quantity: Decimal) -> list[Decimal]:
    """How much of `quantity` a reversal gives back to each layer its move drew from (in the
    order drawn, each entry what is still unrestored): the last drawn first, so a full reversal
    restores every layer and a partial one undoes the latest part of the draw."""
    given = [Decimal(0)] * len(draws)
    remaining = quantity
    for index in reversed(range(len(draws))):
        if remaining <= 0:
            break
        given[index] = min(draws[index], remaining)
        remaining -= given[index]
    return given
