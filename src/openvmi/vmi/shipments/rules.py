"""Pure shipment rules: its states, what an action needs, how much a line may still carry."""
import secrets
from datetime import date
from decimal import Decimal

from openvmi.enums import N_, Labelled

# Letters and digits nobody misreads on a packing list or types wrong after a scanner hiccup.
NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class ShipmentState(Labelled):
    IN_TRANSIT = "in_transit", N_("In transit")
    RECEIVED = "received", N_("Received")  # what arrived short is still in transit until closed
    CLOSED = "closed", N_("Closed")
    CANCELLED = "cancelled", N_("Cancelled")


# The supplier cancels only what has not arrived; the buyer closes only what was received.
CANCELLABLE_STATES = frozenset({ShipmentState.IN_TRANSIT})
RECEIVABLE_STATES = frozenset({ShipmentState.IN_TRANSIT})
CLOSABLE_STATES = frozenset({ShipmentState.RECEIVED})


def new_number(today: date) -> str:
    """A shipment number for the packing list and its barcode: ASN-yymmdd-six characters."""
    return f"ASN-{today:%y%m%d}-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(6))


def normalised_number(text: str) -> str:
    """What a scanner or a person typed, as stored: no surrounding blanks, upper case."""
    return text.strip().upper()


def room_left(quantity: Decimal, shipped: Decimal, tolerance_percent: Decimal) -> Decimal:
    """How much more a call-off line may carry: up to its quantity plus the agreement's tolerance."""
    return quantity + quantity * tolerance_percent / Decimal(100) - shipped
