"""What a settlement line says: its kinds and the money rule every writer of one applies."""
import functools
from collections.abc import Mapping
from calendar import monthrange
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel.numbers import get_currency_precision

from openvmi.enums import N_, Labelled


class SettlementKind(Labelled):
    """Why the buyer owes (or is owed back) money: the documents that move ownership."""

    CONSUMPTION = "consumption", N_("Consumption")
    REVERSAL = "reversal", N_("Return from production")
    BUYOUT = "buyout", N_("Buyout")
    CREDIT = "credit", N_("Credit")  # finance's correction of a disputed line: money only, no move


class SettlementCycle(Labelled):
    """How often an agreement's lines are put on a statement (periods in local days)."""

    WEEKLY = "weekly", N_("Weekly")
    SEMI_MONTHLY = "semi_monthly", N_("Semi-monthly")
    MONTHLY = "monthly", N_("Monthly")


@functools.cache  # CLDR's lookup costs ~0.1 ms, paid per line by every writer and reader of lines
def currency_places(currency: str) -> int:
    """The currency's minor units (ISO 4217, from CLDR): CNY 2, JPY 0, KWD 3."""
    return get_currency_precision(currency)


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Half-up (away from zero) to the currency's minor unit: the one rounding rule of settlement."""
    return amount.quantize(Decimal(1).scaleb(-currency_places(currency)), rounding=ROUND_HALF_UP)


def net_amount(quantity: Decimal, unit_price: Decimal, currency: str) -> Decimal:
    """A line's net amount: quantity x unit price, rounded per line (docs/decisions.md, Settlement lines)."""
    return round_money(quantity * unit_price, currency)


def returned_amount(consumed: Decimal, returned_before: Decimal, quantity: Decimal, unit_price: Decimal,
                    currency: str) -> Decimal:
    """The (negative) net amount of returning `quantity` of a line of `consumed` units of which
    `returned_before` came back already: what the line's remainder was worth minus what it is worth
    now, so returning everything, in any steps, nets the line to exactly zero."""
    left = consumed - returned_before
    return net_amount(left - quantity, unit_price, currency) - net_amount(left, unit_price, currency)


def owed_row(kind: SettlementKind, *, move_id: int, quantity: Decimal, unit_price: Decimal, currency: str,
             tax_rate_percent: Decimal, supplier_id: int, agreement_id: int, supplier_item_id: int, item_id: int,
             price_day: date, occurred_at: datetime) -> dict[str, Any]:
    """The settlement line of a move that hands `quantity` of a supplier's stock to the buyer."""
    if kind is SettlementKind.REVERSAL:
        raise ValueError("a reversal is priced by the line it reverses: returned_row")
    return {"kind": kind.value, "move_id": move_id, "reverses_line_id": None, "quantity": quantity,
            "unit_price": unit_price, "currency": currency, "tax_rate_percent": tax_rate_percent,
            "net_amount": net_amount(quantity, unit_price, currency), "supplier_id": supplier_id,
            "agreement_id": agreement_id, "supplier_item_id": supplier_item_id, "item_id": item_id,
            "price_day": price_day, "occurred_at": occurred_at}


def returned_row(line: Mapping[str, Any], *, line_id: int, move_id: int, quantity: Decimal,
                 returned_before: Decimal, occurred_at: datetime) -> dict[str, Any]:
    """The negative line of returning `quantity` (> 0) of the line `line` (its columns), of which
    `returned_before` came back already: at that line's price, day, currency and tax rate."""
    if quantity <= 0 or quantity > line["quantity"] - returned_before:
        raise ValueError("a return must be positive and within what is left of the line")
    return {**{name: line[name] for name in ("unit_price", "currency", "tax_rate_percent", "supplier_id",
                                             "agreement_id", "supplier_item_id", "item_id", "price_day")},
            "kind": SettlementKind.REVERSAL.value, "move_id": move_id, "reverses_line_id": line_id,
            "quantity": -quantity, "occurred_at": occurred_at,
            "net_amount": returned_amount(line["quantity"], returned_before, quantity, line["unit_price"],
                                          line["currency"])}


def tax_amount(net: Decimal, tax_rate_percent: Decimal, currency: str) -> Decimal:
    """A line's tax: its net x its rate, rounded per line like the net (docs/decisions.md, Settlement
    views), so a total's tax is the sum of its lines' taxes."""
    return round_money(net * tax_rate_percent / 100, currency)


class Difference(Labelled):
    """What reconciliation finds between the ownership moves and the settlement lines."""

    MOVE_WITHOUT_LINE = "move_without_line", N_("Ownership move without a settlement line")
    LINE_WITHOUT_MOVE = "line_without_move", N_("Settlement line without its ownership move")
    QUANTITY = "quantity", N_("Quantity differs from the move")
    AMOUNT = "amount", N_("Amount differs from quantity x price")


def differences(*, move_quantity: Decimal | None, line_quantity: Decimal | None, line_amount: Decimal | None,
                expected_amount: Decimal | None) -> list[Difference]:
    """How one pair (a supplier's ownership move, signed: + to the buyer, - back; and the line naming
    it) disagrees; an empty list when the line settles its move exactly."""
    if line_quantity is None:
        return [Difference.MOVE_WITHOUT_LINE]
    if move_quantity is None:
        return [Difference.LINE_WITHOUT_MOVE]
    found = []
    if line_quantity != move_quantity:
        found.append(Difference.QUANTITY)
    if line_amount != expected_amount:
        found.append(Difference.AMOUNT)
    return found
def period_of(day: date, cycle: SettlementCycle) -> tuple[date, date]:
    """The first and last local day of the settlement period holding `day`: Monday to Sunday,
    the 1st to the 15th or the 16th to the month's end, or the calendar month."""
    last_of_month = day.replace(day=monthrange(day.year, day.month)[1])
    if cycle is SettlementCycle.WEEKLY:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if cycle is SettlementCycle.SEMI_MONTHLY:
        return (day.replace(day=1), day.replace(day=15)) if day.day <= 15 else (day.replace(day=16), last_of_month)
    return day.replace(day=1), last_of_month


def credit_row(line: Mapping[str, Any], *, line_id: int, amount: Decimal, reason: str,
               occurred_at: datetime) -> dict[str, Any]:
    """Finance's credit of `amount` (> 0, in the currency's minor unit, at most the line's net: the
    statements service checks) against the line `line` (its columns): a money-only line (quantity 0)
    at the line's tax rate, currency and day."""
    return {**{name: line[name] for name in ("currency", "tax_rate_percent", "supplier_id", "agreement_id",
                                             "supplier_item_id", "item_id", "price_day")},
            "kind": SettlementKind.CREDIT.value, "move_id": None, "reverses_line_id": line_id,
            "quantity": Decimal(0), "unit_price": Decimal(0), "net_amount": -amount, "reason": reason,
            "occurred_at": occurred_at}
