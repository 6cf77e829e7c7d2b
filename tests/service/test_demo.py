"""The demo company a newcomer meets on `make run`: complete enough to look around at once."""
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openvmi.access import Role
from openvmi.alerts.models import Alert
from openvmi.auth.models import User
from openvmi.catalog.models import Item, SupplierItem, SupplierItemPrice
from openvmi.jobs.demo import has_data, load_demo
from openvmi.ledger.models import StockBalance
from openvmi.parties.models import Party
from openvmi.supplier_stock.models import SupplierStock
from openvmi.vmi.agreements.models import VmiAgreement
from tests.builders import log_in
from tests.conftest import ledger_problems


@pytest.fixture(scope="module")
def demo_connection(engine):
    """The demo loaded once per database into an empty one (loading takes seconds): this module's tests
    only read it. Rolled back at the end."""
    with engine.connect() as connection:
        transaction = connection.begin()
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            assert not has_data(session)
            load_demo(session)
            session.commit()
        yield connection
        transaction.rollback()


@pytest.fixture
def demo(demo_connection):
    """A session on the loaded demo; what a test changes (a supplier scope, a write) goes with it."""
    with Session(bind=demo_connection, join_transaction_mode="create_savepoint", expire_on_commit=False) as session:
        yield session
        session.info.clear()
        assert ledger_problems(session) == []
        session.rollback()


def count(session, column, *where):
    return session.scalar(select(func.count(column)).where(*where))


def test_the_demo_company_has_suppliers_items_stock_users_and_alerts(demo):
    session = demo  # loaded into an empty database
    # there is a buyer with ~30 suppliers and ~500 items, every supplier item is published,
    # consignment stock sits in the VMI stores, each role can log in, and a few lines run low
    assert count(session, Party.id, Party.kind == "supplier") == 30
    assert 450 <= count(session, Item.id) <= 550
    assert count(session, SupplierStock.id) == count(session, SupplierItem.id)
    assert count(session, StockBalance.id, StockBalance.is_physical, StockBalance.on_hand > 0) > 200
    users = session.scalars(select(User)).all()
    assert {user.role for user in users} == set(Role)
    for user in users:  # with the password the README prints
        assert log_in(session, user.username, f"{user.username}-demo") is user
    assert 0 < count(session, Alert.id, Alert.kind == "low_stock") < 150
    # and VMI agreements in every state, with quantity-break prices behind them
    states = dict(session.execute(select(VmiAgreement.state, func.count()).group_by(VmiAgreement.state)).all())
    # (70 of the sample, and 11 for the demo supplier users' planned items at the Suzhou store)
    assert states == {"active": 81, "draft": 8, "ended": 2}
    breaks = count(session, SupplierItemPrice.id, SupplierItemPrice.min_quantity > 0)
    assert breaks == count(session, SupplierItem.id) * 2
    assert has_data(session)


def test_the_demo_plan_has_two_versions_and_hengda_sees_its_jump(demo):
    from datetime import date

    from openvmi.planning import queries as plan_queries
    from openvmi.planning.rules import Change
    from openvmi.scoping import scope_to_supplier

    session = demo

    current = plan_queries.get_current_version(session)
    assert current.number == 2 and current.line_count > 1000 and current.line_count % (12 * 2) == 0
    hengda = session.scalars(select(Party).where(Party.code == "S-NBHD")).one()
    scope_to_supplier(session, hengda.id)
    changes = plan_queries.week_changes(session, current, since=date.today()).items
    assert [(c.plant_code, c.current / c.previous) for c in changes if c.change == Change.UP_SHARPLY] == [("SZ01", 4)]
    assert {c.week for c in changes} and len({c.week for c in changes}) == 12


def test_the_demo_inbound_loop_has_call_offs_in_every_state_goods_on_the_way_and_a_short_damaged_receipt(demo):
    from openvmi.ledger.queries import invariant_violations
    from openvmi.locations.models import Location
    from openvmi.vmi.call_offs.models import CallOff
    from openvmi.vmi.call_offs.rules import CallOffState
    from openvmi.vmi.receipts.models import ReceiptLine
    from openvmi.vmi.shipments.models import Shipment

    session = demo

    # every call-off state is there to look at, each reached through the use cases
    states = dict(session.execute(select(CallOff.state, func.count()).group_by(CallOff.state)).all())
    assert set(states) == set(CallOffState)
    # goods on the way, and a receipt with a difference the buyer has not closed yet
    shipments = dict(session.execute(select(Shipment.state, func.count()).group_by(Shipment.state)).all())
    assert shipments == {"in_transit": 2, "received": 1, "closed": 1}
    assert session.execute(select(ReceiptLine.short, ReceiptLine.damaged)
                           .where((ReceiptLine.short > 0) | (ReceiptLine.damaged > 0))).all() == [(20, 30)]
    quarantined = session.scalar(select(func.sum(StockBalance.on_hand)).join(
        Location, Location.id == StockBalance.location_id).where(Location.kind == "quarantine"))
    assert quarantined == 30
    # the alerts the use cases opened as they went, and the ledger adds up
    assert count(session, Alert.id, Alert.kind == "vmi_receipt_differences", Alert.resolved_at.is_(None)) == 1
    assert invariant_violations(session) == []
