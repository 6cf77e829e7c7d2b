"""JSON API for log-in, users and integration tokens."""
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import select

from openvmi.access import Actor
from openvmi.auth import queries, service
from openvmi.auth.models import User
from openvmi.auth.schemas import (
    AccessToken, LogInAttempt, PasswordChange, TokenCreate, TokenIssued, TokenRead, UserCreate, UserPage, UserRead,
)
from openvmi.db import commit_refusal
from openvmi.errors import InvalidInput, NotAuthenticated
from openvmi.fields import Id, refuse_unstorable
from openvmi.pagination import fetch_page
from openvmi.web.deps import AppSettings, BearerSecret, CurrentActor, DbSession, client_address, requires

router = APIRouter(tags=["auth"])
UserAdmin = Annotated[Actor, Depends(requires("users.write"))]
TokenUser = Annotated[Actor, Depends(requires("tokens.manage"))]


@router.post("/auth/token", response_model=AccessToken)
def issue_token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], session: DbSession,
                settings: AppSettings) -> AccessToken:
    """OAuth2 password grant: username and password in, bearer token out. Throttled per account and
    client address; every refusal is the same 401."""
    refuse_unstorable(username=form.username, password=form.password)
    attempt = LogInAttempt(username=form.username, password=form.password, address=client_address(request))
    try:
        user = service.authenticate(session, attempt, policy=service.login_policy(settings))
    except NotAuthenticated:
        session.commit()  # keep the failure count: it is what throttles guessing
        raise
    lifetime = timedelta(hours=settings.access_token_hours)
    secret, _ = service.issue_login_token(session, user, lifetime=lifetime)
    session.commit()
    return AccessToken(access_token=secret, expires_in=int(lifetime.total_seconds()))


@router.post("/auth/password", status_code=204)
def change_password(request: Request, body: PasswordChange, session: DbSession, actor: CurrentActor,
                    settings: AppSettings, token: BearerSecret) -> Response:
    """Change the caller's own password. Their other log-in tokens and portal sessions end; the
    token of this call and their integration tokens go on working."""
    with commit_refusal(session, InvalidInput):  # a wrong current password counts as a failed log-in
        service.change_password(session, body, actor=actor, address=client_address(request),
                                policy=service.login_policy(settings), current_token=token)
    session.commit()
    return Response(status_code=204)


@router.get("/auth/me", response_model=UserRead)
def who_am_i(session: DbSession, actor: CurrentActor) -> UserRead:
    return UserRead.model_validate(queries.get_user(session, actor.user_id))


@router.get("/users", response_model=UserPage)
def list_users(session: DbSession, _: Annotated[Actor, Depends(requires("users.read"))],
               cursor: str | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> UserPage:
    rows, next_cursor = fetch_page(session, select(User), User.id, cursor=cursor, limit=limit)
    return UserPage(items=[UserRead.model_validate(u) for u in rows], next_cursor=next_cursor)


@router.post("/users", status_code=201, response_model=UserRead)
def create_user(body: UserCreate, session: DbSession, _: UserAdmin) -> UserRead:
    user = service.create_user(session, body)
    session.commit()
    return UserRead.model_validate(user)


@router.post("/users/{user_id}/deactivate", response_model=UserRead)
def deactivate_user(user_id: Id, session: DbSession, actor: UserAdmin) -> UserRead:
    user = service.set_user_active(session, user_id, False, actor=actor)
    session.commit()
    return UserRead.model_validate(user)


@router.get("/tokens", response_model=list[TokenRead])
def list_tokens(session: DbSession, actor: TokenUser) -> list[TokenRead]:
    return [TokenRead.model_validate(t) for t in queries.list_tokens(session, actor=actor)]


@router.post("/tokens", status_code=201, response_model=TokenIssued)
def create_token(body: TokenCreate, session: DbSession, actor: TokenUser) -> TokenIssued:
    issued = service.create_api_token(session, body, owner=queries.get_user(session, actor.user_id))
    session.commit()
    return issued


@router.delete("/tokens/{token_id}", response_model=TokenRead)
def revoke_token(token_id: Id, session: DbSession, actor: TokenUser) -> TokenRead:
    token = service.revoke_token(session, token_id, actor=actor)
    session.commit()
    return TokenRead.model_validate(token)
