"""Pure stock rules: what is short, how FIFO layers drain. No database here."""
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from openvmi.enums import N_, Labelled


class MoveKind(Labelled):
    RECEIPT = "receipt", N_("Receipt")
    CONSUMPTION = "consumption", N_("Consumption")
    ADJUSTMENT = "adjustment", N_("Adjustment")
    TRANSFER = "transfer", N_("Transfer")
    RETURN = "return", N_("Return")
    BUYOUT = "buyout", N_("Buyout")


def shortfall(on_hand: Decimal, requested: Decimal, *, is_physical: bool) -> Decimal:
    """How much is missing to take `requested` out; non-physical locations never run short."""
    return max(requested - on_hand, Decimal(0)) if is_physical else Decimal(0)


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
