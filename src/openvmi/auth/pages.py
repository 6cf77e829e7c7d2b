"""Portal pages of identity: log-in and log-out, users (admin) and API tokens."""
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from openvmi.auth import service
from openvmi.auth.schemas import Actor
from openvmi.errors import NotAuthenticated
from openvmi.web.deps import DbSession
from openvmi.web.i18n import N_
from openvmi.web.portal import (
    NavEntry, PortalFeature, clear_session_cookie, flash, portal_router, redirect, render, safe_next,
    session_token, set_session_cookie,
)

router = portal_router()

# Translated service messages shown on the log-in page (extracted for the catalogs).
LOGIN_MESSAGES = (N_("wrong username or password"), N_("too many failed log-ins; try again later"))


@router.get("/login")
def login_form(request: Request, session: DbSession, next: str = "/") -> Response:
    if session_token(request) is not None:
        try:
            service.actor_for_token(session, session_token(request) or "")
            session.commit()
            return redirect(safe_next(next))
        except NotAuthenticated:
            pass
    return render(request, "auth/login.html", title=N_("Log in"), next=safe_next(next), username="", error=None)


@router.post("/login")
def log_in(request: Request, session: DbSession, username: Annotated[str, Form(max_length=80)],
           password: Annotated[str, Form(max_length=200)], next: Annotated[str, Form()] = "/") -> Response:
    """Check the password (throttled by auth.service.authenticate) and start a portal session."""
    settings = request.app.state.settings
    try:
        user = service.authenticate(session, username.strip(), password, max_failures=settings.login_max_failures,
                                    lockout=timedelta(seconds=settings.login_lockout_seconds))
    except NotAuthenticated as error:
        session.commit()  # keep the failure count: it is what throttles guessing
        return render(request, "auth/login.html", title=N_("Log in"), status_code=400, next=safe_next(next),
                      username=username, error=str(error))
    lifetime = timedelta(hours=settings.access_token_hours)
    secret, _ = service.issue_login_token(session, user, lifetime=lifetime)
    session.commit()
    response = redirect(safe_next(next))
    set_session_cookie(response, request, secret, max_age=int(lifetime.total_seconds()))
    return response


@router.post("/logout")
def log_out(request: Request, session: DbSession) -> Response:
    """End the session: the login token is revoked, not just forgotten by the browser."""
    token = session_token(request)
    if token is not None:
        service.revoke_token_secret(session, token)
        session.commit()
    response = redirect("/login")
    clear_session_cookie(response, request)
    return flash(response, request, N_("You have logged out."))


feature = PortalFeature(router=router)
