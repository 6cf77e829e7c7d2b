"""The `session` fixture fails a test that leaves the ledger inconsistent, even when the test
never committed what it broke (the check runs before the rollback)."""
CORRUPTING_TESTS = '''
from decimal import Decimal

import pytest
from sqlalchemy import update

from openvmi.ledger.models import ReceiptLayer, StockBalance
from tests.builders import make_item, make_location, make_party, receive


@pytest.mark.parametrize("table", [StockBalance, ReceiptLayer], ids=["balance", "layer"])
def test_plants_a_corruption(session, table):
    supplier, item, store = make_party(session), make_item(session), make_location(session, kind="vmi")
    receive(session, item=item, location=store, owner=supplier, quantity=5)
    session.commit()  # only the savepoint: the outer transaction is still rolled back after the test
    column = table.on_hand if table is StockBalance else table.quantity_left
    session.execute(update(table).where(table.item_id == item.id, table.location_id == store.id)
                    .values({column: Decimal(4)}))


def test_leaves_a_consistent_ledger(session):
    supplier, item, store = make_party(session), make_item(session), make_location(session, kind="vmi")
    receive(session, item=item, location=store, owner=supplier, quantity=5)
'''


def test_an_uncommitted_corruption_fails_the_test_that_left_it(pytester):
    pytester.makeconftest("from tests.conftest import *  # noqa: F403 - the project's own fixtures\n")
    pytester.makepyfile(test_corrupt=CORRUPTING_TESTS)

    result = pytester.runpytest_inprocess("-k", "sqlite", "-p", "no:cacheprovider")

    # every test body passes; the teardown of each corrupting one finds the damage
    result.assert_outcomes(passed=3, errors=2)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_plants_a_corruption?sqlite-balance?*"])
    result.stdout.fnmatch_lines(["*its moves add up to 5*"])
    result.stdout.fnmatch_lines(["*its FIFO layers hold 4*"])
