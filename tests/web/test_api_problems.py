"""Every error is application/problem+json (RFC 9457); bad input lists its fields; nothing internal leaks."""
from decimal import Decimal

import pytest

from openvmi.access import Role
from tests.builders import bearer, make_item, make_location, make_party, make_user, receive

PROBLEM = "application/problem+json"


@pytest.fixture
def admin(session):
    return bearer(session, make_user(session, role=Role.ADMIN))


def assert_problem(answer, status: int, code: str) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM
    body = answer.json()
    assert (body["status"], body["code"]) == (status, code)
    assert body["title"] and body["detail"] and body["type"].endswith(code)
    return body


def test_a_malformed_body_lists_every_bad_field(api_client, admin):
    answer = api_client.post("/api/v1/items", json={"code": "", "unit": "PCS", "default_low_water": "-1"},
                             headers=admin)

    body = assert_problem(answer, 422, "invalid_input")
    assert {e["field"] for e in body["errors"]} == {"code", "name", "default_low_water"}
    assert all(e["message"] for e in body["errors"])


def test_a_bad_query_parameter_names_the_parameter(api_client, admin):
    body = assert_problem(api_client.get("/api/v1/items?limit=0", headers=admin), 422, "invalid_input")

    assert [e["field"] for e in body["errors"]] == ["limit"]


def test_a_nested_bad_field_is_named_by_its_path(session, api_client, admin):
    answer = api_client.post("/api/v1/stock-moves", headers=admin, json={"moves": [
        {"item_id": 1, "quantity": "-3", "from_location_id": 1, "from_owner_id": 1, "to_location_id": 2,
         "to_owner_id": 1, "kind": "transfer"}]})

    body = assert_problem(answer, 422, "invalid_input")
    assert [e["field"] for e in body["errors"]] == ["moves.0.quantity"]


def test_not_json_at_all_is_a_problem_too(api_client, admin):
    answer = api_client.post("/api/v1/items", content=b"{not json", headers=admin | {"content-type": "application/json"})

    assert_problem(answer, 422, "invalid_input")


def test_a_domain_input_error_carries_field_errors(session, api_client, admin):
    answer = api_client.post("/api/v1/supplier-items", headers=admin, json={
        "supplier_code": "S-NOPE", "item_code": "NOPE", "supplier_part_number": "X"})

    body = assert_problem(answer, 422, "invalid_input")
    assert [e["field"] for e in body["errors"]] == ["supplier_code", "item_code"]


def test_a_shortfall_is_409_with_every_short_line(session, api_client):
    supplier, item = make_party(session), make_item(session, code="PROB-BOLT")
    store, warehouse = make_location(session, code="PROB-VMI"), make_location(session, kind="warehouse")
    receive(session, item=item, location=store, owner=supplier, quantity=2)
    headers = bearer(session, make_user(session, role=Role.WAREHOUSE))

    answer = api_client.post("/api/v1/stock-moves", headers=headers, json={"moves": [
        {"item_id": item.id, "quantity": "5", "from_location_id": store.id, "from_owner_id": supplier.id,
         "to_location_id": warehouse.id, "to_owner_id": supplier.id, "kind": "transfer"}]})

    body = assert_problem(answer, 409, "insufficient_stock")
    assert body["shortfalls"] == [{"item_code": "PROB-BOLT", "location_code": "PROB-VMI",
                                   "owner_code": supplier.code, "requested": "5", "available": "2.000000"}]


def test_a_missing_row_is_404(api_client, admin):
    assert_problem(api_client.get("/api/v1/items/999999999", headers=admin), 404, "not_found")


def test_an_unknown_api_path_is_a_problem_not_an_html_page(api_client, admin):
    answer = api_client.get("/api/v1/no-such-thing", headers=admin)

    assert answer.status_code == 404 and answer.headers["content-type"] == PROBLEM


def test_an_unexpected_error_answers_500_without_a_stack_trace(session, api_client, admin, monkeypatch):
    from openvmi.catalog import queries

    def explode(*_args, **_kwargs):
        raise RuntimeError("db password=hunter2 in /srv/openvmi/secret_module.py")

    monkeypatch.setattr(queries, "list_items", explode)

    answer = api_client.get("/api/v1/items", headers=admin)

    body = assert_problem(answer, 500, "internal_error")
    assert "hunter2" not in answer.text and "secret_module" not in answer.text
    assert "Traceback" not in answer.text and "RuntimeError" not in answer.text
    assert set(body) == {"type", "title", "status", "detail", "code"}
    assert answer.headers["X-Content-Type-Options"] == "nosniff"  # the error layer's answer carries them too


def test_null_for_a_field_that_cannot_be_empty_is_a_field_error_not_a_500(session, api_client, admin):
    # which fields refuse null is a rule of the edit schemas (tests/unit/*/test_edits.py)
    item = make_item(session)

    answer = api_client.patch(f"/api/v1/items/{item.id}", json={"name": None}, headers=admin)

    body = assert_problem(answer, 422, "invalid_input")
    assert [e["field"] for e in body["errors"]] == ["name"]


def test_null_clears_a_field_that_may_be_empty(session, api_client, admin):
    item = make_item(session, category="Fasteners")

    answer = api_client.patch(f"/api/v1/items/{item.id}", json={"category": None}, headers=admin)

    assert answer.status_code == 200 and answer.json()["category"] is None


def test_a_problem_that_quotes_text_utf8_cannot_carry_is_still_sent():
    from openvmi.web.problems import problem

    answer = problem(422, "no such supplier: S-\ud800", code="invalid_input")

    assert answer.body.decode().startswith('{"type"') and "S-?" in answer.body.decode()


def test_the_openapi_document_says_errors_are_problems_under_the_statuses_a_route_gives(api_client):
    document = api_client.get("/openapi.json").json()
    patch_line = document["paths"]["/api/v1/supplier-stock/{stock_id}"]["patch"]["responses"]
    log_in = document["paths"]["/api/v1/auth/token"]["post"]["responses"]

    assert set(patch_line) == {"200", "400", "401", "403", "404", "409", "422", "428"}
    assert set(log_in) == {"200", "400", "401", "422"}
    assert patch_line["422"]["content"] == {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    assert "HTTPValidationError" not in document["components"]["schemas"]
    retry = document["paths"]["/api/v1/stock-moves"]["post"]["responses"]["200"]  # what a keyed retry answers
    assert retry["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/PostingRead"}
    assert document["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status", "detail", "code"]
