"""Availability looks its caller up in the same worker thread as its answer (docs/decisions.md,
"Availability over HTTP: one thread hop"): the answers a caller gets are those of every other route."""
from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.testclient import TestClient

from openvmi.access import Role
from openvmi.web.deps import BearerSecret, answer_as_caller, caller_checked_first
from openvmi.web.problems import install_api_problem_handlers
from tests.builders import bearer, make_item, make_party, make_user

AVAILABILITY = "/api/v1/availability"
BAD_QUERY = {"item_id": "0"}


def test_a_bad_query_from_an_unknown_caller_is_refused_as_unauthenticated(api_client):
    for headers in ({}, {"Authorization": "Bearer ovmi_made-up"}, {"Authorization": "Basic dXNlcjpwYXNz"}):
        answer = api_client.get(AVAILABILITY, params=BAD_QUERY, headers=headers)

        assert (answer.status_code, answer.json()["code"]) == (401, "not_authenticated"), headers


def test_a_bad_query_from_a_known_caller_names_the_field(session, api_client):
    answer = api_client.get(AVAILABILITY, params=BAD_QUERY, headers=bearer(session, make_user(session)))

    assert answer.status_code == 422
    assert [error["field"] for error in answer.json()["errors"]] == ["item_id.0"]


def test_a_deactivated_users_token_stops_reading_availability_at_once(session, api_client):
    admin, user, item = make_user(session, role=Role.ADMIN), make_user(session), make_item(session)
    headers = bearer(session, user)
    assert api_client.get(AVAILABILITY, params={"item_id": item.id}, headers=headers).status_code == 200

    assert api_client.post(f"/api/v1/users/{user.id}/deactivate", headers=bearer(session, admin)).status_code == 200

    assert api_client.get(AVAILABILITY, params={"item_id": item.id}, headers=headers).status_code == 401


def test_reading_availability_records_the_tokens_use(session, api_client):
    user, item = make_user(session, role=Role.BUYER), make_item(session)
    log_in = bearer(session, user)
    created = api_client.post("/api/v1/tokens", json={"name": "ERP"}, headers=log_in).json()

    def last_used() -> str | None:
        return next(row["last_used_at"] for row in api_client.get("/api/v1/tokens", headers=log_in).json()
                    if row["id"] == created["id"])

    assert last_used() is None
    assert api_client.get(AVAILABILITY, params={"item_id": item.id},
                          headers={"Authorization": f"Bearer {created['token']}"}).status_code == 200
    assert last_used() is not None


def test_a_caller_without_the_permission_is_refused_before_the_query_is_judged(session, api_app):
    """No role lacks availability.read, so a route of the same make that needs users.read stands in."""
    app = FastAPI()
    app.state.read_session_factory = api_app.state.read_session_factory
    app.state.session_factory = api_app.state.session_factory
    app.state.identity = api_app.state.identity
    install_api_problem_handlers(app)

    async def user_count(request: Request, token: BearerSecret, limit: Annotated[int, Query(ge=1)] = 1) -> int:
        return await answer_as_caller(request, token, "users.read", lambda _session: limit)

    app.router.add_api_route("/api/v1/count", user_count, methods=["GET"],
                             route_class_override=caller_checked_first("users.read"))
    supplier_user = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=make_party(session)))
    admin = bearer(session, make_user(session, role=Role.ADMIN))

    with TestClient(app, raise_server_exceptions=False) as client:
        statuses = [client.get("/api/v1/count", params=params, headers=headers).status_code
                    for headers, params in ((supplier_user, {"limit": 0}), (supplier_user, {}),
                                            (admin, {"limit": 0}), (admin, {}))]

    assert statuses == [403, 403, 422, 200]
