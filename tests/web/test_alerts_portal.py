"""Alert pages: the list with its filters and acknowledge button, the detail with comments, the
inbox, the dashboard panel, and the supplier boundary (another supplier's alert is a 404 page)."""
from sqlalchemy import select

from openvmi.access import Role
from openvmi.alerts.models import Alert, InboxMessage
from openvmi.alerts.schemas import AlertSignal
from openvmi.alerts.service import sync_alerts
from tests.builders import make_item, make_party, make_user
from tests.web.conftest import field_error, heading


def low_stock(session, supplier, item, *, active=True):
    sync_alerts(session, [AlertSignal(kind="low_stock", supplier_id=supplier.id, item_id=item.id, location_id=None,
                                      active=active, message=f"{item.code}: available 2 below low-water 10",
                                      numbers={"available": "2", "low_water": "10"})])
    return session.scalars(select(Alert).where(Alert.item_id == item.id).order_by(Alert.id.desc())).first()


def test_a_buyer_sees_unresolved_alerts_and_acknowledges_one_from_the_list(session, portal):
    supplier = make_party(session, code="HENGDA-P1")
    bolt, nut = make_item(session, code="BOLT-P1"), make_item(session, code="NUT-P1")
    open_alert = low_stock(session, supplier, bolt)
    low_stock(session, supplier, nut)
    low_stock(session, supplier, nut, active=False)
    buyer = make_user(session, role=Role.BUYER)
    portal.sign_in(buyer)

    page = portal.get("/alerts", params={"q": "P1"})
    done = portal.post(f"/alerts/{open_alert.id}/acknowledge", {"next": "/alerts?q=P1"}, follow_redirects=False)
    after = portal.get(done.headers["location"])
    twice = portal.post(f"/alerts/{open_alert.id}/acknowledge", {"next": "/alerts"})
    resolved = portal.get("/alerts", params={"q": "P1", "status": "resolved"})

    assert page.status_code == 200 and heading(page.text) == "Alerts"
    assert "BOLT-P1" in page.text and "NUT-P1" not in page.text  # resolved ones are not in the default view
    assert done.status_code == 303 and done.headers["location"] == "/alerts?q=P1"
    assert f"Alert #{open_alert.id} acknowledged." in after.text
    assert twice.status_code == 200 and f"Alert #{open_alert.id} is no longer open." in twice.text
    assert "NUT-P1" in resolved.text and "BOLT-P1" not in resolved.text
    session.refresh(open_alert)
    assert (open_alert.status, open_alert.acknowledged_by_id) == ("acknowledged", buyer.id)


def test_a_comment_appears_on_the_alert_and_an_empty_one_is_refused_next_to_the_field(session, portal):
    supplier, item = make_party(session), make_item(session)
    alert = low_stock(session, supplier, item)
    portal.sign_in(make_user(session, role=Role.BUYER, display_name="Wang Min"))

    empty = portal.post(f"/alerts/{alert.id}/comments", {"text": "  "})
    posted = portal.post(f"/alerts/{alert.id}/comments", {"text": "Asked for a delivery date"}, follow_redirects=False)
    detail = portal.get(f"/alerts/{alert.id}")

    assert empty.status_code == 422 and field_error(empty.text, "text")
    assert posted.status_code == 303
    assert "Asked for a delivery date" in detail.text and "Wang Min" in detail.text
    assert "<dt>Low-water mark</dt>" in detail.text and heading(detail.text) == f"Alert #{alert.id}"


def test_an_alert_reads_in_chinese_with_its_figures_formatted(session, portal):
    supplier, item = make_party(session, code="HENGDA-ZH"), make_item(session, code="BOLT-ZH", unit="PCS")
    sync_alerts(session, [AlertSignal(kind="low_stock", supplier_id=supplier.id, item_id=item.id, location_id=None,
                                      active=True, message="HENGDA-ZH: 2.5 PCS of BOLT-ZH available, below 1200",
                                      numbers={"available": "2.500000", "low_water": "1200.000000",
                                               "high_water": "None"})])
    alert = session.scalars(select(Alert).where(Alert.item_id == item.id)).one()
    portal.sign_in(make_user(session, role=Role.BUYER, locale="zh_CN"))

    detail = portal.get(f"/alerts/{alert.id}").text

    assert "HENGDA-ZH 的 BOLT-ZH 可用量为 2.5 PCS，低于低水位 1,200。" in detail
    assert "<dt>低水位</dt>" in detail and "None" not in detail and "1200.000000" not in detail
    listed = portal.get("/alerts").text
    assert "可用 2.5，低于低水位 1,200" in listed and "below 1200" not in listed


def test_a_supplier_user_sees_its_own_alerts_only(session, portal):
    mine, theirs = make_party(session, code="MINE-P2"), make_party(session, code="THEIRS-P2")
    own = low_stock(session, mine, make_item(session, code="OWN-P2"))
    foreign = low_stock(session, theirs, make_item(session, code="FOREIGN-P2"))
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=mine))

    listing = portal.get("/alerts", params={"q": "P2"})
    hidden = portal.get(f"/alerts/{foreign.id}")
    acknowledge = portal.post(f"/alerts/{foreign.id}/acknowledge", {})
    comment = portal.post(f"/alerts/{foreign.id}/comments", {"text": "hello"})

    assert "OWN-P2" in listing.text and "FOREIGN-P2" not in listing.text
    assert (hidden.status_code, acknowledge.status_code, comment.status_code) == (404, 404, 404)
    assert portal.get(f"/alerts/{own.id}").status_code == 200
    session.refresh(foreign)
    assert foreign.status == "opened" and foreign.comments == []


def test_the_inbox_lists_the_users_messages_and_marks_them_read(session, portal):
    supplier, item = make_party(session), make_item(session, code="INBOX-P3")
    user = make_user(session, role=Role.SUPPLIER, supplier=supplier)
    alert = low_stock(session, supplier, item)
    portal.sign_in(user)

    unread = portal.get("/inbox", params={"unread": "true"})
    [message] = session.scalars(select(InboxMessage).where(InboxMessage.user_id == user.id)).all()
    portal.post(f"/inbox/{message.id}/read", {"next": "/inbox?unread=true"})
    after = portal.get("/inbox", params={"unread": "true"})

    assert unread.status_code == 200 and "INBOX-P3" in unread.text and f"/alerts/{alert.id}" in unread.text
    assert "INBOX-P3" not in after.text
    session.refresh(message)
    assert message.read_at is not None


def test_the_dashboard_shows_open_alerts(session, portal):
    supplier = make_party(session, code="DASH-P4")
    low_stock(session, supplier, make_item(session, code="DASH-ITEM-P4"))
    portal.sign_in(make_user(session, role=Role.BUYER))

    home = portal.get("/")

    assert "DASH-P4 / DASH-ITEM-P4" in home.text


def test_alert_pages_speak_chinese(session, portal):
    supplier = make_party(session)
    alert = low_stock(session, supplier, make_item(session))
    portal.sign_in(make_user(session, role=Role.BUYER, locale="zh_CN"))

    assert heading(portal.get("/alerts").text) == "预警"
    assert heading(portal.get("/inbox").text) == "收件箱"
    assert "确认" in portal.get(f"/alerts/{alert.id}").text


def test_an_admin_creates_a_webhook_sees_its_secret_once_and_retries_a_dead_delivery(session, portal):
    from openvmi.alerts.models import OutboxMessage

    portal.sign_in(make_user(session, role=Role.ADMIN))

    bad = portal.post("/notifications/webhooks", {"name": "ERP", "url": "not a url"})
    created = portal.post("/notifications/webhooks", {"name": "ERP-P5", "url": "https://erp.example.com/hook"})
    listing = portal.get("/notifications/webhooks")
    low_stock(session, make_party(session), make_item(session))
    row = session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "https://erp.example.com/hook")).one()
    row.status, row.attempts, row.last_error = "dead", 8, "HTTP 503"
    session.flush()
    dead = portal.get("/notifications/deliveries", params={"status": "dead"})
    retried = portal.post(f"/notifications/deliveries/{row.id}/retry", {"next": "/notifications/deliveries"})

    assert bad.status_code == 422 and field_error(bad.text, "url")
    assert created.status_code == 200 and 'id="webhook-secret"' in created.text
    assert "ERP-P5" in listing.text and 'id="webhook-secret"' not in listing.text
    assert "<td>HTTP 503</td>" in dead.text
    assert retried.status_code == 200 and f"Delivery #{row.id} will be retried" in retried.text
    session.refresh(row)
    assert (row.status, row.attempts) == ("pending", 0)


def test_an_internal_webhook_address_and_a_delivery_failure_read_in_chinese(session, portal):
    from openvmi.alerts.models import OutboxMessage

    portal.sign_in(make_user(session, role=Role.ADMIN, locale="zh_CN"))
    refused = portal.post("/notifications/webhooks", {"name": "ERP", "url": "http://127.0.0.1:8080/hook"})
    portal.post("/notifications/webhooks", {"name": "ERP-P6", "url": "https://erp6.example.com/hook"})
    low_stock(session, make_party(session), make_item(session))
    row = session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "https://erp6.example.com/hook")).one()
    row.status, row.attempts, row.last_error = "dead", 8, "connection refused"
    session.flush()

    dead = portal.get("/notifications/deliveries", params={"status": "dead"})

    assert refused.status_code == 422 and field_error(refused.text, "url") == "127.0.0.1 是环回地址"
    assert "<td>连接被拒绝</td>" in dead.text


def test_only_admins_reach_the_notification_settings(session, portal):
    portal.sign_in(make_user(session, role=Role.BUYER))

    assert portal.get("/notifications/deliveries").status_code == 403
    assert portal.get("/notifications/webhooks").status_code == 403
