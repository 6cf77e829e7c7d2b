"""Money is exact on both databases, also when the database adds it up (SQLite keeps NUMERIC as
a float, so money is stored there as integer millionths: docs/decisions.md, Money)."""
from decimal import Decimal

from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select

from openvmi.catalog import queries as catalog_queries
from openvmi.catalog.schemas import PriceCreate
from openvmi.db import Money
from tests.builders import make_supplier_item


def test_ten_thousand_cents_add_up_to_exactly_one_hundred(session, connection):
    ledger = Table("money_sum_probe", MetaData(), Column("id", Integer, primary_key=True),
                   Column("amount", Money(), nullable=False), prefixes=["TEMPORARY"])
    ledger.create(connection)

    connection.execute(insert(ledger), [{"amount": Decimal("0.01")} for _ in range(10_000)])
    total = connection.execute(select(func.sum(ledger.c.amount))).scalar_one()
    # what the database itself answers, before any rounding on our side could hide float drift
    raw = connection.exec_driver_sql("SELECT SUM(amount) FROM money_sum_probe").scalar_one()

    assert total == Decimal("100.00") and str(total) == "100.000000"
    assert raw == (100_000_000 if connection.dialect.name == "sqlite" else Decimal("100.000000"))
    assert type(raw) is (int if connection.dialect.name == "sqlite" else Decimal)
    ledger.drop(connection)


def test_the_largest_price_is_kept_to_the_last_digit(session):
    largest = Decimal("999999999999.999999")
    row = make_supplier_item(session, prices=[PriceCreate(price=largest, currency="CNY", valid_from="2026-01-01")])
    session.commit()
    session.expire_all()

    (price,) = catalog_queries.get_supplier_item(session, row.id).prices

    assert price.price == largest
