"""Log-in over HTTP: OAuth2 password form in, bearer token out; every refusal is problem+json."""
from openvmi.access import Role
from openvmi.auth.rules import LOGIN_REFUSED
from tests.builders import bearer, make_user

PROBLEM = "application/problem+json"


def log_in(api_client, username, password="correct-horse-1"):
    return api_client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_a_password_log_in_issues_a_bearer_token_that_identifies_the_user(session, api_client):
    user = make_user(session, role=Role.WAREHOUSE)

    answer = log_in(api_client, user.username)

    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0
    me = api_client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert (me.json()["username"], me.json()["role"]) == (user.username, "warehouse")


def test_a_wrong_password_is_401_problem_json_without_saying_which_part_was_wrong(session, api_client):
    user = make_user(session)

    wrong, unknown = log_in(api_client, user.username, "nope-nope"), log_in(api_client, "no-such-user")

    for answer in (wrong, unknown):
        assert answer.status_code == 401
        assert answer.headers["content-type"] == PROBLEM
        assert answer.headers["www-authenticate"] == "Bearer"
    assert wrong.json()["detail"] == unknown.json()["detail"]


def test_repeated_wrong_passwords_pause_the_address_with_the_same_answer_as_a_wrong_password(session, api_client):
    user = make_user(session)
    wrong = [log_in(api_client, user.username, "guess-guess") for _ in range(5)]  # OPENVMI_LOGIN_MAX_FAILURES

    paused = log_in(api_client, user.username)

    assert paused.status_code == 401
    assert {answer.json()["detail"] for answer in [*wrong, paused]} == {LOGIN_REFUSED}


def test_no_token_is_401_problem_json(api_client):
    answer = api_client.get("/api/v1/items")

    assert answer.status_code == 401
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["code"] == "not_authenticated"


def test_a_bad_token_is_401_problem_json(api_client):
    for header in ("Bearer ovmi_made-up", "Bearer ", "Basic dXNlcjpwYXNz"):
        answer = api_client.get("/api/v1/items", headers={"Authorization": header})
        assert answer.status_code == 401, header
        assert answer.headers["content-type"] == PROBLEM


def test_a_deactivated_users_token_is_refused_at_once(session, api_client):
    admin, user = make_user(session, role=Role.ADMIN), make_user(session)
    headers = bearer(session, user)
    assert api_client.get("/api/v1/items", headers=headers).status_code == 200

    assert api_client.post(f"/api/v1/users/{user.id}/deactivate", headers=bearer(session, admin)).status_code == 200

    assert api_client.get("/api/v1/items", headers=headers).status_code == 401


def test_a_revoked_integration_token_is_refused(session, api_client):
    user = make_user(session)
    created = api_client.post("/api/v1/tokens", json={"name": "ERP"}, headers=bearer(session, user))
    assert created.status_code == 201
    token = {"Authorization": f"Bearer {created.json()['token']}"}
    assert api_client.get("/api/v1/auth/me", headers=token).status_code == 200

    assert api_client.delete(f"/api/v1/tokens/{created.json()['id']}", headers=token).status_code == 200

    assert api_client.get("/api/v1/auth/me", headers=token).status_code == 401
