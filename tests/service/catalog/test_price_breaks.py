"""Quantity-break prices on both databases: the line's quantity picks the break, the day picks the set."""
from datetime import date
from decimal import Decimal

import pytest

from openvmi.catalog import queries, service
from openvmi.catalog.queries import NoPrice
from openvmi.catalog.schemas import PriceCreate, SupplierItemUpdate
from openvmi.errors import InvalidInput
from tests.builders import make_supplier_item


def brk(amount: str, valid_from: str, minimum: str = "0", valid_to: str | None = None) -> PriceCreate:
    return PriceCreate(price=Decimal(amount), currency="CNY", valid_from=valid_from, valid_to=valid_to,
                       min_quantity=Decimal(minimum))


# 1 @ 5.00, 100+ @ 4.50 from January; from July 1st a new set: 1 @ 5.20, 100+ @ 4.80.
PRICE_LIST = [brk("5.00", "2026-01-01", "1"), brk("4.50", "2026-01-01", "100"),
              brk("5.20", "2026-07-01", "1"), brk("4.80", "2026-07-01", "100")]


@pytest.mark.parametrize(("day", "quantity", "expected"), [
    ("2026-06-30", "99", "5.00"), ("2026-06-30", "100", "4.50"), ("2026-06-30", "101", "4.50"),
    ("2026-07-01", "99", "5.20"), ("2026-07-01", "100", "4.80"), ("2026-07-01", "101", "4.80"),
    ("2026-07-02", "99", "5.20"), ("2026-07-02", "100", "4.80"), ("2026-07-02", "101", "4.80"),
    ("2026-01-01", "1", "5.00"), ("2026-01-01", "99.999999", "5.00"),
])
def test_the_price_at_the_edges_of_each_break_and_each_price_change(session, day, quantity, expected):
    row = make_supplier_item(session, prices=PRICE_LIST)

    found = queries.price_on(session, row.id, day=date.fromisoformat(day), quantity=Decimal(quantity))

    assert found.price == Decimal(expected)


def test_no_price_before_the_first_set_or_below_the_lowest_break(session):
    row = make_supplier_item(session, prices=PRICE_LIST)

    assert queries.price_on(session, row.id, day=date(2025, 12, 31), quantity=Decimal(100)) is None
    assert queries.price_on(session, row.id, day=date(2026, 3, 1), quantity=Decimal("0.5")) is None
    with pytest.raises(NoPrice):
        queries.quote_price(session, row.id, day=date(2026, 3, 1), quantity=Decimal("0.5"))


def test_a_quote_names_the_break_and_the_line_amount(session):
    row = make_supplier_item(session, prices=PRICE_LIST)

    quote = queries.quote_price(session, row.id, day=date(2026, 7, 1), quantity=Decimal(150))

    assert (quote.price, quote.min_quantity, quote.valid_from, quote.amount) == (
        Decimal("4.80"), Decimal(100), date(2026, 7, 1), Decimal("720.000000"))


def test_the_breaks_come_back_in_order_with_their_minimum_quantities(session):
    row = make_supplier_item(session, prices=list(reversed(PRICE_LIST)))

    (read,) = queries.describe_supplier_items(session, [queries.get_supplier_item(session, row.id)])

    assert [(p.valid_from.isoformat(), p.min_quantity, p.price) for p in read.prices] == [
        ("2026-01-01", Decimal(1), Decimal("5.00")), ("2026-01-01", Decimal(100), Decimal("4.50")),
        ("2026-07-01", Decimal(1), Decimal("5.20")), ("2026-07-01", Decimal(100), Decimal("4.80"))]


def test_a_break_twice_or_a_set_with_ragged_ends_is_refused_and_nothing_changes(session):
    row = make_supplier_item(session, prices=PRICE_LIST)

    with pytest.raises(InvalidInput) as twice:
        service.update_supplier_item(session, row.id, SupplierItemUpdate(
            prices=[brk("5", "2026-01-01", "100"), brk("4", "2026-01-01", "100")]), expected_version=1)
    with pytest.raises(InvalidInput) as ragged:
        service.update_supplier_item(session, row.id, SupplierItemUpdate(
            prices=[brk("5", "2026-01-01", "0", "2026-06-30"), brk("4", "2026-01-01", "100")]), expected_version=1)

    assert "same minimum quantity 100" in twice.value.errors[0].message
    assert "end on different days" in ragged.value.errors[0].message
    assert len(queries.get_supplier_item(session, row.id).prices) == 4
