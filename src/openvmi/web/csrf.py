"""CSRF protection for portal forms: a double-submit token every unsafe request must echo back.

The token lives in a cookie and in a hidden form field (or the X-CSRF-Token header for htmx).
A cross-site page can make the browser send the cookie, but cannot read it to fill the field.
Cookies are SameSite=Lax as well, and a foreign Origin header is refused outright.
"""
import secrets
from urllib.parse import urlsplit

from fastapi import Request

from openvmi.errors import PermissionDenied

CSRF_COOKIE = "ovmi_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class CsrfRefused(PermissionDenied):
    code = "csrf_failed"


def csrf_token(request: Request) -> str:
    """The token for forms on this page; a new one if the browser has none yet (render sets the cookie)."""
    token = getattr(request.state, "csrf_token", None)
    if token is None:
        token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        request.state.csrf_token = token
    return token


def csrf_cookie_is_new(request: Request) -> bool:
    return request.cookies.get(CSRF_COOKIE) != csrf_token(request)


async def check_csrf(request: Request) -> None:
    """Dependency for every portal router: unsafe methods must carry the page's token."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise CsrfRefused("cross-origin form submission refused")
    expected = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        sent = (await request.form()).get(CSRF_FIELD)
    if not expected or not isinstance(sent, str) or not secrets.compare_digest(expected, sent):
        raise CsrfRefused("the form's security token is missing or out of date; reload the page and try again")
