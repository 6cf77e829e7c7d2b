"""Edge-triggered alerts: crossing a threshold opens one alert, staying there opens no second,
clearing resolves it, and every change notifies in the same transaction."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from openvmi.access import Role
from openvmi.alerts.models import Alert, InboxMessage, OutboxMessage
from openvmi.alerts.schemas import AlertSignal
from openvmi.alerts.service import sync_alerts
from tests.builders import make_item, make_party, make_user

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def low(supplier, item, *, active=True, available="5"):
    return AlertSignal(kind="low_stock", supplier_id=supplier.id, item_id=item.id, location_id=None, active=active,
                       message=f"{item.code}: available {available} below low-water 10",
                       numbers={"available": available, "low_water": "10"})


def alerts_of(session, supplier):
    return session.scalars(select(Alert).where(Alert.supplier_id == supplier.id).order_by(Alert.id)).all()


def test_stock_falling_below_the_threshold_opens_one_alert_with_its_numbers(session):
    # given a supplier item with no alert
    supplier, item = make_party(session), make_item(session)

    # when its stock is reported below the low-water mark
    result = sync_alerts(session, [low(supplier, item)], now=T0)

    # then exactly one opened alert carries the numbers that triggered it
    assert (result.opened, result.resolved, result.unchanged) == (1, 0, 0)
    [alert] = alerts_of(session, supplier)
    assert (alert.kind, alert.status, alert.item_id, alert.opened_at) == ("low_stock", "opened", item.id, T0)
    assert alert.numbers == {"available": "5", "low_water": "10"}


def test_staying_below_opens_no_second_alert_and_refreshes_the_numbers(session):
    supplier, item = make_party(session), make_item(session)
    sync_alerts(session, [low(supplier, item, available="5")], now=T0)

    result = sync_alerts(session, [low(supplier, item, available="3")], now=T0 + timedelta(hours=1))

    assert (result.opened, result.resolved, result.unchanged) == (0, 0, 1)
    [alert] = alerts_of(session, supplier)
    assert alert.numbers["available"] == "3" and alert.opened_at == T0


def test_going_back_above_resolves_and_crossing_again_opens_a_new_alert(session):
    supplier, item = make_party(session), make_item(session)
    sync_alerts(session, [low(supplier, item)], now=T0)

    resolved = sync_alerts(session, [low(supplier, item, active=False, available="50")], now=T0 + timedelta(hours=1))
    still_fine = sync_alerts(session, [low(supplier, item, active=False, available="60")], now=T0 + timedelta(hours=2))
    reopened = sync_alerts(session, [low(supplier, item, available="2")], now=T0 + timedelta(hours=3))

    assert (resolved.resolved, still_fine.unchanged, reopened.opened) == (1, 1, 1)
    first, second = alerts_of(session, supplier)
    assert (first.status, first.resolved_at) == ("resolved", T0 + timedelta(hours=1))
    assert (second.status, second.opened_at) == ("opened", T0 + timedelta(hours=3))


def test_an_acknowledged_alert_still_counts_as_open_and_resolves_when_stock_returns(session):
    from openvmi.alerts.service import acknowledge_alert
    from openvmi.access import Actor

    supplier, item, buyer = make_party(session), make_item(session), make_user(session)
    sync_alerts(session, [low(supplier, item)], now=T0)
    [alert] = alerts_of(session, supplier)
    acknowledge_alert(session, alert.id, actor=Actor(buyer.id, buyer.username, Role.BUYER, None))

    again = sync_alerts(session, [low(supplier, item)], now=T0 + timedelta(hours=1))
    cleared = sync_alerts(session, [low(supplier, item, active=False)], now=T0 + timedelta(hours=2))

    assert (again.opened, again.unchanged, cleared.resolved) == (0, 1, 1)
    assert [a.status for a in alerts_of(session, supplier)] == ["resolved"]


def test_subjects_differ_by_kind_item_and_location(session):
    supplier, bolt, nut = make_party(session), make_item(session), make_item(session)
    stale = AlertSignal(kind="stale_data", supplier_id=supplier.id, item_id=None, location_id=None, active=True,
                        message="no stock update for 9 days", numbers={"days": "9"})
    high = AlertSignal(kind="high_stock", supplier_id=supplier.id, item_id=bolt.id, location_id=None, active=True,
                       message="above high-water", numbers={})

    result = sync_alerts(session, [low(supplier, bolt), low(supplier, nut), stale, high], now=T0)
    again = sync_alerts(session, [low(supplier, bolt), low(supplier, nut), stale, high], now=T0)

    assert (result.opened, again.opened, again.unchanged) == (4, 0, 4)


def test_the_database_refuses_a_second_unresolved_alert_for_one_subject(session):
    supplier, item = make_party(session), make_item(session)
    sync_alerts(session, [low(supplier, item)], now=T0)
    [alert] = alerts_of(session, supplier)

    duplicate = Alert(kind=alert.kind, supplier_id=supplier.id, item_id=item.id, location_id=None,
                      open_key=alert.open_key, status="opened", message="again", numbers={})
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            session.add(duplicate)
            session.flush()


def test_opening_notifies_buyers_admins_and_the_suppliers_own_users_only(session):
    supplier, other = make_party(session), make_party(session)
    item = make_item(session)
    buyer = make_user(session, role=Role.BUYER, email="buyer@example.com")
    admin = make_user(session, role=Role.ADMIN)
    own = make_user(session, role=Role.SUPPLIER, supplier=supplier, email="sales@supplier.example")
    foreign = make_user(session, role=Role.SUPPLIER, supplier=other, email="sales@other.example")
    warehouse = make_user(session, role=Role.WAREHOUSE, email="wh@example.com")

    sync_alerts(session, [low(supplier, item)], now=T0)

    [alert] = alerts_of(session, supplier)
    inbox = set(session.scalars(select(InboxMessage.user_id).where(InboxMessage.alert_id == alert.id)))
    assert {buyer.id, admin.id, own.id} <= inbox
    assert foreign.id not in inbox and warehouse.id not in inbox
    mails = set(session.scalars(select(OutboxMessage.recipient).where(
        OutboxMessage.alert_id == alert.id, OutboxMessage.channel == "email")))
    assert {"buyer@example.com", "sales@supplier.example"} <= mails
    assert "sales@other.example" not in mails and "wh@example.com" not in mails


def test_staying_below_sends_nothing_new_and_resolving_notifies_again(session):
    supplier, item = make_party(session), make_item(session)
    make_user(session, role=Role.BUYER, email="buyer@example.com")

    def notifications():
        return session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.recipient == "buyer@example.com"))

    sync_alerts(session, [low(supplier, item)], now=T0)
    after_open = notifications()
    sync_alerts(session, [low(supplier, item)] * 3, now=T0)
    after_repeat = notifications()
    sync_alerts(session, [low(supplier, item, active=False)], now=T0)

    assert (after_open, after_repeat, notifications()) == (1, 1, 2)
    events = session.scalars(select(OutboxMessage.event).where(
        OutboxMessage.recipient == "buyer@example.com").order_by(OutboxMessage.id)).all()
    assert events == ["alert.opened", "alert.resolved"]


def test_a_mass_event_sends_people_one_summary_but_webhooks_every_alert(session):
    from openvmi.alerts import wording
    from openvmi.alerts.schemas import WebhookEndpointCreate
    from openvmi.alerts.service import create_webhook_endpoint
    from openvmi.alerts.targets import WebhookTargets

    supplier = make_party(session)
    buyer = make_user(session, role=Role.BUYER, email="buyer@example.com")
    endpoint = create_webhook_endpoint(session, WebhookEndpointCreate(name="ERP", url="https://erp.example.com/h"),
                                       targets=WebhookTargets())
    items = [make_item(session) for _ in range(12)]

    sync_alerts(session, [low(supplier, item) for item in items], now=T0)

    [digest] = session.scalars(select(InboxMessage).where(InboxMessage.user_id == buyer.id)).all()
    assert (digest.event, digest.alert_id, digest.title) == ("alert.digest", None, None)  # worded when read
    assert wording.title(wording.ENGLISH, digest.content) == "12 alerts opened, 0 resolved"
    assert "12 × Low stock, opened" in wording.body(wording.ENGLISH, digest.content)
    mails = session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "buyer@example.com")).all()
    assert [m.payload["content"] for m in mails] == [digest.content]
    hooks = session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.endpoint_id == endpoint.id))
    assert hooks == 12
