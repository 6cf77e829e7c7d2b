"""The portal shell: session log-in, the page's actor, navigation, dashboard panels and rendering.

Every feature's pages plug in through `PortalFeature` (see docs/portal.md). The supplier
boundary is applied here exactly as for the API: the session cookie names a login token,
`auth.service.actor_for_token` resolves it and `scope_to_supplier` scopes the session.
"""
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

import openvmi
from openvmi import __version__
from openvmi.auth import service as auth_service
from openvmi.auth.schemas import Actor
from openvmi.errors import NotAuthenticated, PermissionDenied
from openvmi.scoping import scope_to_supplier
from openvmi.settings import Settings
from openvmi.web import i18n
from openvmi.web.csrf import CSRF_COOKIE, CSRF_FIELD, check_csrf, csrf_cookie_is_new, csrf_token
from openvmi.web.deps import DbSession
from openvmi.web.forms import split_message

SESSION_COOKIE = "ovmi_session"
FLASH_COOKIE = "ovmi_flash"
WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"
# Pages may only load what the app itself serves: no CDN, no inline script.
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                           "form-action 'self'; frame-ancestors 'none'; base-uri 'self'")


WORKSPACES = {"admin": i18n.N_("Administration"), "buyer": i18n.N_("Buyer workspace"),
              "warehouse": i18n.N_("Warehouse workspace"), "finance": i18n.N_("Finance workspace"),
              "supplier": i18n.N_("Supplier portal")}
ROLE_LABELS = {"admin": i18n.N_("Administrator"), "buyer": i18n.N_("Buyer / planner"),
               "warehouse": i18n.N_("Warehouse"), "finance": i18n.N_("Finance"), "supplier": i18n.N_("Supplier")}


# --- what a feature contributes ------------------------------------------------------------

@dataclass(frozen=True)
class NavEntry:
    """A link in the main navigation, shown to roles holding `permission` (or listed in `roles`)."""

    label: str  # a msgid marked with N_(); translated when the page renders
    href: str
    permission: str | None = None
    roles: frozenset[str] | None = None
    order: int = 100

    def visible_to(self, actor: Actor) -> bool:
        if self.roles is not None and actor.role not in self.roles:
            return False
        return self.permission is None or actor.can(self.permission)


@dataclass(frozen=True)
class DashboardPanel:
    """A box on the home dashboard. A panel whose key matches a shell placeholder replaces it."""

    key: str
    title: str  # msgid
    template: str  # e.g. "alerts/panel_open.html"; gets `panel` and whatever `load` returns
    roles: frozenset[str]
    load: Callable[[Session, Actor], dict[str, Any]] | None = None
    order: int = 100


@dataclass(frozen=True)
class PortalFeature:
    router: APIRouter
    nav: Sequence[NavEntry] = ()
    panels: Sequence[DashboardPanel] = ()


def portal_router(**kwargs: Any) -> APIRouter:
    """An APIRouter for pages: HTML answers, CSRF checked on every unsafe method, not in OpenAPI."""
    dependencies = [Depends(check_csrf), *kwargs.pop("dependencies", [])]
    return APIRouter(dependencies=dependencies, include_in_schema=False, **kwargs)


# --- who is looking -------------------------------------------------------------------------

class LoginRequired(NotAuthenticated):
    code = "login_required"


@dataclass(frozen=True)
class Viewer:
    """The signed-in user as the layout shows them."""

    actor: Actor
    display_name: str
    supplier_name: str | None


def _serializer(settings: Settings, purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt=f"openvmi.portal.{purpose}")


def session_token(request: Request) -> str | None:
    """The login token in the signed session cookie, or None."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        token = _serializer(request.app.state.settings, "session").loads(raw)
    except BadSignature:
        return None
    return token if isinstance(token, str) else None


def set_session_cookie(response: Response, request: Request, token: str, *, max_age: int) -> None:
    settings: Settings = request.app.state.settings
    response.set_cookie(SESSION_COOKIE, _serializer(settings, "session").dumps(token), max_age=max_age,
                        httponly=True, samesite="lax", secure=settings.secure_cookies, path="/")


def clear_session_cookie(response: Response, request: Request) -> None:
    settings: Settings = request.app.state.settings
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=settings.secure_cookies, path="/")


def _viewer_for(session: Session, token: str) -> Viewer:
    actor = auth_service.actor_for_token(session, token)
    session.commit()  # persist last_used_at before the page's own transaction starts
    scope_to_supplier(session, actor.supplier_id)
    user = auth_service.get_user(session, actor.user_id)
    supplier_name = None
    if actor.supplier_id is not None:
        from openvmi.parties import queries as parties_queries

        supplier_name = parties_queries.get_party(session, actor.supplier_id).name
    return Viewer(actor=actor, display_name=user.display_name, supplier_name=supplier_name)


def get_portal_actor(request: Request, session: DbSession) -> Actor:
    """The signed-in user; from here on the session sees only what they may see."""
    token = session_token(request)
    if token is None:
        raise LoginRequired("please log in")
    try:
        viewer = _viewer_for(session, token)
    except NotAuthenticated as error:
        raise LoginRequired("your session has ended; please log in again") from error
    request.state.viewer = viewer
    return viewer.actor


PortalActor = Annotated[Actor, Depends(get_portal_actor)]


def page_requires(permission: str) -> Callable[[Actor], Actor]:
    """Dependency: the signed-in user must hold `permission` (auth.rules.PERMISSIONS)."""

    def check(actor: PortalActor) -> Actor:
        if not actor.can(permission):
            raise PermissionDenied(f"your role ({actor.role}) may not do this ({permission})")
        return actor

    check.__name__ = f"page_requires_{permission.replace('.', '_')}"
    return check


# --- rendering ------------------------------------------------------------------------------

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
        values = {
            "request": request, "viewer": viewer, "actor": viewer.actor if viewer else None,
            "nav": _navigation(request, viewer), "locale": locale, "html_lang": locale.replace("_", "-"),
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
    value = _serializer(settings, "flash").dumps([message, {k: str(v) for k, v in params.items()}])
    response.set_cookie(FLASH_COOKIE, value, httponly=True, samesite="lax", secure=settings.secure_cookies,
                        path="/", max_age=60)
    return response


def _take_flashes(request: Request) -> list[str]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    try:
        message, params = _serializer(request.app.state.settings, "flash").loads(raw)
    except (BadSignature, ValueError, TypeError):
        return []
    with _locale_of(request):
        return [_gettext(message, **params)]


# --- errors as pages ------------------------------------------------------------------------

ERROR_TITLES = {
    400: i18n.N_("Bad request"), 403: i18n.N_("Access denied"), 404: i18n.N_("Page not found"),
    405: i18n.N_("Method not allowed"), 409: i18n.N_("Conflict"), 422: i18n.N_("Invalid input"),
    500: i18n.N_("Something went wrong"),
}
ERROR_EXPLANATIONS = {
    403: i18n.N_("You do not have access to this page, or the form has expired. Reload the page and try again."),
    404: i18n.N_("The page does not exist, or you do not have access to it."),
    500: i18n.N_("An unexpected error occurred. It has been logged; please try again later."),
}


def error_page(request: Request, status_code: int, detail: str | None = None) -> Response:
    """The HTML answer for a failed portal request: a friendly page, never a stack trace."""
    if status_code == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method not in ("GET", "HEAD"):
            target = "/"
        return redirect(f"/login?next={quote(target, safe='/')}")
    if getattr(request.state, "viewer", None) is None and getattr(request.app.state, "session_factory", None):
        _try_identify(request)
    title = ERROR_TITLES.get(status_code, ERROR_TITLES[400] if status_code < 500 else ERROR_TITLES[500])
    explanation = ERROR_EXPLANATIONS.get(status_code)
    shown = split_message(detail) if detail and status_code in (400, 409, 422) else None
    return render(request, "errors.html", title=title, status_code=status_code, code=status_code,
                  explanation=explanation, detail=shown)


def _try_identify(request: Request) -> None:
    """Show the navigation on error pages when the browser is signed in; quietly skip otherwise."""
    token = session_token(request)
    if token is None:
        return
    from openvmi.errors import DomainError

    with request.app.state.session_factory() as session:
        try:
            request.state.viewer = _viewer_for(session, token)
        except DomainError:
            return


# --- wiring ---------------------------------------------------------------------------------

@dataclass
class PortalRegistry:
    nav: list[NavEntry] = field(default_factory=list)
    panels: list[DashboardPanel] = field(default_factory=list)


def mount_portal(app: FastAPI, features: Sequence[PortalFeature]) -> None:
    """Serve static assets, include every feature's pages and collect their nav and panels."""
    app.state.templates = create_templates()
    registry = PortalRegistry()
    for feature in features:
        app.include_router(feature.router)
        registry.nav.extend(feature.nav)
        registry.panels.extend(feature.panels)
    app.state.portal = registry
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")


def hx_headers(request: Request) -> str:
    """The JSON for hx-headers, so htmx requests carry the CSRF token too."""
    return json.dumps({"X-CSRF-Token": csrf_token(request)})
