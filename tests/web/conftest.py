"""Portal fixtures: a browser-like client on the real app, signed in without a password round trip."""
import re
from datetime import timedelta

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from itsdangerous import URLSafeSerializer

from openvmi.auth import service as auth_service
from openvmi.auth.models import User
from openvmi.web.csrf import CSRF_COOKIE, CSRF_FIELD
from openvmi.web.viewer import SESSION_COOKIE

CSRF_VALUE = "test-csrf-token-0123456789"


class Portal:
    """A TestClient that behaves like a browser on the portal: cookies, CSRF field on every form."""

    def __init__(self, client: TestClient, session) -> None:
        self.client = client
        self.session = session
        client.cookies.set(CSRF_COOKIE, CSRF_VALUE)

    def sign_in(self, user: User) -> "Portal":
        secret, _ = auth_service.issue_login_token(self.session, user, lifetime=timedelta(hours=1))
        self.session.flush()
        settings = self.client.app.state.settings
        signed = URLSafeSerializer(settings.secret_key, salt="openvmi.portal.session").dumps(secret)
        self.client.cookies.set(SESSION_COOKIE, signed)
        return self

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict | None = None, *, csrf: bool = True, **kwargs):
        """Submit a form as the page would: with the CSRF field unless told otherwise."""
        fields = dict(data or {})
        if csrf:
            fields.setdefault(CSRF_FIELD, CSRF_VALUE)
        return self.client.post(url, data=fields, **kwargs)


@pytest.fixture
def portal(session, api_client) -> Portal:
    return Portal(api_client, session)


def heading(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    return match.group(1).strip() if match else ""


def field_error(html: str, name: str) -> str | None:
    """The error text shown under field `name`, if any (tied to it by aria-describedby)."""
    if f'id="f-{name}"' not in html or f'aria-describedby="f-{name}-error"' not in html:
        return None
    match = re.search(rf'<small id="f-{name}-error" class="field-error">(.*?)</small>', html, re.S)
    return match.group(1).strip() if match else None


def app_routes(routes, prefix="", inherited=()):
    """(full path, route, dependencies that apply to it) for every route, through included routers."""
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            yield from app_routes(original.routes, prefix + route.include_context.prefix + original.prefix,
                               (*inherited, *original.dependencies))
        elif isinstance(route, APIRoute):
            yield prefix + route.path, route, [*inherited, *route.dependencies]
