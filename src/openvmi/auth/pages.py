"""Portal pages of identity: log-in and log-out, the language choice, users (admin) and API tokens."""
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from openvmi.access import Actor, Role
from openvmi.auth import queries, service
from openvmi.auth.schemas import LogInAttempt, PasswordChange, TokenCreate, UserCreate, UserUpdate
from openvmi.errors import DomainError, FieldError, InvalidInput, NotAuthenticated
from openvmi.fields import Id, Text
from openvmi.parties import queries as parties_queries
from openvmi.web.deps import DbSession, authenticate, client_address
from openvmi.web.exports import FORMATS, export_list
from openvmi.web.forms import FormState, add_domain_error, form_values, parse
from openvmi.web.i18n import LANGUAGE_COOKIE, LANGUAGE_NAMES, N_, SUPPORTED
from openvmi.web.listing import ListView, list_request
from openvmi.web.portal import NavEntry, PortalFeature, portal_router
from openvmi.web.rendering import ROLE_LABELS, flash, redirect, render, safe_next, translate
from openvmi.web.viewer import PortalActor, clear_session_cookie, page_requires, session_token, set_session_cookie

router = portal_router()
UserAdmin = Annotated[Actor, Depends(page_requires("users.write"))]
TokenUser = Annotated[Actor, Depends(page_requires("tokens.manage"))]
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600
USER_FIELDS = ["username", "display_name", "email", "password", "role", "supplier_code", "locale"]
TOKEN_FIELDS = ["name", "expires_in_days"]

PASSWORD_FIELDS = ["current_password", "new_password"]


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    token = session_token(request)
    if token is not None:
        try:
            authenticate(request, token)
            return redirect(safe_next(next))
        except NotAuthenticated:
            pass
    return render(request, "auth/login.html", title=N_("Log in"), next=safe_next(next), username="", error=None)


@router.post("/login")
def log_in(request: Request, session: DbSession, username: Annotated[Text, Form(max_length=80)],
           password: Annotated[Text, Form(max_length=200)], next: Annotated[str, Form()] = "/") -> Response:
    """Check the password (throttled by auth.service.authenticate) and start a portal session."""
    settings = request.app.state.settings
    attempt = LogInAttempt(username=username.strip(), password=password, address=client_address(request))
    try:
        user = service.authenticate(session, attempt, policy=service.login_policy(settings))
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


@router.post("/language")
def switch_language(request: Request, session: DbSession, locale: Annotated[str, Form()],
                    next: Annotated[str, Form()] = "/") -> Response:
    """Remember the chosen language in a cookie, and on the user when signed in."""
    if locale not in SUPPORTED:
        raise InvalidInput([FieldError("locale", f"unsupported language: {locale}")])
    token = session_token(request)
    if token is not None:
        try:
            actor = service.actor_for_token(session, token)
        except NotAuthenticated:
            actor = None
        if actor is not None:
            service.set_user_locale(session, actor.user_id, locale)
        session.commit()
    response = redirect(safe_next(next))
    settings = request.app.state.settings
    response.set_cookie(LANGUAGE_COOKIE, locale, max_age=LANGUAGE_COOKIE_SECONDS, httponly=True,
                        samesite="lax", secure=settings.secure_cookies, path="/")
    return response


# --- one's own password ------------------------------------------------------------------

def _password_form(request: Request, form: FormState, *, status_code: int = 200) -> Response:
    form.values = {name: "" for name in PASSWORD_FIELDS}  # never echo a password back into the page
    return render(request, "auth/password.html", title=N_("Change password"), form=form, status_code=status_code)


@router.get("/account/password")
def password_form(request: Request, _: PortalActor) -> Response:
    return _password_form(request, FormState())


@router.post("/account/password")
async def change_password(request: Request, session: DbSession, actor: PortalActor) -> Response:
    """Set a new password; every other session of the user ends, this one goes on."""
    form = FormState(values=form_values(await request.form(), PASSWORD_FIELDS))
    body = parse(PasswordChange, form.values, form)
    if body is not None:
        try:
            service.change_password(session, body, actor=actor, address=client_address(request),
                                    policy=service.login_policy(request.app.state.settings),
                                    current_token=session_token(request))
            session.commit()
            return flash(redirect("/"), request, N_("Your password has been changed. Your other sessions have "
                                                    "been logged out; your API tokens still work."))
        except InvalidInput as error:
            session.commit()  # keep the failure count: it is what throttles guessing
            add_domain_error(form, error)
    return _password_form(request, form, status_code=422)


# --- users (admin) ------------------------------------------------------------------------

@router.get("/users")
def user_list(request: Request, session: DbSession, _: UserAdmin, format: str | None = None) -> Response:
    wanted = list_request(request)
    if format in FORMATS:
        rows = [(r[0].username, r[0].display_name, r[0].email, translate(request, ROLE_LABELS[r[0].role]),
                 r.supplier_code, r[0].locale, r[0].active) for r in queries.export_users(session, wanted)]
        return export_list(request, format, filename="users", rows=rows,
                           columns=(N_("Username"), N_("Name"), N_("E-mail"), N_("Role"), N_("Supplier"),
                                    N_("Language"), N_("Active")))
    view = ListView.of(request, queries.browse_users(session, wanted))
    return render(request, "auth/users.html", title=N_("Users"), view=view)


def _user_form(request: Request, session: DbSession, form: FormState, *, user=None,
               status_code: int = 200) -> Response:
    roles = [(role.value, translate(request, ROLE_LABELS[role.value])) for role in Role]
    suppliers = [(code, f"{code} · {name}") for _, code, name in parties_queries.supplier_choices(session)]
    title, params = (N_("User %(username)s"), {"username": user.username}) if user else (N_("New user"), None)
    return render(request, "auth/user_form.html", title=title, title_params=params, form=form, user=user,
                  roles=roles, suppliers=suppliers, locales=list(LANGUAGE_NAMES.items()), status_code=status_code)


@router.get("/users/new")
def new_user(request: Request, session: DbSession, _: UserAdmin) -> Response:
    return _user_form(request, session, FormState(values={"role": "buyer", "locale": "zh_CN"}))


@router.post("/users/new")
async def create_user(request: Request, session: DbSession, _: UserAdmin) -> Response:
    form = FormState(values=form_values(await request.form(), USER_FIELDS))
    body = parse(UserCreate, form.values, form)
    if body is not None:
        try:
            user = service.create_user(session, body)
            session.commit()
            return flash(redirect("/users"), request, N_("User %(username)s created."), username=user.username)
        except DomainError as error:
            session.rollback()
            add_domain_error(form, error, field_names={"username": "username"})
    form.values["password"] = ""  # never echo a password back into the page
    return _user_form(request, session, form, status_code=422)


@router.get("/users/{user_id}")
def edit_user(request: Request, user_id: Id, session: DbSession, _: UserAdmin) -> Response:
    user = queries.get_user(session, user_id)
    supplier_code = next((code for id_, code, name in parties_queries.supplier_choices(session) if id_ == user.supplier_id),
                         "")
    values = {"username": user.username, "display_name": user.display_name, "email": user.email or "",
              "role": user.role, "supplier_code": supplier_code, "locale": user.locale or "", "password": ""}
    return _user_form(request, session, FormState(values=values), user=user)


@router.post("/users/{user_id}")
async def update_user(request: Request, user_id: Id, session: DbSession, actor: UserAdmin) -> Response:
    user = queries.get_user(session, user_id)
    form = FormState(values={**form_values(await request.form(), USER_FIELDS), "username": user.username})
    data = {k: v for k, v in form.values.items() if k != "username"}
    data.update({"email": data["email"] or None, "supplier_code": data["supplier_code"] or None,
                 "locale": data["locale"] or None, "password": data["password"] or None})
    body = parse(UserUpdate, data, form)
    if body is not None:
        try:
            service.update_user(session, user_id, body, actor=actor, current_token=session_token(request))
            session.commit()
            return flash(redirect("/users"), request, N_("User %(username)s saved."), username=user.username)
        except DomainError as error:
            session.rollback()
            add_domain_error(form, error)
    form.values["password"] = ""
    return _user_form(request, session, form, user=user, status_code=422)


@router.post("/users/{user_id}/active")
async def set_user_active(request: Request, user_id: Id, session: DbSession, actor: UserAdmin) -> Response:
    active = (await request.form()).get("active") == "true"
    user = service.set_user_active(session, user_id, active, actor=actor)
    session.commit()
    message = N_("User %(username)s reactivated.") if active else N_("User %(username)s deactivated.")
    return flash(redirect("/users"), request, message, username=user.username)


# --- API tokens ---------------------------------------------------------------------------

def _token_page(request: Request, session: DbSession, actor: Actor, form: FormState, *, issued=None,
                status_code: int = 200) -> Response:
    tokens = [t for t in queries.list_tokens(session, actor=actor) if t.kind == "integration"]
    owners = queries.usernames(session, {t.user_id for t in tokens})
    return render(request, "auth/tokens.html", title=N_("API tokens"), tokens=tokens, owners=owners, form=form,
                  issued=issued, status_code=status_code)


@router.get("/tokens")
def token_list(request: Request, session: DbSession, actor: TokenUser) -> Response:
    return _token_page(request, session, actor, FormState(values={"name": "", "expires_in_days": "365"}))


@router.post("/tokens")
async def create_token(request: Request, session: DbSession, actor: TokenUser) -> Response:
    """Issue an integration token; its secret is shown on this response only, never again."""
    form = FormState(values=form_values(await request.form(), TOKEN_FIELDS))
    body = parse(TokenCreate, form.values, form)
    if body is None:
        return _token_page(request, session, actor, form, status_code=422)
    issued = service.create_api_token(session, body, owner=queries.get_user(session, actor.user_id))
    session.commit()
    return _token_page(request, session, actor, FormState(values={"name": "", "expires_in_days": "365"}),
                       issued=issued)


@router.post("/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: Id, session: DbSession, actor: TokenUser) -> Response:
    token = service.revoke_token(session, token_id, actor=actor)
    session.commit()
    return flash(redirect("/tokens"), request, N_("Token %(name)s revoked."), name=token.name)


feature = PortalFeature(router=router, nav=[
    NavEntry(N_("Users"), "/users", permission="users.read", order=90),
    NavEntry(N_("API tokens"), "/tokens", roles=frozenset({"admin"}), order=91),
])
