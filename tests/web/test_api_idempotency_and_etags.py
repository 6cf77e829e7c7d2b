"""Retries over HTTP: Idempotency-Key replays the first posting; If-Match refuses a stale edit."""
from decimal import Decimal

import pytest

from openvmi.access import Role
from openvmi.auth import service as auth_service
from openvmi.auth.schemas import TokenCreate
from openvmi.ledger import queries
from tests.builders import bearer, make_item, make_location, make_party, make_supplier_item, make_user, receive


@pytest.fixture
def transfer(session):
    supplier, item = make_party(session), make_item(session)
    store, warehouse = make_location(session), make_location(session, kind="warehouse")
    receive(session, item=item, location=store, owner=supplier, quantity=10)
    body = {"moves": [{"item_id": item.id, "quantity": "4", "from_location_id": store.id,
                       "from_owner_id": supplier.id, "to_location_id": warehouse.id, "to_owner_id": supplier.id,
                       "kind": "transfer", "reference": "WMS-77"}]}
    left = lambda: queries.on_hand(session, item_id=item.id, location_id=store.id, owner_id=supplier.id)  # noqa: E731
    return body, left


def test_a_retried_post_with_the_same_key_answers_the_first_posting_and_moves_nothing(session, api_client,
                                                                                       transfer):
    body, left = transfer
    headers = bearer(session, make_user(session, role=Role.WAREHOUSE)) | {"Idempotency-Key": "mes-77-a"}

    first = api_client.post("/api/v1/stock-moves", json=body, headers=headers)
    again = api_client.post("/api/v1/stock-moves", json=body, headers=headers)

    assert first.status_code == 201 and "idempotent-replayed" not in first.headers
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    assert (first.json()["replayed"], again.json()["replayed"]) == (False, True)
    assert {**again.json(), "replayed": False} == first.json()
    assert left() == Decimal(6)


def test_the_same_key_with_another_body_is_refused(session, api_client, transfer):
    body, left = transfer
    headers = bearer(session, make_user(session, role=Role.WAREHOUSE)) | {"Idempotency-Key": "mes-77-b"}
    assert api_client.post("/api/v1/stock-moves", json=body, headers=headers).status_code == 201
    body["moves"][0]["quantity"] = "5"

    answer = api_client.post("/api/v1/stock-moves", json=body, headers=headers)

    assert answer.status_code == 422 and answer.json()["code"] == "idempotency_key_reused"
    assert left() == Decimal(6)


def test_without_a_key_a_repeat_posts_again(session, api_client, transfer):
    body, left = transfer
    headers = bearer(session, make_user(session, role=Role.WAREHOUSE))

    assert [api_client.post("/api/v1/stock-moves", json=body, headers=headers).status_code for _ in range(2)] == [
        201, 201]
    assert left() == Decimal(2)


def test_a_blank_key_is_invalid_input(session, api_client, transfer):
    body, left = transfer
    headers = bearer(session, make_user(session, role=Role.WAREHOUSE)) | {"Idempotency-Key": "  "}

    answer = api_client.post("/api/v1/stock-moves", json=body, headers=headers)

    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "Idempotency-Key"
    assert left() == Decimal(10)


def test_an_edit_with_a_stale_etag_is_409_and_changes_nothing(session, api_client):
    row = make_supplier_item(session, lead_time_days=7)
    headers = bearer(session, make_user(session, role=Role.BUYER))
    url = f"/api/v1/supplier-items/{row.id}"

    etag = api_client.get(url, headers=headers).headers["etag"]
    first = api_client.patch(url, json={"lead_time_days": 10}, headers=headers | {"If-Match": etag})
    stale = api_client.patch(url, json={"lead_time_days": 99}, headers=headers | {"If-Match": etag})

    assert first.status_code == 200 and first.headers["etag"] != etag
    assert stale.status_code == 409
    assert stale.headers["content-type"] == "application/problem+json"
    assert stale.json()["code"] == "stale_version"
    current = api_client.get(url, headers=headers)
    assert current.json()["lead_time_days"] == 10 and current.headers["etag"] == first.headers["etag"]


def test_an_if_match_that_is_no_etag_of_ours_is_invalid_input(session, api_client):
    row = make_supplier_item(session)
    headers = bearer(session, make_user(session, role=Role.BUYER)) | {"If-Match": '"abc"'}

    answer = api_client.patch(f"/api/v1/supplier-items/{row.id}", json={"lead_time_days": 1}, headers=headers)

    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "If-Match"


def integration_headers(session, user, name: str, key: str) -> dict[str, str]:
    issued = auth_service.create_api_token(session, TokenCreate(name=name), owner=user)
    return {"Authorization": f"Bearer {issued.token}", "Idempotency-Key": key}


def test_two_integrations_may_send_the_same_key_each_for_its_own_request(session, api_client, transfer):
    # An MES and a WMS of one plant both number their messages from 1: neither replays the other.
    body, left = transfer
    clerk = make_user(session, role=Role.WAREHOUSE)
    mes, wms = (integration_headers(session, clerk, name, key="1") for name in ("MES", "WMS"))

    answers = [api_client.post("/api/v1/stock-moves", json=body, headers=headers) for headers in (mes, wms, mes)]

    assert [answer.status_code for answer in answers] == [201, 201, 200]
    assert answers[0].json()["posting_id"] != answers[1].json()["posting_id"]
    assert answers[2].json()["posting_id"] == answers[0].json()["posting_id"]
    assert left() == Decimal(2)


def test_a_key_is_its_users_own_when_logged_in(session, api_client, transfer):
    body, left = transfer
    first, second = (bearer(session, make_user(session, role=Role.WAREHOUSE)) | {"Idempotency-Key": "scan-9"}
                     for _ in range(2))

    answers = [api_client.post("/api/v1/stock-moves", json=body, headers=headers) for headers in (first, second)]

    assert [answer.status_code for answer in answers] == [201, 201]
    assert left() == Decimal(2)
