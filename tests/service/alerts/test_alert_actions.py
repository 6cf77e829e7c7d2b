"""Acknowledging and commenting alerts, the supplier boundary, and notifications that live and
die with the alert's transaction."""
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from openvmi.access import Actor, Role
from openvmi.alerts import queries
from openvmi.alerts.models import Alert, InboxMessage, OutboxMessage
from openvmi.alerts.schemas import AlertFilter, AlertSignal, CommentCreate
from openvmi.alerts.service import acknowledge_alert, add_comment, mark_all_read, mark_read, sync_alerts
from openvmi.alerts.wording import ENGLISH
from openvmi.errors import Conflict, NotFound, PermissionDenied
from openvmi.scoping import scope_to_supplier
from tests.builders import make_item, make_party, make_user

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def actor_of(user) -> Actor:
    return Actor(user.id, user.username, Role(user.role), user.supplier_id)


def open_low_stock(session, supplier, item=None) -> Alert:
    item = item or make_item(session)
    sync_alerts(session, [AlertSignal(kind="low_stock", supplier_id=supplier.id, item_id=item.id, location_id=None,
                                      active=True, message=f"{item.code} low", numbers={"available": "1"})], now=T0)
    return session.scalars(select(Alert).where(Alert.item_id == item.id, Alert.open_key.is_not(None))).one()


def test_a_buyer_acknowledges_an_opened_alert_and_is_recorded(session):
    supplier = make_party(session)
    buyer = make_user(session, role=Role.BUYER)
    alert = open_low_stock(session, supplier)

    acknowledged = acknowledge_alert(session, alert.id, actor=actor_of(buyer), now=T0)

    assert (acknowledged.status, acknowledged.acknowledged_by_id, acknowledged.acknowledged_at) == (
        "acknowledged", buyer.id, T0)


def test_acknowledging_twice_or_after_resolution_is_refused(session):
    supplier, item = make_party(session), make_item(session)
    buyer = make_user(session, role=Role.BUYER)
    alert = open_low_stock(session, supplier, item)
    acknowledge_alert(session, alert.id, actor=actor_of(buyer))

    with pytest.raises(Conflict, match="acknowledged"):
        acknowledge_alert(session, alert.id, actor=actor_of(buyer))

    sync_alerts(session, [AlertSignal(kind="low_stock", supplier_id=supplier.id, item_id=item.id, location_id=None,
                                      active=False, message="back", numbers={})])
    with pytest.raises(Conflict, match="resolved"):
        acknowledge_alert(session, alert.id, actor=actor_of(buyer))


def test_comments_are_kept_in_order_with_author(session):
    supplier = make_party(session)
    buyer, seller = make_user(session, role=Role.BUYER), make_user(session, role=Role.SUPPLIER, supplier=supplier)
    alert = open_low_stock(session, supplier)

    add_comment(session, alert.id, CommentCreate(text="Please confirm a date"), actor=actor_of(buyer))
    add_comment(session, alert.id, CommentCreate(text="Ships Friday"), actor=actor_of(seller))

    session.expire_all()
    detail = queries.get_alert(session, alert.id)
    assert [(c.author_id, c.text) for c in detail.comments] == [
        (buyer.id, "Please confirm a date"), (seller.id, "Ships Friday")]


def test_a_supplier_user_sees_and_acts_on_only_its_own_alerts(session):
    mine, theirs = make_party(session), make_party(session)
    seller = make_user(session, role=Role.SUPPLIER, supplier=mine)
    own_alert, foreign_alert = open_low_stock(session, mine), open_low_stock(session, theirs)

    scope_to_supplier(session, mine.id)
    listed = queries.list_alerts(session, AlertFilter(), cursor=None, limit=500)
    asked_for_theirs = queries.list_alerts(session, AlertFilter(supplier_id=theirs.id), cursor=None, limit=500)

    assert own_alert.id in [a.id for a in listed.items]
    assert foreign_alert.id not in [a.id for a in listed.items]
    assert asked_for_theirs.items == []
    with pytest.raises(NotFound):
        queries.get_alert(session, foreign_alert.id)
    with pytest.raises(NotFound):
        acknowledge_alert(session, foreign_alert.id, actor=actor_of(seller))
    with pytest.raises(NotFound):
        add_comment(session, foreign_alert.id, CommentCreate(text="hello"), actor=actor_of(seller))
    acknowledge_alert(session, own_alert.id, actor=actor_of(seller))
    scope_to_supplier(session, None)


def test_a_supplier_session_cannot_raise_alerts_for_another_supplier_and_nothing_is_written(session):
    mine, theirs, item = make_party(session), make_party(session), make_item(session)
    make_user(session, role=Role.BUYER, email="buyer@example.com")
    signals = [AlertSignal(kind="low_stock", supplier_id=s.id, item_id=item.id, location_id=None, active=True,
                           message="low", numbers={}) for s in (mine, theirs)]

    scope_to_supplier(session, mine.id)
    savepoint = session.begin_nested()
    with pytest.raises(PermissionDenied):
        sync_alerts(session, signals)
    savepoint.rollback()
    scope_to_supplier(session, None)

    assert session.scalar(select(func.count()).select_from(Alert).where(Alert.item_id == item.id)) == 0
    assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.recipient == "buyer@example.com")) == 0


def test_a_rolled_back_use_case_takes_its_alerts_and_their_notifications_with_it(session):
    supplier, item = make_party(session), make_item(session)
    buyer = make_user(session, role=Role.BUYER, email="buyer@example.com")

    savepoint = session.begin_nested()
    sync_alerts(session, [AlertSignal(kind="low_stock", supplier_id=supplier.id, item_id=item.id, location_id=None,
                                      active=True, message="low", numbers={})])
    written = (session.scalar(select(func.count()).select_from(Alert).where(Alert.item_id == item.id)),
               session.scalar(select(func.count()).select_from(InboxMessage).where(InboxMessage.user_id == buyer.id)),
               session.scalar(select(func.count()).select_from(OutboxMessage).where(
                   OutboxMessage.recipient == "buyer@example.com")))
    savepoint.rollback()  # e.g. the import that raised the alert failed later on

    after = (session.scalar(select(func.count()).select_from(Alert).where(Alert.item_id == item.id)),
             session.scalar(select(func.count()).select_from(InboxMessage).where(InboxMessage.user_id == buyer.id)),
             session.scalar(select(func.count()).select_from(OutboxMessage).where(
                 OutboxMessage.recipient == "buyer@example.com")))
    assert written == (1, 1, 1)
    assert after == (0, 0, 0)


def test_a_user_reads_only_their_own_inbox(session):
    supplier = make_party(session)
    buyer, other = make_user(session, role=Role.BUYER), make_user(session, role=Role.BUYER)
    open_low_stock(session, supplier)

    inbox = queries.list_inbox(session, actor_of(buyer), words=ENGLISH, unread_only=True, cursor=None, limit=50)
    [message] = inbox.items
    assert inbox.unread == 1 and message.title.startswith("Low stock: ")

    with pytest.raises(NotFound):
        mark_read(session, message.id, actor=actor_of(other))
    assert mark_read(session, message.id, actor=actor_of(buyer)).read_at is not None
    assert queries.list_inbox(session, actor_of(buyer), words=ENGLISH, unread_only=True, cursor=None,
                              limit=50).unread == 0
    assert mark_all_read(session, actor=actor_of(other)) == 1
