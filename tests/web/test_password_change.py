"""Changing one's own password over HTTP: the API and the portal end the other sessions, keep the
one in use, and show a wrong current password next to its field, in the reader's language."""
from tests.builders import bearer, make_user
from tests.web.conftest import field_error

PROBLEM = "application/problem+json"
CHANGE = {"current_password": "correct-horse-1", "new_password": "brand-new-pass-1"}


def test_the_api_changes_the_password_and_ends_only_the_callers_other_sessions(session, api_client):
    user = make_user(session)
    this, other = bearer(session, user), bearer(session, user)

    changed = api_client.post("/api/v1/auth/password", json=CHANGE, headers=this)

    assert changed.status_code == 204
    assert api_client.get("/api/v1/auth/me", headers=this).status_code == 200
    assert api_client.get("/api/v1/auth/me", headers=other).status_code == 401
    new_log_in = api_client.post("/api/v1/auth/token", data={"username": user.username,
                                                             "password": "brand-new-pass-1"})
    assert new_log_in.status_code == 200


def test_the_api_names_the_field_of_a_wrong_current_password(session, api_client):
    user = make_user(session)

    wrong = api_client.post("/api/v1/auth/password", json=CHANGE | {"current_password": "not-it-at-all"},
                            headers=bearer(session, user))

    assert wrong.status_code == 422 and wrong.headers["content-type"] == PROBLEM
    assert [e["field"] for e in wrong.json()["errors"]] == ["current_password"]


def test_the_portal_changes_the_password_and_signs_out_the_other_browsers(session, portal, api_client):
    user = make_user(session, locale="en")
    other_browser = bearer(session, user)
    portal.sign_in(user)

    form = portal.get("/account/password")
    changed = portal.post("/account/password", CHANGE, follow_redirects=False)

    assert form.status_code == 200 and 'autocomplete="current-password"' in form.text
    assert changed.status_code == 303
    assert portal.get("/", follow_redirects=False).status_code == 200  # this browser goes on
    assert api_client.get("/api/v1/auth/me", headers=other_browser).status_code == 401


def test_the_portal_shows_a_wrong_current_password_in_chinese(session, portal):
    user = make_user(session, locale="zh_CN")
    portal.sign_in(user)

    wrong = portal.post("/account/password", CHANGE | {"current_password": "not-it-at-all"})

    assert wrong.status_code == 422
    assert field_error(wrong.text, "current_password") == "这不是您当前的密码"
    assert "not-it-at-all" not in wrong.text and "brand-new-pass-1" not in wrong.text
