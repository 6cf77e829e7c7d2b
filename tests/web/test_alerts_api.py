"""Alerts, inbox, outbox and webhook endpoints over HTTP: filters and paging, acknowledge and
comment, the supplier boundary (404 like a missing alert), and admin-only notification settings."""
from sqlalchemy import select

from openvmi.access import Role
from openvmi.alerts.models import OutboxMessage
from openvmi.alerts.schemas import AlertSignal
from openvmi.alerts.service import sync_alerts
from tests.builders import bearer, make_item, make_party, make_user

PROBLEM = "application/problem+json"


def low_stock(session, supplier, *items, active=True):
    return sync_alerts(session, [
        AlertSignal(kind="low_stock", supplier_id=supplier.id, item_id=item.id, location_id=None, active=active,
                    message=f"{item.code} low", numbers={"available": "1", "low_water": "5"}) for item in items])


def test_a_buyer_lists_alerts_filtered_and_paged(session, api_client):
    supplier, other = make_party(session), make_party(session)
    bolt, nut, washer = make_item(session), make_item(session), make_item(session)
    low_stock(session, supplier, bolt, nut)
    low_stock(session, other, washer)
    low_stock(session, supplier, nut, active=False)
    headers = bearer(session, make_user(session, role=Role.BUYER))

    unresolved = api_client.get("/api/v1/alerts", params={"supplier_id": supplier.id, "status": "unresolved"},
                                headers=headers).json()
    resolved = api_client.get("/api/v1/alerts", params={"supplier_id": supplier.id, "status": "resolved"},
                              headers=headers).json()
    by_item = api_client.get("/api/v1/alerts", params={"item_id": washer.id, "kind": "low_stock"},
                             headers=headers).json()
    first = api_client.get("/api/v1/alerts", params={"supplier_id": supplier.id, "limit": 1}, headers=headers).json()
    second = api_client.get("/api/v1/alerts", params={"supplier_id": supplier.id, "limit": 1,
                                                      "cursor": first["next_cursor"]}, headers=headers).json()
    unknown = api_client.get("/api/v1/alerts", params={"status": "closed"}, headers=headers)

    assert [a["item_id"] for a in unresolved["items"]] == [bolt.id]
    assert [a["item_id"] for a in resolved["items"]] == [nut.id]
    assert [a["supplier_id"] for a in by_item["items"]] == [other.id]
    assert first["items"][0]["numbers"] == {"available": 1, "low_water": 5}
    assert {first["items"][0]["item_id"], second["items"][0]["item_id"]} == {bolt.id, nut.id}
    assert second["next_cursor"] is None
    assert unknown.status_code == 422 and unknown.headers["content-type"] == PROBLEM


def test_acknowledge_and_comment_show_on_the_alert(session, api_client):
    supplier, item = make_party(session), make_item(session)
    low_stock(session, supplier, item)
    buyer = make_user(session, role=Role.BUYER)
    headers = bearer(session, buyer)
    [alert] = api_client.get("/api/v1/alerts", params={"item_id": item.id}, headers=headers).json()["items"]

    acknowledged = api_client.post(f"/api/v1/alerts/{alert['id']}/acknowledge", headers=headers)
    again = api_client.post(f"/api/v1/alerts/{alert['id']}/acknowledge", headers=headers)
    comment = api_client.post(f"/api/v1/alerts/{alert['id']}/comments", json={"text": "Called the supplier"},
                              headers=headers)
    empty = api_client.post(f"/api/v1/alerts/{alert['id']}/comments", json={"text": ""}, headers=headers)
    detail = api_client.get(f"/api/v1/alerts/{alert['id']}", headers=headers).json()

    assert acknowledged.status_code == 200
    assert (acknowledged.json()["status"], acknowledged.json()["acknowledged_by_id"]) == ("acknowledged", buyer.id)
    assert again.status_code == 409 and again.headers["content-type"] == PROBLEM
    assert comment.status_code == 201
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "text"
    assert [(c["author_id"], c["text"]) for c in detail["comments"]] == [(buyer.id, "Called the supplier")]


def test_a_supplier_user_never_sees_another_suppliers_alert(session, api_client):
    mine, theirs = make_party(session), make_party(session)
    own_item, their_item = make_item(session), make_item(session)
    low_stock(session, mine, own_item)
    low_stock(session, theirs, their_item)
    buyer_headers = bearer(session, make_user(session, role=Role.BUYER))
    [foreign] = api_client.get("/api/v1/alerts", params={"item_id": their_item.id},
                               headers=buyer_headers).json()["items"]
    headers = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=mine))

    listed = api_client.get("/api/v1/alerts", params={"limit": 500}, headers=headers).json()["items"]
    asked = api_client.get("/api/v1/alerts", params={"supplier_id": theirs.id}, headers=headers).json()["items"]

    assert {a["supplier_id"] for a in listed} == {mine.id}
    assert asked == []
    for answer in (api_client.get(f"/api/v1/alerts/{foreign['id']}", headers=headers),
                   api_client.post(f"/api/v1/alerts/{foreign['id']}/acknowledge", headers=headers),
                   api_client.post(f"/api/v1/alerts/{foreign['id']}/comments", json={"text": "x"}, headers=headers)):
        assert answer.status_code == 404 and answer.headers["content-type"] == PROBLEM
    assert api_client.get("/api/v1/alerts/999999999", headers=headers).json()["detail"] == "no such alert: 999999999"


def test_each_user_reads_and_clears_their_own_inbox(session, api_client):
    supplier, item = make_party(session), make_item(session)
    seller = make_user(session, role=Role.SUPPLIER, supplier=supplier)
    outsider = make_user(session, role=Role.SUPPLIER, supplier=make_party(session))
    low_stock(session, supplier, item)
    headers, outsider_headers = bearer(session, seller), bearer(session, outsider)

    inbox = api_client.get("/api/v1/notifications", params={"unread": True}, headers=headers).json()
    outsider_inbox = api_client.get("/api/v1/notifications", headers=outsider_headers).json()
    [message] = inbox["items"]
    stolen = api_client.post(f"/api/v1/notifications/{message['id']}/read", headers=outsider_headers)
    read = api_client.post(f"/api/v1/notifications/{message['id']}/read", headers=headers)
    after = api_client.get("/api/v1/notifications", params={"unread": True}, headers=headers).json()

    assert inbox["unread"] == 1 and message["alert_id"] is not None and message["title"].startswith("Low stock: ")
    assert outsider_inbox["items"] == [] and outsider_inbox["unread"] == 0
    assert stolen.status_code == 404
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert (after["items"], after["unread"]) == ([], 0)


def test_admins_manage_webhook_endpoints_and_the_secret_is_shown_once(session, api_client):
    admin_headers = bearer(session, make_user(session, role=Role.ADMIN))
    buyer_headers = bearer(session, make_user(session, role=Role.BUYER))
    body = {"name": "ERP", "url": "https://erp.example.com/hooks/openvmi", "kinds": ["low_stock"]}

    refused = api_client.post("/api/v1/webhook-endpoints", json=body, headers=buyer_headers)
    created = api_client.post("/api/v1/webhook-endpoints", json=body, headers=admin_headers)
    bad_url = api_client.post("/api/v1/webhook-endpoints", json=body | {"url": "not a url"}, headers=admin_headers)
    endpoint_id = created.json()["id"]
    shown = api_client.get(f"/api/v1/webhook-endpoints/{endpoint_id}", headers=admin_headers).json()
    patched = api_client.patch(f"/api/v1/webhook-endpoints/{endpoint_id}", json={"active": False},
                               headers=admin_headers).json()
    deleted = api_client.delete(f"/api/v1/webhook-endpoints/{endpoint_id}", headers=admin_headers)
    gone = api_client.get(f"/api/v1/webhook-endpoints/{endpoint_id}", headers=admin_headers)

    assert refused.status_code == 403
    assert created.status_code == 201 and len(created.json()["secret"]) >= 32
    assert bad_url.status_code == 422
    assert "secret" not in shown and shown["kinds"] == ["low_stock"]
    assert patched["active"] is False
    assert (deleted.status_code, gone.status_code) == (204, 404)


def test_a_webhook_to_an_internal_address_is_refused_on_the_url_field(session, api_client):
    admin_headers = bearer(session, make_user(session, role=Role.ADMIN))
    endpoint = api_client.post("/api/v1/webhook-endpoints", json={"name": "ERP", "url": "https://erp.example.com/h"},
                               headers=admin_headers).json()

    answers = {url: api_client.post("/api/v1/webhook-endpoints", json={"name": "ERP", "url": url},
                                    headers=admin_headers)
               for url in ("http://169.254.169.254/latest/meta-data/", "http://[::ffff:10.0.0.1]/h",
                           "http://2130706433:8080/h", "http://[fe80::1]/h")}
    moved = api_client.patch(f"/api/v1/webhook-endpoints/{endpoint['id']}", json={"url": "http://192.168.1.20/h"},
                             headers=admin_headers)

    for answer in [*answers.values(), moved]:
        assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM
        assert [e["field"] for e in answer.json()["errors"]] == ["url"]
    assert answers["http://2130706433:8080/h"].json()["errors"][0]["message"] == "127.0.0.1 is a loopback address"


def test_admins_see_failing_deliveries_and_queue_a_retry(session, api_client):
    admin_headers = bearer(session, make_user(session, role=Role.ADMIN))
    created = api_client.post("/api/v1/webhook-endpoints", json={"name": "ERP", "url": "https://erp.example.com/h"},
                              headers=admin_headers).json()
    supplier, item = make_party(session), make_item(session)
    low_stock(session, supplier, item)
    row = session.scalars(select(OutboxMessage).where(OutboxMessage.endpoint_id == created["id"])).one()
    row.status, row.attempts, row.last_error = "dead", 8, "HTTP 503"
    session.flush()

    dead = api_client.get("/api/v1/outbox", params={"status": "dead"}, headers=admin_headers).json()["items"]
    summary = api_client.get("/api/v1/outbox/summary", headers=admin_headers).json()
    retried = api_client.post(f"/api/v1/outbox/{row.id}/retry", headers=admin_headers)
    supplier_view = api_client.get("/api/v1/outbox", headers=bearer(
        session, make_user(session, role=Role.SUPPLIER, supplier=supplier)))

    assert [(r["id"], r["attempts"], r["last_error"]) for r in dead if r["id"] == row.id] == [
        (row.id, 8, "HTTP 503")]
    assert summary["dead"] >= 1
    assert retried.status_code == 200
    assert (retried.json()["status"], retried.json()["attempts"]) == ("pending", 0)
    assert supplier_view.status_code == 403
