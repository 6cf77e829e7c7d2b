"""Two imports of the same supplier racing on PostgreSQL open one alert between them, and only the
winner notifies (SQLite's single writer cannot race: the second sync starts after the first commits)."""
import threading

import pytest
from sqlalchemy import event, func, select

from openvmi.access import Role
from openvmi.alerts.models import Alert, OutboxMessage
from openvmi.alerts.schemas import AlertSignal
from openvmi.alerts.service import sync_alerts
from openvmi.db import create_db_engine, create_session_factory
from tests.builders import make_item, make_party, make_user


@pytest.mark.parametrize("fresh_database", ["postgres"], indirect=True)
def test_two_syncs_racing_to_open_the_same_alert_open_it_once(fresh_database):
    engine = create_db_engine(fresh_database)
    sessions = create_session_factory(engine)
    with sessions() as session:
        supplier, item = make_party(session), make_item(session)
        make_user(session, role=Role.BUYER, email="buyer@example.com")
        session.commit()
    signal = AlertSignal(kind="low_stock", supplier_id=supplier.id, item_id=item.id, location_id=None, active=True,
                         message="low", numbers={"available": "1"})
    first_inserted, second_inserting = threading.Event(), threading.Event()
    results = {}

    def first() -> None:
        with sessions() as session:
            results["first"] = sync_alerts(session, [signal])
            first_inserted.set()
            second_inserting.wait(30)  # the second has looked for open alerts and found none
            session.commit()

    def second() -> None:
        first_inserted.wait(30)
        with sessions() as session:
            connection = session.connection()

            @event.listens_for(connection, "before_cursor_execute")
            def _inserting(conn, cursor, statement, parameters, context, executemany):
                if statement.startswith("INSERT INTO alert "):
                    second_inserting.set()

            results["second"] = sync_alerts(session, [signal])
            session.commit()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with sessions() as session:
        alerts = session.scalar(select(func.count()).select_from(Alert).where(Alert.item_id == item.id))
        mails = session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.recipient == "buyer@example.com"))
    engine.dispose()
    assert (results["first"].opened, results["second"].opened, results["second"].unchanged) == (1, 0, 1)
    assert (alerts, mails) == (1, 1)


@pytest.mark.parametrize("fresh_database", ["postgres"], indirect=True)
def test_two_syncs_racing_to_resolve_the_same_alert_notify_once(fresh_database):
    engine = create_db_engine(fresh_database)
    sessions = create_session_factory(engine)
    with sessions() as session:
        supplier, item = make_party(session), make_item(session)
        make_user(session, role=Role.BUYER, email="buyer@example.com")
        sync_alerts(session, [AlertSignal(kind="low_stock", supplier_id=supplier.id, item_id=item.id,
                                          location_id=None, active=True, message="low", numbers={})])
        session.commit()
    cleared = AlertSignal(kind="low_stock", supplier_id=supplier.id, item_id=item.id, location_id=None, active=False,
                          message="low", numbers={"available": "50"})
    first_resolved, second_looking = threading.Event(), threading.Event()
    results = {}

    def first() -> None:
        with sessions() as session:
            results["first"] = sync_alerts(session, [cleared])
            first_resolved.set()
            second_looking.wait(30)
            session.commit()

    def second() -> None:
        first_resolved.wait(30)
        with sessions() as session:
            connection = session.connection()

            @event.listens_for(connection, "before_cursor_execute")
            def _looking(conn, cursor, statement, parameters, context, executemany):
                if statement.startswith("SELECT alert."):
                    second_looking.set()

            results["second"] = sync_alerts(session, [cleared])
            session.commit()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with sessions() as session:
        events = session.scalars(select(OutboxMessage.event).where(
            OutboxMessage.recipient == "buyer@example.com").order_by(OutboxMessage.id)).all()
    engine.dispose()
    assert (results["first"].resolved, results["second"].resolved) == (1, 0)
    assert events == ["alert.opened", "alert.resolved"]
