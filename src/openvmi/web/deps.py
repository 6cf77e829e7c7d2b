"""Typed FastAPI dependencies: settings, one database session per request, the caller."""
import logging
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from openvmi.access import Actor
from openvmi.db import begin_without_waiting, database_failure
from openvmi.errors import FieldError, InvalidInput, NotAuthenticated, PermissionDenied
from openvmi.scoping import scope_to_supplier
from openvmi.settings import Settings
from openvmi.web.csrf import SAFE_METHODS

log = logging.getLogger(__name__)


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: read-only for safe methods (on SQLite a snapshot that never waits
    for a writer), a writer for the others. The route commits; anything uncommitted is rolled back."""
    state = request.app.state
    factory = state.read_session_factory if request.method in SAFE_METHODS else state.session_factory
    with factory() as session:
        yield session


AppSettings = Annotated[Settings, Depends(get_settings)]
DbSession = Annotated[Session, Depends(get_session)]


@dataclass(frozen=True)
class Identity:
    """How web code learns who is calling. app.py wires auth's functions into `app.state.identity`,
    so `openvmi.web` imports no feature."""

    # The caller behind a bearer token (or the portal cookie's login token); NotAuthenticated if
    # unknown, expired or revoked. May touch the token's last use: the caller commits (authenticate).
    actor_for_token: Callable[[Session, str], Actor]
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


AppReactions = Annotated[Reactions, Depends(get_reactions)]


_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def authenticate(request: Request, token: str) -> Actor:
    """The caller behind `token` (bearer or portal), looked up once per request in a read-only
    session of its own, so a GET never queues for SQLite's write lock. When the lookup wants to
    record the token's use (at most once a minute), a short write records it unless another writer
    holds the lock; then the next request does."""
    known = getattr(request.state, "authenticated", None)
    if known is not None and known[0] == token:
        return known[1]
    identity = get_identity(request)
    with request.app.state.read_session_factory() as session:
        actor = identity.actor_for_token(session, token)
        used = bool(session.dirty)  # left unflushed: this session may not write
    if used:
        _record_use(request, identity, token)
    request.state.authenticated = (token, actor)
    return actor


def _record_use(request: Request, identity: Identity, token: str) -> None:
    with request.app.state.session_factory() as session:
        try:
            begin_without_waiting(session)
            identity.actor_for_token(session, token)
            session.commit()
        except DBAPIError as error:
            if database_failure(error) != "busy":
                raise
            log.debug("token use not recorded: another writer holds the database")


def get_actor(request: Request, session: DbSession, token: Annotated[str | None, Depends(_bearer)]) -> Actor:
    """The authenticated caller; from here on the session sees only what the caller may see."""
    if not token:
        raise NotAuthenticated("a bearer token is required")
    actor = authenticate(request, token)
    scope_to_supplier(session, actor.supplier_id)
    return actor


CurrentActor = Annotated[Actor, Depends(get_actor)]


def requires(permission: str) -> Callable[[Actor], Actor]:
    """Dependency: the caller must hold `permission` (see access.PERMISSIONS)."""

    def check(actor: CurrentActor) -> Actor:
        if not actor.can(permission):
            raise PermissionDenied(f"your role ({actor.role}) may not do this ({permission})")
        return actor

    check.__name__ = f"requires_{permission.replace('.', '_')}"
    return check


def idempotency_key(
    key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> str | None:
    if key is not None and not key.strip():
        raise InvalidInput([FieldError("Idempotency-Key", "must not be blank")])
    return key


IdempotencyKey = Annotated[str | None, Depends(idempotency_key)]


# The bearer secret the caller sent: a password change keeps the caller's own token alive.
BearerSecret = Annotated[str | None, Depends(_bearer)]


def client_address(request: Request) -> str | None:
    """The caller's IP address as the server sees it. Behind a reverse proxy it is the address the
    proxy forwards, when uvicorn trusts the proxy (`--forwarded-allow-ips`, 127.0.0.1 by default)."""
    return request.client.host if request.client else None
