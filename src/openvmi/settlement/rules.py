"""What a settlement line says: its kinds and the money rule every writer of one applies."""
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import get_currency_precision

from openvmi.enums import N_, Labelled


class SettlementKind(Labelled):
    """Why the buyer owes (or is owed back) money: the documents that move ownership."""

    CONSUMPTION = "consumption", N_("Consumption")
    REVERSAL = "reversal", N_("Return from production")
    BUYOUT = "buyout", N_("Buyout")


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
