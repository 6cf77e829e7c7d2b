"""Who is looking at a portal page: the signed session cookie, the page's actor and its permissions.

The supplier boundary is applied here exactly as for the API: the session cookie names a login
token, the app's `Identity` (wired from auth by app.py) resolves it and `scope_to_supplier`
scopes the session.
"""
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from openvmi.access import Actor
from openvmi.errors import NotAuthenticated, PermissionDenied
from openvmi.scoping import scope_to_supplier
from openvmi.settings import Settings
from openvmi.web.deps import DbSession, authenticate, get_identity

SESSION_COOKIE = "ovmi_session"


class LoginRequired(NotAuthenticated):
    code = "login_required"


@dataclass(frozen=True)
class Viewer:
    """The signed-in user as the layout shows them."""

    actor: Actor
    display_name: str
    supplier_name: str | None


def signer(settings: Settings, purpose: str) -> URLSafeSerializer:
    """Signs and checks one kind of portal cookie (the session, a flash message)."""
    return URLSafeSerializer(settings.secret_key, salt=f"openvmi.portal.{purpose}")


def session_token(request: Request) -> str | None:
    """The login token in the signed session cookie, or None."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        token = signer(request.app.state.settings, "session").loads(raw)
    except BadSignature:
        return None
    return token if isinstance(token, str) else None


def set_session_cookie(response: Response, request: Request, token: str, *, max_age: int) -> None:
    settings: Settings = request.app.state.settings
    response.set_cookie(SESSION_COOKIE, signer(settings, "session").dumps(token), max_age=max_age,
                        httponly=True, samesite="lax", secure=settings.secure_cookies, path="/")


def clear_session_cookie(response: Response, request: Request) -> None:
    settings: Settings = request.app.state.settings
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=settings.secure_cookies, path="/")


def viewer_for(request: Request, session: Session, token: str) -> Viewer:
    """The signed-in user of a login token, with the session scoped to what they may see."""
    actor = authenticate(request, token)
    scope_to_supplier(session, actor.supplier_id)
    display_name, supplier_name = get_identity(request).viewer_names(session, actor)
    return Viewer(actor=actor, display_name=display_name, supplier_name=supplier_name)


def get_portal_actor(request: Request, session: DbSession) -> Actor:
    """The signed-in user; from here on the session sees only what they may see."""
    token = session_token(request)
    if token is None:
        raise LoginRequired("please log in")
    try:
        viewer = viewer_for(request, session, token)
    except NotAuthenticated as error:
        raise LoginRequired("your session has ended; please log in again") from error
    request.state.viewer = viewer
    return viewer.actor


PortalActor = Annotated[Actor, Depends(get_portal_actor)]


def page_requires(permission: str) -> Callable[[Actor], Actor]:
    """Dependency: the signed-in user must hold `permission` (access.PERMISSIONS)."""

    async def check(actor: PortalActor) -> Actor:  # computes only: no worker thread (web.deps)
        if not actor.can(permission):
            raise PermissionDenied(f"your role ({actor.role}) may not do this ({permission})")
        return actor

    check.__name__ = f"page_requires_{permission.replace('.', '_')}"
    return check


def page_for(roles: Collection[str]) -> Callable[[Actor], Actor]:
    """Dependency: a page only these roles are offered (the roles of its NavEntry), refused to the rest,
    so typing the URL serves nothing the navigation does not offer."""
    allowed = frozenset(roles)

    async def check(actor: PortalActor) -> Actor:
        if actor.role not in allowed:
            raise PermissionDenied(f"your role ({actor.role}) has no such page")
        return actor

    check.__name__ = "page_for_" + "_".join(sorted(allowed))
    return check
