"""Portal log-in, session cookie, CSRF and error pages: what a browser (or an attacker's page) sees."""
import re

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from openvmi.access import Role
from openvmi.auth.models import User
from openvmi.catalog.models import Item
from openvmi.web.csrf import check_csrf
from openvmi.web.viewer import SESSION_COOKIE
from tests.builders import make_party, make_user
from tests.web.conftest import app_routes, heading


def test_pages_send_a_visitor_who_is_not_signed_in_to_the_login_page_and_back(portal):
    answer = portal.get("/items?q=bolt", follow_redirects=False)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/items%3Fq%3Dbolt"


def test_logging_in_sets_an_httponly_samesite_session_cookie_and_lands_on_the_workspace(session, portal):
    user = make_user(session, role=Role.BUYER, locale="en")

    answer = portal.post("/login", {"username": user.username, "password": "correct-horse-1", "next": "/items"},
                         follow_redirects=False)

    assert answer.status_code == 303 and answer.headers["location"] == "/items"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert heading(portal.get("/").text) == "Buyer workspace"


def test_the_session_cookie_is_secure_when_configured(session, portal, api_app):
    api_app.state.settings = api_app.state.settings.model_copy(update={"secure_cookies": True})
    user = make_user(session)

    answer = portal.post("/login", {"username": user.username, "password": "correct-horse-1"},
                         follow_redirects=False)

    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE + "="))
    assert "Secure" in cookie


def test_a_login_may_not_redirect_to_another_site(session, portal):
    user = make_user(session)

    answer = portal.post("/login", {"username": user.username, "password": "correct-horse-1",
                                    "next": "//evil.example.com/phish"}, follow_redirects=False)

    assert answer.headers["location"] == "/"


def test_repeated_wrong_passwords_pause_the_portal_login_even_for_the_right_password(session, portal):
    user = make_user(session, locale="en")
    for _ in range(5):
        wrong = portal.post("/login", {"username": user.username, "password": "guess-guess"})
        assert wrong.status_code == 400
        assert "wrong username or password, or too many attempts" in wrong.text

    paused = portal.post("/login", {"username": user.username, "password": "correct-horse-1"},
                         follow_redirects=False)

    assert paused.status_code == 400
    assert "wrong username or password, or too many attempts" in paused.text
    assert SESSION_COOKIE not in portal.client.cookies


@pytest.mark.parametrize("url", ["/login", "/logout", "/language", "/items/new"])
def test_a_form_posted_without_the_csrf_token_is_refused(session, portal, url):
    user = make_user(session, role=Role.ADMIN)
    portal.sign_in(user)

    answer = portal.post(url, {"username": "x", "password": "y", "locale": "en", "code": "X", "name": "X",
                               "unit": "PCS"}, csrf=False, follow_redirects=False)

    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("text/html")
    assert heading(answer.text) == "Form expired" and "reload the page" in answer.text
    # and nothing the form asked for happened: no item, no language change, still signed in
    assert not item_exists(session, "X")
    assert session.get(User, user.id, populate_existing=True).locale is None
    assert portal.get("/", follow_redirects=False).status_code == 200


def test_a_csrf_token_from_another_browser_is_refused(session, portal):
    portal.sign_in(make_user(session, role=Role.ADMIN))

    answer = portal.post("/items/new", {"code": "X-1", "name": "X", "unit": "PCS", "csrf_token": "stolen"})

    assert answer.status_code == 403 and not item_exists(session, "X-1")


def test_a_cross_origin_form_post_is_refused_even_with_the_token(session, portal):
    portal.sign_in(make_user(session, role=Role.ADMIN))

    answer = portal.post("/items/new", {"code": "X-2", "name": "X", "unit": "PCS"},
                         headers={"Origin": "https://evil.example.com"})

    assert answer.status_code == 403 and not item_exists(session, "X-2")


def item_exists(session, code: str) -> bool:
    return session.scalar(select(Item.id).where(Item.code == code)) is not None


def test_every_portal_route_that_changes_something_checks_csrf(api_app):
    unsafe = [(path, deps) for path, route, deps in app_routes(api_app.routes)
              if not path.startswith("/api/") and route.methods - {"GET", "HEAD", "OPTIONS"}]

    assert len(unsafe) >= 10, "the portal has forms"
    for path, dependencies in unsafe:
        assert check_csrf in [d.dependency for d in dependencies], f"{path} does not check CSRF"


def test_logging_out_revokes_the_session_so_a_copied_cookie_stops_working(session, portal):
    portal.sign_in(make_user(session))
    stolen = portal.client.cookies.get(SESSION_COOKIE)

    assert portal.post("/logout", follow_redirects=False).status_code == 303
    portal.client.cookies.set(SESSION_COOKIE, stolen)

    assert portal.get("/", follow_redirects=False).status_code == 303


def test_a_forged_session_cookie_is_ignored(portal):
    portal.client.cookies.set(SESSION_COOKIE, "not-signed-by-us")

    assert portal.get("/", follow_redirects=False).headers["location"].startswith("/login")


def test_portal_errors_are_html_pages_while_the_api_keeps_problem_json(session, portal):
    portal.sign_in(make_user(session))

    page, api = portal.get("/no-such-page"), portal.get("/api/v1/no-such-thing")

    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert heading(page.text) == "Page not found"
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"


def test_an_unexpected_failure_shows_a_page_without_a_stack_trace(session, portal, api_app):
    @api_app.get("/boom")
    def boom():
        raise RuntimeError("secret internals: password=hunter2")

    answer = portal.get("/boom")

    assert answer.status_code == 500
    assert heading(answer.text) == "Something went wrong"
    assert "hunter2" not in answer.text and "Traceback" not in answer.text


def test_a_role_without_the_permission_gets_a_403_page(session, portal):
    portal.sign_in(make_user(session, role=Role.WAREHOUSE, locale="en"))

    answer = portal.get("/users")

    assert answer.status_code == 403 and heading(answer.text) == "Access denied"
    assert "form" not in answer.text.split("<main", 1)[1].lower()  # a page view is not a failed form


def test_pages_forbid_inline_scripts_and_foreign_assets(session, portal):
    portal.sign_in(make_user(session))

    page = portal.get("/")

    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'self'" in policy
    assert not re.search(r'(src|href)="https?://', page.text), "no CDN links"
    assert "<script>" not in page.text
