"""Typed FastAPI dependencies: settings, one database session per request, the caller."""
import logging
from collections.abc import AsyncIterator, Callable, Collection, Coroutine, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security import OAuth2PasswordBearer
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from openvmi.access import Actor
from openvmi.db import begin_without_waiting, database_failure
from openvmi.errors import FieldError, InvalidInput, NotAuthenticated, PermissionDenied
from openvmi.scoping import scope_to_supplier
from openvmi.settings import Settings
from openvmi.web.csrf import SAFE_METHODS

log = logging.getLogger(__name__)


# Dependencies that only compute are `async def`: FastAPI runs a plain `def` dependency in a worker
# thread, and each such hop cost about half a millisecond of CPU per request on this machine
# (docs/decisions.md, request overhead). Those that wait for the database stay in worker threads.

async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request: read-only for safe methods (on SQLite a snapshot that never waits
    for a writer), a writer for the others. The route commits; anything uncommitted is rolled back."""
    state = request.app.state
    factory = state.read_session_factory if request.method in SAFE_METHODS else state.session_factory
    session = factory()  # takes no connection until its first statement
    try:
        yield session
    finally:
        if session.in_transaction() and not state.engine_is_local:
            # Giving the connection back rolls back (a round trip on PostgreSQL): in a worker thread,
            # even when the client has gone, and (as FastAPI does) not queued behind other requests
            # for the pool's threads while it holds a connection they may be waiting for. SQLite's
            # rollback waits for nothing (the library is in this process), so there it is not worth a
            # thread hop (docs/decisions.md, "Availability over HTTP").
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(session.close, limiter=anyio.CapacityLimiter(1))
        else:
            session.close()


AppSettings = Annotated[Settings, Depends(get_settings)]
DbSession = Annotated[Session, Depends(get_session)]


@dataclass(frozen=True)
class Identity:
    """How web code learns who is calling. app.py wires auth's functions into `app.state.identity`,
    so `openvmi.web` imports no feature."""

    # The caller behind a bearer token (or the portal cookie's login token), read without writing;
    # NotAuthenticated if unknown, expired or revoked. True beside it: record the token's use.
    caller_for_token: Callable[[Session, str], tuple[Actor, bool]]
    # Note a token's use now (the caller commits).
    record_token_use: Callable[[Session, str], None]
    # (display name, supplier name or None): what the portal's layout shows of the signed-in user.
    viewer_names: Callable[[Session, Actor], tuple[str, str | None]]


def get_identity(request: Request) -> Identity:
    return request.app.state.identity


@dataclass(frozen=True)
class Reactions:
    """Use cases of a higher feature that a lower feature's change must run in the same transaction.
    app.py wires them into `app.state.reactions` (as it wires Identity), so a lower feature's routes
    need no import of the higher one."""

    # An item's default low-water mark changed: open or resolve its low-stock alerts now.
    item_low_water_changed: Callable[[Session, int], None]
    # Stock of these items moved through the ledger: open or resolve the VMI level alerts of their agreements.
    stock_moved: Callable[[Session, Collection[int]], None]
    # agreement ids -> each agreement's settlement cycle: how settlement (below vmi) groups lines into statements.
    settlement_cycles: Callable[[Session, Collection[int]], Mapping[int, str]]
    # agreement ids -> whether finance self-bills (ERS) their statements (settlement.invoices).
    self_billing: Callable[[Session, Collection[int]], Mapping[int, bool]]


def get_reactions(request: Request) -> Reactions:
    return request.app.state.reactions


async def _reactions(request: Request) -> Reactions:
    return get_reactions(request)


AppReactions = Annotated[Reactions, Depends(_reactions)]


_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def authenticate(request: Request, token: str) -> Actor:
    """The caller behind `token` (bearer or portal), looked up once per request in a read-only
    session of its own, so a GET never queues for SQLite's write lock. Its connection goes back to
    the pool before the route runs: a request must not hold one while it waits for a worker thread
    (docs/decisions.md, request overhead). When the token's use is due to be recorded (at most once
    a minute), a short write records it unless another writer holds the lock; then the next request
    does. Revoked and expired tokens are refused at once: nothing is cached beyond this request."""
    known = known_caller(request, token)
    if known is not None:
        return known
    identity = get_identity(request)
    with request.app.state.read_session_factory() as session:
        actor, unrecorded = identity.caller_for_token(session, token)
    if unrecorded:
        _record_use(request, identity, token)
    request.state.authenticated = (token, actor)
    return actor


def known_caller(request: Request, token: str) -> Actor | None:
    """The caller of `token` if this request has already looked it up (the guard does, before a body)."""
    known = getattr(request.state, "authenticated", None)
    return known[1] if known is not None and known[0] == token else None


def _record_use(request: Request, identity: Identity, token: str) -> None:
    with request.app.state.session_factory() as session:
        try:
            begin_without_waiting(session)
            identity.record_token_use(session, token)
            session.commit()
        except DBAPIError as error:
            if database_failure(error) != "busy":
                raise
            log.debug("token use not recorded: another writer holds the database")


async def get_actor(request: Request, session: DbSession, token: Annotated[str | None, Depends(_bearer)]) -> Actor:
    """The authenticated caller; from here on the session sees only what the caller may see."""
    if not token:
        raise NotAuthenticated("a bearer token is required")
    actor = known_caller(request, token) or await anyio.to_thread.run_sync(authenticate, request, token)
    scope_to_supplier(session, actor.supplier_id)
    return actor


CurrentActor = Annotated[Actor, Depends(get_actor)]


def permitted(actor: Actor, permission: str) -> Actor:
    if not actor.can(permission):
        raise PermissionDenied(f"your role ({actor.role}) may not do this ({permission})")
    return actor


def requires(permission: str) -> Callable[[Actor], Actor]:
    """Dependency: the caller must hold `permission` (see access.PERMISSIONS)."""

    async def check(actor: CurrentActor) -> Actor:
        return permitted(actor, permission)

    check.__name__ = f"requires_{permission.replace('.', '_')}"
    return check


async def idempotency_key(
    key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> str | None:
    if key is not None and not key.strip():
        raise InvalidInput([FieldError("Idempotency-Key", "must not be blank")])
    return key


IdempotencyKey = Annotated[str | None, Depends(idempotency_key)]


Answer = TypeVar("Answer")


def read_as_caller(request: Request, token: str, permission: str, read: Callable[[Session], Answer]) -> Answer:
    """In a worker thread: the caller behind `token` looked up, `permission` checked and `read` run, in
    one read-only session that is closed before the thread is given back. What `authenticate`, `requires`
    and `get_session` do as dependencies, for a GET asked often (availability): their three thread hops,
    two sessions and FastAPI's work for them on the event loop cost more than a short answer
    (docs/decisions.md, "Availability over HTTP: one thread hop"). The request still never holds a
    connection while it waits for a thread."""
    session = request.app.state.read_session_factory()
    try:
        actor = known_caller(request, token)
        if actor is None:
            identity = get_identity(request)
            actor, unrecorded = identity.caller_for_token(session, token)
            request.state.authenticated = (token, actor)
            if unrecorded:
                session.close()  # not held while the writer below waits for a connection of its own
                _record_use(request, identity, token)
        scope_to_supplier(session, permitted(actor, permission).supplier_id)
        return read(session)
    finally:
        session.close()


async def answer_as_caller(request: Request, token: str | None, permission: str,
                           read: Callable[[Session], Answer]) -> Answer:
    """`read_as_caller` in one worker thread; 401 at once without a token."""
    if not token:
        raise NotAuthenticated("a bearer token is required")
    return await anyio.to_thread.run_sync(read_as_caller, request, token, permission, read)


def caller_checked_first(permission: str) -> type[APIRoute]:
    """The route class of a route that answers through `answer_as_caller`. FastAPI checks the query
    before the route runs, so a bad query from an unknown caller, or one without `permission`, would
    be answered 422; it is answered 401 or 403 instead, as a route with the dependencies does."""

    class CallerCheckedFirst(APIRoute):
        checked_permission = permission  # for the OpenAPI document's 403 (web.openapi)

        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handle = super().get_route_handler()

            async def checked(request: Request) -> Response:
                try:
                    return await handle(request)
                except RequestValidationError:
                    scheme, token = get_authorization_scheme_param(request.headers.get("authorization"))
                    await answer_as_caller(request, token if scheme.lower() == "bearer" else None, permission,
                                           lambda _session: None)
                    raise

            return checked

    return CallerCheckedFirst


# The bearer secret the caller sent: a password change keeps the caller's own token alive.
BearerSecret = Annotated[str | None, Depends(_bearer)]


def client_address(request: Request) -> str | None:
    """The caller's IP address as the server sees it. Behind a reverse proxy it is the address the
    proxy forwards, when uvicorn trusts the proxy (`--forwarded-allow-ips`, 127.0.0.1 by default)."""
    return request.client.host if request.client else None
