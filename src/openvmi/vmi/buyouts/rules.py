"""Pure buyout rules: what may happen to supplier stock left when an agreement ends, and the price's local day."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from openvmi.enums import N_, Labelled


class Leftover(Labelled):
    """What ending an agreement does with the supplier's stock still at its VMI location."""

    BUYOUT = "buyout", N_("Buy it out")
    RETURN = "return", N_("Return it to the supplier")


def price_day(at: datetime, zone: str) -> date:
    """The local day whose price applies to a posting at `at` (docs/decisions.md, Settlement lines)."""
    return at.astimezone(ZoneInfo(zone)).date()
