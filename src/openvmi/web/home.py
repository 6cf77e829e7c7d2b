"""The shell's own pages: the role's home dashboard and the language switch."""
from datetime import datetime
from zoneinfo import ZoneInfo
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from openvmi.auth import service as auth_service
from openvmi.auth.rules import Role
from openvmi.errors import FieldError, InvalidInput, NotAuthenticated
from openvmi.web import i18n
from openvmi.web.deps import DbSession
from openvmi.web.i18n import N_
from openvmi.web.portal import (
    DashboardPanel, NavEntry, PortalActor, PortalFeature, WORKSPACES, portal_router, redirect, render, safe_next,
    session_token,
)

router = portal_router()
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600


def _placeholder(key: str, title: str, roles: set[Role], empty: str, hint: str, order: int) -> DashboardPanel:
    return DashboardPanel(key=key, title=title, template="panel_placeholder.html", roles=frozenset(roles),
                          load=lambda _session, _actor: {"empty": empty, "hint": hint}, order=order)


# What each role must see first. A feature replaces a placeholder by contributing a
# DashboardPanel with the same key (docs/portal.md).
PLACEHOLDER_PANELS = (
    _placeholder("alerts", N_("Open alerts"), {Role.BUYER, Role.SUPPLIER, Role.ADMIN},
                 N_("No open alerts."),
                 N_("Alerts appear here when stock falls below its threshold or a supplier's data goes stale."), 10),
    _placeholder("call_offs", N_("Call-offs to confirm"), {Role.SUPPLIER, Role.BUYER},
                 N_("No call-offs waiting for confirmation."),
                 N_("Call-offs issued from the demand plan appear here until the supplier confirms them."), 20),
    _placeholder("receipts", N_("Receipts to post"), {Role.WAREHOUSE},
                 N_("No shipments waiting to be received."),
                 N_("Shipments (ASNs) the suppliers confirm appear here until they are received."), 20),
    _placeholder("statements", N_("Statements to confirm"), {Role.FINANCE, Role.SUPPLIER},
                 N_("No settlement statements waiting."),
                 N_("Statements appear here once issued, until they are confirmed and closed."), 30),
)


@router.get("/")
def home(request: Request, session: DbSession, actor: PortalActor) -> Response:
    """The role's workspace: what needs attention first, then where to go."""
    by_key = {panel.key: panel for panel in PLACEHOLDER_PANELS}
    by_key.update({panel.key: panel for panel in request.app.state.portal.panels})
    visible = sorted((p for p in by_key.values() if actor.role in p.roles), key=lambda p: (p.order, p.key))
    panels = [(panel, panel.load(session, actor) if panel.load else {}) for panel in visible]
    shortcuts = sorted((e for e in request.app.state.portal.nav if e.href != "/" and e.visible_to(actor)),
                       key=lambda e: (e.order, e.href))
    today = datetime.now(ZoneInfo(request.app.state.settings.timezone)).date()
    return render(request, "home.html", title=WORKSPACES[actor.role], panels=panels, shortcuts=shortcuts,
                  today=today)


@router.post("/language")
def switch_language(request: Request, session: DbSession, locale: Annotated[str, Form()],
                    next: Annotated[str, Form()] = "/") -> Response:
    """Remember the chosen language in a cookie, and on the user when signed in."""
    if locale not in i18n.SUPPORTED:
        raise InvalidInput([FieldError("locale", f"unsupported language: {locale}")])
    token = session_token(request)
    if token is not None:
        try:
            actor = auth_service.actor_for_token(session, token)
        except NotAuthenticated:
            actor = None
        if actor is not None:
            auth_service.set_user_locale(session, actor.user_id, locale)
        session.commit()
    response = redirect(safe_next(next))
    settings = request.app.state.settings
    response.set_cookie(i18n.LANGUAGE_COOKIE, locale, max_age=LANGUAGE_COOKIE_SECONDS, httponly=True,
                        samesite="lax", secure=settings.secure_cookies, path="/")
    return response


feature = PortalFeature(router=router, nav=[NavEntry(N_("Home"), "/", order=0)])
