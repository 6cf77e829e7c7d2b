"""Use cases of identity: users, password log-in with throttling, tokens. Caller commits."""
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session

from openvmi.access import Actor, Role
from openvmi.auth import rules
from openvmi.auth.models import ApiToken, LoginThrottle, User
from openvmi.auth.queries import get_user
from openvmi.auth.rules import LOGIN_REFUSED, LoginPolicy
from openvmi.auth.schemas import LogInAttempt, PasswordChange, TokenCreate, TokenIssued, UserCreate, UserUpdate
from openvmi.auth.security import hash_password, new_token_secret, token_digest, verify_nothing, verify_password
from openvmi.db import add_unique, utcnow
from openvmi.errors import Conflict, FieldError, InvalidInput, NotAuthenticated, NotFound, Reason, RuleViolation
from openvmi.parties.models import Party
from openvmi.scoping import select_rows
from openvmi.settings import Settings


def create_user(session: Session, user: UserCreate) -> User:
    """Add a user; a supplier user is bound to the supplier named by code. Caller commits."""
    supplier_id = _supplier_binding(session, user.role, user.supplier_code)
    if session.scalars(select(User.id).where(User.username == user.username)).first() is not None:
        raise Conflict(Reason("username %(username)s is taken", username=user.username))
    row = User(username=user.username, display_name=user.display_name, email=user.email,
               password_hash=hash_password(user.password), role=user.role.value,
               supplier_id=supplier_id, locale=user.locale)
    add_unique(session, row, conflict=f"username {user.username!r} is taken")
    return row


def update_user(session: Session, user_id: int, changes: UserUpdate, *, actor: Actor,
                current_token: str | None = None) -> User:
    """Change a user's name, role, company, language or password. Caller commits.

    Admins cannot change their own role, so the last admin cannot lock everyone out by accident.
    A new password set by an admin is a reset after a compromise: every token of the user ends,
    integration tokens included. An admin setting their own keeps the session in use
    (`current_token`) and their integration tokens, as any user's own change does.
    """
    user = get_user(session, user_id)
    if user.id == actor.user_id and changes.role.value != user.role:
        raise InvalidInput([FieldError("role", Reason("you cannot change your own role"))])
    user.supplier_id = _supplier_binding(session, changes.role, changes.supplier_code)
    user.display_name, user.email = changes.display_name, changes.email
    user.role, user.locale = changes.role.value, changes.locale
    if changes.password and user.id == actor.user_id:
        _set_password(session, user, changes.password)
        _revoke_tokens(session, user.id, kinds=("login",), keep=current_token, now=utcnow())
    elif changes.password:
        reset_password(session, user, changes.password)
    session.flush()
    return user


def reset_password(session: Session, user: User, password: str) -> None:
    """Another person's reset of `user`'s password (an admin's, or the shell's for a locked-out
    admin): treated as after a compromise, so every token of the user ends, integration tokens
    included, and counted failures no longer pause anyone. Caller commits."""
    _set_password(session, user, password)
    _revoke_tokens(session, user.id, kinds=("login", "integration"), keep=None, now=utcnow())


def _supplier_binding(session: Session, role: Role, supplier_code: str | None) -> int | None:
    """The supplier a user of `role` belongs to: required for supplier users, refused for staff."""
    if role != Role.SUPPLIER:
        if supplier_code:
            raise InvalidInput([FieldError("supplier_code", Reason("only supplier users belong to a supplier"))])
        return None
    if not supplier_code:
        raise InvalidInput([FieldError("supplier_code", Reason("a supplier user needs a supplier"))])
    supplier = session.scalars(select(Party).where(Party.code == supplier_code, Party.kind == "supplier")).first()
    if supplier is None:
        raise InvalidInput([FieldError("supplier_code", f"no such supplier: {supplier_code}")])
    return supplier.id


def login_policy(settings: Settings) -> LoginPolicy:
    """The throttle's numbers from the settings (docs/decisions.md, "Accounts and webhook targets")."""
    return LoginPolicy(
        max_failures=settings.login_max_failures, delay=timedelta(seconds=settings.login_delay_seconds),
        max_delay=timedelta(seconds=settings.login_max_delay_seconds),
        account_max_failures=settings.login_account_max_failures,
        failure_window=timedelta(seconds=settings.login_failure_window_seconds),
        known_address_for=timedelta(days=settings.login_known_address_days))


def authenticate(session: Session, attempt: LogInAttempt, *, policy: LoginPolicy,
                 now: datetime | None = None) -> User:
    """The user whose password this is, throttled per account and client address (auth.rules).

    Every refusal is the same NotAuthenticated and costs one argon2 verification, whether the
    user is unknown, the password wrong or the address paused, so callers learn nothing about
    which usernames exist. Failures are recorded even then: the caller commits before answering.
    """
    # Row-locked: parallel guesses queue, or their counts overwrite each other and buy more
    # guesses than the policy allows (SQLite's single writer queues them anyway).
    user = session.scalars(select(User).where(User.username == attempt.username).with_for_update()).first()
    if user is None:
        verify_nothing(attempt.password)
        raise NotAuthenticated(LOGIN_REFUSED)
    if _check_password(session, user, attempt.password, address=attempt.address, policy=policy,
                       now=now or utcnow()) is not Check.PASSED:
        raise NotAuthenticated(LOGIN_REFUSED)
    return user


def change_password(session: Session, change: PasswordChange, *, actor: Actor, address: str | None,
                    policy: LoginPolicy, current_token: str | None, now: datetime | None = None) -> User:
    """The signed-in user's new password, confirmed by the current one (throttled like a log-in).
    Their other sessions and log-in tokens end; the one in use (`current_token`) and their
    integration tokens stay. A refusal's failure count is kept: the caller commits it. Caller commits."""
    now = now or utcnow()
    user = session.scalars(select(User).where(User.id == actor.user_id).with_for_update()).one()
    check = _check_password(session, user, change.current_password, address=address, policy=policy, now=now)
    if check is Check.PAUSED:
        raise InvalidInput([FieldError("current_password", Reason(rules.TOO_MANY_WRONG_PASSWORDS))])
    if check is Check.FAILED:
        raise InvalidInput([FieldError("current_password", Reason(rules.NOT_THE_CURRENT_PASSWORD))])
    _set_password(session, user, change.new_password)
    _revoke_tokens(session, user.id, kinds=("login",), keep=current_token, now=now)
    return user


class Check(Enum):
    PASSED = "passed"
    FAILED = "failed"  # counted
    PAUSED = "paused"  # this address must wait; not checked, not counted


def _check_password(session: Session, user: User, password: str, *, address: str | None, policy: LoginPolicy,
                    now: datetime) -> Check:
    """One argon2 verification of `password`, unless the address must wait (then one on a dummy
    hash, for the same time); records the outcome. The caller holds the user's row lock."""
    key = rules.client_key(address)
    row = session.scalars(select(LoginThrottle).where(LoginThrottle.user_id == user.id,
                                                      LoginThrottle.address == key)).first()
    if row is None:
        row = LoginThrottle(user_id=user.id, address=key, failures=0)
    account_failures = session.scalar(
        select(func.coalesce(func.sum(LoginThrottle.failures), 0))
        .where(LoginThrottle.user_id == user.id, LoginThrottle.last_failure_at > now - policy.failure_window))
    if rules.paused_until(row.record, account_failures, now=now, policy=policy) is not None:
        verify_nothing(password)
        return Check.PAUSED
    if verify_password(user.password_hash, password) and user.active:
        row.failures, row.last_success_at = 0, now
        session.add(row)
        return Check.PASSED
    row.failures = rules.recent_failures(row.record, now=now, window=policy.failure_window) + 1
    row.last_failure_at = now
    session.add(row)
    _forget_stale_addresses(session, user.id, keep=key, now=now, policy=policy)
    return Check.FAILED


def _forget_stale_addresses(session: Session, user_id: int, *, keep: str, now: datetime,
                            policy: LoginPolicy) -> None:
    """Drop what no longer counts (old failures from addresses that are not known), so a guesser
    rotating addresses leaves at most a window's worth of rows."""
    session.execute(delete(LoginThrottle).where(
        LoginThrottle.user_id == user_id, LoginThrottle.address != keep,
        or_(LoginThrottle.last_failure_at.is_(None), LoginThrottle.last_failure_at <= now - policy.failure_window),
        or_(LoginThrottle.last_success_at.is_(None), LoginThrottle.last_success_at <= now - policy.known_address_for)))


def _set_password(session: Session, user: User, password: str) -> None:
    """A new password; failures counted against the old one no longer pause anyone."""
    user.password_hash = hash_password(password)
    session.execute(update(LoginThrottle).where(LoginThrottle.user_id == user.id, LoginThrottle.failures > 0)
                    .values(failures=0).execution_options(synchronize_session="fetch"))


def _revoke_tokens(session: Session, user_id: int, *, kinds: tuple[str, ...], keep: str | None,
                   now: datetime) -> None:
    """Revoke the user's tokens of `kinds` at once, except the one whose secret is `keep`."""
    statement = update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.kind.in_(kinds),
                                       ApiToken.revoked_at.is_(None))
    if keep is not None:
        statement = statement.where(ApiToken.token_hash != token_digest(keep))
    session.execute(statement.values(revoked_at=now).execution_options(synchronize_session="fetch"))


def issue_login_token(session: Session, user: User, *, lifetime: timedelta) -> tuple[str, ApiToken]:
    """A short-lived bearer token for a password log-in. Caller commits."""
    return _issue(session, user, name="login", kind="login", expires_at=utcnow() + lifetime)


def create_api_token(session: Session, request: TokenCreate, *, owner: User) -> TokenIssued:
    """A long-lived integration token for ERP/MES; the secret is shown once. Caller commits."""
    expires_at = utcnow() + timedelta(days=request.expires_in_days) if request.expires_in_days else None
    secret, token = _issue(session, owner, name=request.name, kind="integration", expires_at=expires_at)
    return TokenIssued.model_validate({**_token_fields(token), "token": secret})


def revoke_token(session: Session, token_id: int, *, actor: Actor) -> ApiToken:
    """Revoke a token: the owner's own, or anyone's for an admin. Caller commits."""
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.user_id and actor.role != Role.ADMIN):
        raise NotFound(f"no such token: {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def revoke_token_secret(session: Session, secret: str) -> None:
    """Revoke the token behind `secret` (a portal log-out); unknown secrets are ignored. Caller commits."""
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == token_digest(secret))).first()
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()


def set_user_locale(session: Session, user_id: int, locale: str | None) -> User:
    """Remember the user's language for the portal. Caller commits."""
    user = get_user(session, user_id)
    user.locale = locale
    return user


def actor_for_token(session: Session, secret: str) -> Actor:
    """The actor behind a bearer token, or NotAuthenticated if unknown, expired or revoked; records
    the token's use (at most once a minute). Caller commits."""
    actor, unrecorded = caller_for_token(session, secret)
    if unrecorded:
        record_token_use(session, secret)
    return actor


# Built once: every authenticated request runs it (bench/README.md, HTTP load). Columns, not entities:
# nothing of the token or the user stays in the request's session.
_CALLER = (select(ApiToken.id, ApiToken.kind, ApiToken.revoked_at, ApiToken.expires_at, ApiToken.last_used_at,
                  User.id, User.username, User.role, User.supplier_id, User.locale, User.active)
           .join(User, User.id == ApiToken.user_id).where(ApiToken.token_hash == bindparam("digest")))
_USE_RECORDED_EVERY = timedelta(minutes=1)  # so reads do not turn into writes


def caller_for_token(session: Session, secret: str) -> tuple[Actor, bool]:
    """The actor behind a bearer token, read and never written, so a read-only session can answer;
    NotAuthenticated if unknown, expired or revoked. The flag says the token's use is due to be
    recorded (record_token_use)."""
    rows = select_rows(session, _CALLER, {"digest": token_digest(secret)})
    if not rows:
        raise NotAuthenticated("invalid token")
    token_id, kind, revoked_at, expires_at, last_used_at, user_id, username, role, supplier_id, locale, active = rows[0]
    now = utcnow()
    if revoked_at is not None or (expires_at is not None and expires_at <= now):
        raise NotAuthenticated("token expired or revoked")
    if not active:
        raise NotAuthenticated("user is deactivated")
    actor = Actor(user_id=user_id, username=username, role=Role(role), supplier_id=supplier_id, locale=locale,
                  token_id=token_id if kind == "integration" else None)
    return actor, last_used_at is None or now - last_used_at > _USE_RECORDED_EVERY


def record_token_use(session: Session, secret: str) -> None:
    """Note that the token was used now. Caller commits."""
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == token_digest(secret))).one()
    token.last_used_at = utcnow()


def actor_of(user: User, *, token: ApiToken | None = None) -> Actor:
    """The caller `user`; an integration token makes the token itself the caller of idempotent retries."""
    token_id = token.id if token is not None and token.kind == "integration" else None
    return Actor(user_id=user.id, username=user.username, role=Role(user.role),
                 supplier_id=user.supplier_id, locale=user.locale, token_id=token_id)


def set_user_active(session: Session, user_id: int, active: bool, *, actor: Actor) -> User:
    """Deactivate or reactivate a user; their tokens stop working at once. Caller commits."""
    if user_id == actor.user_id and not active:
        raise RuleViolation(Reason("you cannot deactivate yourself"))  # a rule, not a missing right
    user = get_user(session, user_id)
    user.active = active
    return user


def _issue(session: Session, user: User, *, name: str, kind: str,
           expires_at: datetime | None) -> tuple[str, ApiToken]:
    secret = new_token_secret()
    token = ApiToken(user_id=user.id, name=name, kind=kind, token_hash=token_digest(secret),
                     prefix=secret[:12], expires_at=expires_at)
    session.add(token)
    session.flush()
    return secret, token


def _token_fields(token: ApiToken) -> dict[str, object]:
    return {field: getattr(token, field) for field in
            ("id", "user_id", "name", "kind", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at")}
