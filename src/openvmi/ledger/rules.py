"""Pure stock rules: what is short, how FIFO layers drain. No database here."""
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from openvmi.enums import N_, Labelled


class LocationKind(Labelled):
    SUPPLIER_SITE = "supplier_site", N_("Supplier site")
    VMI = "vmi", N_("VMI store (consignment)")
    WAREHOUSE = "warehouse", N_("Warehouse")
    PRODUCTION = "production", N_("Production line")
    IN_TRANSIT = "in_transit", N_("In transit")
    VIRTUAL = "virtual", N_("Virtual (bookkeeping)")


# Stock physically sits here, so it can never go below zero. Production is a consumption
# sink and virtual locations (adjustment, scrap, supplier origin) are bookkeeping sources.
PHYSICAL_KINDS = frozenset({LocationKind.SUPPLIER_SITE, LocationKind.VMI, LocationKind.WAREHOUSE,
                            LocationKind.IN_TRANSIT})


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
