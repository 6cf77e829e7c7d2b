"""Rendering a portal page in the viewer's language: templates, translation, flash messages, redirects."""
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

import openvmi
from openvmi import __version__
from openvmi.settings import Settings
from openvmi.web import i18n
from openvmi.web.csrf import CSRF_COOKIE, CSRF_FIELD, csrf_cookie_is_new, csrf_token
from openvmi.web.viewer import Viewer, signer

FLASH_COOKIE = "ovmi_flash"
WEB_DIR = Path(__file__).parent
# Pages may only load what the app itself serves: no CDN, no inline script.
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                           "form-action 'self'; frame-ancestors 'none'; base-uri 'self'")


WORKSPACES = {"admin": i18n.N_("Administration"), "buyer": i18n.N_("Buyer workspace"),
              "warehouse": i18n.N_("Warehouse workspace"), "finance": i18n.N_("Finance workspace"),
              "supplier": i18n.N_("Supplier portal")}
ROLE_LABELS = {"admin": i18n.N_("Administrator"), "buyer": i18n.N_("Buyer / planner"),
               "warehouse": i18n.N_("Warehouse"), "finance": i18n.N_("Finance"), "supplier": i18n.N_("Supplier")}


@dataclass
class _RenderState:
    locale: str
    translations: Any
    fmt: i18n.Formatter


_render_state: ContextVar[_RenderState] = ContextVar("openvmi_render_state")


def _gettext(message: str, **params: Any) -> str:
    """Translate `message` into the page's language, then fill %(name)s placeholders."""
    state = _render_state.get(None)
    text = state.translations.gettext(message) if state else message
    return text % params if params else text


def _ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    state = _render_state.get(None)
    text = state.translations.ngettext(singular, plural, n) if state else (singular if n == 1 else plural)
    return text % {"num": n, **params}


def _reason(error: Any) -> str:
    """A problem's reason in the page's language: a RowError whose reason is an errors.Reason, or
    a stored error (a dict with reason, msgid and params); older stored errors are English only."""
    if isinstance(error, dict):
        reason, msgid, params = error.get("reason") or "", error.get("msgid"), error.get("params") or {}
    else:
        reason = error.reason
        msgid, params = getattr(reason, "msgid", None), getattr(reason, "params", {})
    return _gettext(msgid, **params) if msgid else reason


def translate(request: Request, message: str, **params: Any) -> str:
    """Translate outside a template (e.g. a message built in pages.py)."""
    with _locale_of(request):
        return _gettext(message, **params)


class _Fmt:
    """`fmt.date(x)`, `fmt.number(x)` ... in templates, in the page's locale."""

    def __getattr__(self, name: str) -> Any:
        state = _render_state.get(None)
        formatter = state.fmt if state else i18n.Formatter("en", "UTC")
        return getattr(formatter, name)


@lru_cache(maxsize=1)
def create_templates() -> Environment:
    """One Jinja environment: the shell's templates first, then every feature's templates/.
    Shared by every app in the process, so templates compile once."""
    package_dir = Path(openvmi.__file__).parent
    feature_dirs = sorted(p for p in package_dir.glob("*/templates") if p.parent.name != "web")
    environment = Environment(
        loader=ChoiceLoader([FileSystemLoader(WEB_DIR / "templates"),
                             *(FileSystemLoader(p) for p in feature_dirs)]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True, lstrip_blocks=True)
    environment.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext, fmt=_Fmt(), reason=_reason,
                               version=__version__, CSRF_FIELD=CSRF_FIELD, WORKSPACES=WORKSPACES,
                               ROLE_LABELS=ROLE_LABELS)
    return environment


def request_locale(request: Request) -> str:
    viewer: Viewer | None = getattr(request.state, "viewer", None)
    settings: Settings = request.app.state.settings
    return i18n.choose_locale(
        user_choice=viewer.actor.locale if viewer else None,
        cookie=request.cookies.get(i18n.LANGUAGE_COOKIE),
        accept_language=request.headers.get("accept-language"),
        default=settings.default_locale)


def request_words(request: Request) -> i18n.Words:
    """The page reader's language, for text worded at read time (alerts.wording)."""
    return i18n.Words(request_locale(request), request.app.state.settings.timezone)


@contextmanager
def _locale_of(request: Request) -> Iterator[str]:
    locale = request_locale(request)
    settings: Settings = request.app.state.settings
    token = _render_state.set(_RenderState(locale, i18n.translations(locale),
                                           i18n.Formatter(locale, settings.timezone)))
    try:
        yield locale
    finally:
        _render_state.reset(token)


def _navigation(request: Request, viewer: Viewer | None) -> list[dict[str, Any]]:
    if viewer is None:
        return []
    path = request.url.path
    entries = sorted((e for e in request.app.state.portal.nav if e.visible_to(viewer.actor)),
                     key=lambda e: (e.order, e.href))
    current = max((e.href for e in entries if path == e.href or (e.href != "/" and path.startswith(e.href + "/"))),
                  key=len, default=None)
    return [{"label": e.label, "href": e.href, "current": e.href == current} for e in entries]


def render(request: Request, template: str, *, title: str, title_params: dict[str, Any] | None = None,
           status_code: int = 200, headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    """Render a page in the viewer's language. `title` is a msgid (filled from `title_params`):
    the <title> and the default <h1>.

    htmx requests get the whole page too; the element's hx-select picks the part it swaps.
    """
    environment: Environment = request.app.state.templates
    viewer: Viewer | None = getattr(request.state, "viewer", None)
    flashes = _take_flashes(request)
    with _locale_of(request) as locale:
        page = environment.get_template(template)
        nav = _navigation(request, viewer)
        values = {
            "request": request, "viewer": viewer, "actor": viewer.actor if viewer else None,
            # `offered`: the menu hrefs the viewer has, so a page links another feature's page only
            # where the viewer may open it (pages serve the roles their menu entry is shown to).
            "nav": nav, "offered": {entry["href"] for entry in nav}, "locale": locale, "html_lang": locale.replace("_", "-"),
            "languages": [(code, i18n.LANGUAGE_NAMES[code]) for code in i18n.SUPPORTED],
            "csrf_token": csrf_token(request), "hx_headers": hx_headers(request),
            "title": _gettext(title, **(title_params or {})), "flashes": flashes,
            "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            **context,
        }
        body = page.render(values)
    response = HTMLResponse(body, status_code=status_code, headers=headers)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Content-Language"] = locale.replace("_", "-")
    response.headers["Vary"] = "Accept-Language, Cookie, HX-Request"
    response.headers["Cache-Control"] = "no-store"
    if flashes:
        response.delete_cookie(FLASH_COOKIE, path="/")
    if csrf_cookie_is_new(request):
        settings: Settings = request.app.state.settings
        response.set_cookie(CSRF_COOKIE, csrf_token(request), httponly=True, samesite="lax",
                            secure=settings.secure_cookies, path="/")
    return response


def redirect(url: str) -> RedirectResponse:
    """After a successful POST: see-other, so a reload does not repeat the write."""
    return RedirectResponse(url, status_code=303)


def safe_next(url: str | None, default: str = "/") -> str:
    """A same-site path to return to; anything else (another host, //evil) becomes `default`."""
    if not url:
        return default
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return default
    return url


def flash(response: Response, request: Request, message: str, **params: Any) -> Response:
    """Show `message` (a msgid) once on the next page rendered."""
    settings: Settings = request.app.state.settings
    value = signer(settings, "flash").dumps([message, {k: str(v) for k, v in params.items()}])
    response.set_cookie(FLASH_COOKIE, value, httponly=True, samesite="lax", secure=settings.secure_cookies,
                        path="/", max_age=60)
    return response


def _take_flashes(request: Request) -> list[str]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    try:
        message, params = signer(request.app.state.settings, "flash").loads(raw)
    except (BadSignature, ValueError, TypeError):
        return []
    with _locale_of(request):
        return [_gettext(message, **params)]


def hx_headers(request: Request) -> str:
    """The JSON for hx-headers, so htmx requests carry the CSRF token too."""
    return json.dumps({"X-CSRF-Token": csrf_token(request)})
