"""Which agreement a consumption line is settled under, and the plant's local day that prices it."""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from openvmi.errors import Reason


@dataclass(frozen=True)
class Candidate:
    """An agreement in force for the line's item at its VMI location, with its supplier's stock there."""

    agreement_id: int
    supplier_id: int
    supplier_item_id: int
    currency: str
    tax_rate_percent: Decimal
    on_hand: Decimal


def choose_agreement(found: list[Candidate], *, supplier_id: int | None) -> Candidate | Reason:
    """The agreement the line consumes under: the named supplier's; else the only one in force; else the
    only one whose supplier has stock there. Otherwise the reason the line cannot be settled."""
    if supplier_id is not None:
        found = [candidate for candidate in found if candidate.supplier_id == supplier_id]
    if not found and supplier_id is not None:
        return Reason("no active VMI agreement of this supplier covers this item at this location")
    if not found:
        return Reason("no active VMI agreement covers this item at this location: it cannot be consumed "
                      "as consignment stock")
    if len(found) > 1:
        stocked = [candidate for candidate in found if candidate.on_hand > 0]
        if len(stocked) != 1:
            return Reason("several suppliers have agreements for this item here: name the supplier")
        found = stocked
    return found[0]


def price_day(at: datetime, zone: str) -> date:
    """The local day (docs/decisions.md, Settlement lines: the configured zone) that picks a price."""
    return at.astimezone(ZoneInfo(zone)).date()
