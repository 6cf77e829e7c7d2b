"""Pure receipt rules: difference reasons, what a counted line must add up to, where each part goes."""
from dataclasses import dataclass
from decimal import Decimal

from openvmi.enums import N_, Labelled
from openvmi.errors import Reason


class DifferenceReason(Labelled):
    NOT_DELIVERED = "not_delivered", N_("Not delivered")
    COUNT_DIFFERENCE = "count_difference", N_("Count difference")
    PACKING_ERROR = "packing_error", N_("Packing error")
    DAMAGED_IN_TRANSIT = "damaged_in_transit", N_("Damaged in transit")
    QUALITY_DEFECT = "quality_defect", N_("Quality defect")
    WRONG_ITEM = "wrong_item", N_("Wrong item")
    OTHER = "other", N_("Other")


@dataclass(frozen=True)
class Count:
    """What the clerk counted for one shipment line."""

    shipped: Decimal
    accepted: Decimal
    short: Decimal
    over: Decimal
    damaged: Decimal
    short_reason: str | None
    over_reason: str | None
    damaged_reason: str | None


def count_problems(count: Count) -> list[tuple[str, Reason]]:
    """(field, message) for every way the counted line does not add up or lacks a reason."""
    problems = []
    if count.accepted + count.damaged + count.short - count.over != count.shipped:
        problems.append(("accepted", Reason(
            "accepted + damaged + short - over must equal the %(shipped)s shipped", shipped=_plain(count.shipped))))
    if count.short and count.over:
        problems.append(("over", Reason("a line arrives short or over, not both")))
    for part, reason in (("short", count.short_reason), ("over", count.over_reason),
                         ("damaged", count.damaged_reason)):
        if getattr(count, part) > 0 and reason is None:
            problems.append((f"{part}_reason", Reason("give a reason for the %(part)s quantity", part=part)))
    return problems


@dataclass(frozen=True)
class Split:
    """Where a received line goes: from transit or (what came over) from the supplier's origin."""

    accepted_from_transit: Decimal
    damaged_from_transit: Decimal
    accepted_from_origin: Decimal
    damaged_from_origin: Decimal


def split(count: Count) -> Split:
    """What arrived of the shipped quantity leaves transit (damaged first, into quarantine); what
    came on top of it was never in transit, so it is received straight from the supplier's origin."""
    arrived = count.shipped - count.short
    damaged_from_transit = min(count.damaged, arrived)
    accepted_from_transit = arrived - damaged_from_transit
    return Split(accepted_from_transit=accepted_from_transit, damaged_from_transit=damaged_from_transit,
                 accepted_from_origin=count.accepted - accepted_from_transit,
                 damaged_from_origin=count.damaged - damaged_from_transit)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
