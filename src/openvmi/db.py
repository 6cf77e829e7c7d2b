"""Engine and session factories, column types and the one place transactions begin."""
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from enum import StrEnum

from sqlalchemy import (
    BigInteger, CheckConstraint, DateTime, Engine, MetaData, Numeric, String, create_engine, event, make_url, text,
)
from sqlalchemy import exc as sqlalchemy_exc
from sqlalchemy.orm import DeclarativeBase, Mapped, ORMExecuteState, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

# Quantities and money are Decimal. PostgreSQL stores them exactly; SQLite stores a quantity as
# REAL, so stock arithmetic happens in Python on locked rows and values are rounded back to 6
# places. Money is stored as integer millionths on SQLite (Money), so its sums are exact too.
warnings.filterwarnings("ignore", message=r"Dialect sqlite\+pysqlite does \*not\* support Decimal")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def Quantity() -> Numeric:  # noqa: N802 - reads like a column type
    return Numeric(18, 6, asdecimal=True)


def Percent() -> Numeric:  # noqa: N802 - reads like a column type
    """Rates such as tax and tolerance, 0-100 with four places."""
    return Numeric(7, 4, asdecimal=True)


class Money(TypeDecorator[Decimal]):
    """Prices and amounts, exact on both engines and in SUM(): NUMERIC(18, 6) on PostgreSQL; on
    SQLite, which keeps NUMERIC as a float, an INTEGER of millionths (docs/decisions.md, Money)."""

    impl = Numeric(18, 6, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(18, 6, asdecimal=True))

    def process_bind_param(self, value: Decimal | int | None, dialect: Any) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        millionths = Decimal(value).scaleb(_MONEY_PLACES)
        if millionths != millionths.to_integral_value():
            raise ValueError(f"{value} has more than {_MONEY_PLACES} decimal places")
        return int(millionths)

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None or dialect.name != "sqlite":
            return value
        return Decimal(int(value)).scaleb(-_MONEY_PLACES).quantize(_MONEY_UNIT)


_MONEY_PLACES = 6
_MONEY_UNIT = Decimal(1).scaleb(-_MONEY_PLACES)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on both engines (SQLite drops the offset otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use an aware UTC timestamp")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def one_of(column: str, kinds: type[StrEnum], *, name: str | None = None) -> CheckConstraint:
    """CHECK (column IN (...)) from the enum that lists the allowed values: the only place they are spelled."""
    allowed = ", ".join(f"'{kind.value}'" for kind in kinds)
    # The enum rides along so a test can hold every migrated database's CHECK against it.
    return CheckConstraint(f"{column} IN ({allowed})", name=name or column, info={"enum": kinds})


def utcnow() -> datetime:
    return datetime.now(UTC)


def quantize(value: Decimal) -> Decimal:
    """Round to the six places the database keeps."""
    return value.quantize(Decimal("0.000001"))


POOL_SIZE = 15  # connections an engine keeps (and opens at most), per process

# Execution options of a session's connection that the engine acts on (see create_session_factory).
READ_ONLY = "openvmi_read_only"  # also a Session.info key: the session refuses to write
NO_WAIT = "openvmi_no_wait"  # SQLite: give up at once when another writer holds the lock
AFTER_COMMIT = "openvmi_after_commit"  # SQLite: a writer session's reads after its commit take no lock


class ReadOnlySession(RuntimeError):
    """A read-only session (a GET request's) was asked to write: a programming error."""


def create_db_engine(url: str, *, connect_timeout: int = 10, statement_timeout: float = 0,
                     busy_timeout: float = 30, **kwargs: Any) -> Engine:
    """An engine for `url` that a down or hung database cannot hold forever: opening a PostgreSQL
    connection (or waiting for a pooled one) gives up after `connect_timeout` seconds, a PostgreSQL
    statement after `statement_timeout` (0: never), and on SQLite a writer waits `busy_timeout`
    seconds for the write lock. database_failure tells these failures apart from the others."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": busy_timeout})
    elif url.startswith("postgresql"):
        connect_args = {"connect_timeout": connect_timeout}
        if statement_timeout:
            connect_args["options"] = f"-c statement_timeout={int(statement_timeout * 1000)}"
        kwargs.setdefault("connect_args", connect_args)
        kwargs.setdefault("pool_timeout", connect_timeout)
    if "poolclass" not in kwargs and make_url(url).database not in (None, "", ":memory:"):
        # As many connections at most as SQLAlchemy's default (5 + 10 overflow), all kept: an overflow
        # connection was closed when given back, so under load (40 worker threads) connections were
        # opened again and again, each configured and each reading the schema anew (docs/decisions.md,
        # "Availability over HTTP").
        kwargs.setdefault("pool_size", POOL_SIZE)
        kwargs.setdefault("max_overflow", 0)
    # Bound values never reach logs or error messages (echo, IntegrityError texts): among them are
    # password hashes, token digests and webhook secrets, and no list of columns stays complete.
    kwargs.setdefault("hide_parameters", True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _serialize_sqlite_writers(engine, busy_ms=int(busy_timeout * 1000))
    elif engine.dialect.driver == "psycopg":
        _end_read_only_transactions_with_commit(engine)
    return engine


def _end_read_only_transactions_with_commit(engine: Engine) -> None:
    """A read-only transaction (a GET request's) ends with COMMIT where SQLAlchemy says ROLLBACK: the
    same for a transaction that cannot write, but psycopg forgets every statement it has prepared on
    the connection at each ROLLBACK, so every answer planned its statements again (availability,
    1,000 lines: ~4 ms of the database's CPU and ~1.5 ms of ours, bench/README.md). A transaction
    that failed still rolls back."""
    from psycopg.pq import TransactionStatus  # the driver's own: imported for its engines only

    rollback = engine.dialect.do_rollback

    def do_rollback(pooled: Any) -> None:
        driver = pooled.dbapi_connection
        if driver.read_only and driver.info.transaction_status == TransactionStatus.INTRANS:
            driver.commit()
        else:
            rollback(pooled)

    engine.dialect.do_rollback = do_rollback  # type: ignore[method-assign]


def _serialize_sqlite_writers(engine: Engine, *, busy_ms: int) -> None:
    """SQLite has no row locks; taking its write lock at BEGIN makes writers queue instead.
    Readers begin a plain (deferred) transaction: in WAL mode that is a snapshot of the last commit,
    which never waits for a writer, and `query_only` makes it refuse to write."""

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy, not pysqlite, emits BEGIN
        pragmas = ["foreign_keys = ON", f"busy_timeout = {busy_ms}", "query_only = OFF"]
        if engine.url.database not in (None, "", ":memory:"):
            pragmas.append("journal_mode = WAL")
        for pragma in pragmas:
            dbapi_connection.execute(f"PRAGMA {pragma}")
        record.info["openvmi_pragmas"] = {"busy_timeout": busy_ms, "query_only": 0}

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        options = connection.get_execution_options()
        reading = bool(options.get(READ_ONLY))
        deferred = reading or bool(options.get(AFTER_COMMIT))
        wanted = {"busy_timeout": 0 if options.get(NO_WAIT) else busy_ms, "query_only": int(reading)}
        current = connection.connection.info.setdefault("openvmi_pragmas", {})
        for name, value in wanted.items():
            if current.get(name) != value:  # a pooled connection keeps them: set only what changes
                connection.connection.dbapi_connection.execute(f"PRAGMA {name} = {value}")
                current[name] = value
        connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


def create_session_factory(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """Sessions that write (the default: every job, command and unsafe HTTP method), or read-only
    ones for safe HTTP methods. A read-only session refuses ORM writes, and its transaction is
    read-only in the database too: PostgreSQL's READ ONLY, SQLite's deferred BEGIN with query_only."""
    if not read_only:
        return sessionmaker(bind=engine, class_=WriterSession, expire_on_commit=False)
    options: dict[str, Any] = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["postgresql_readonly"] = True
    return sessionmaker(bind=engine, expire_on_commit=False, info={READ_ONLY: True}, execution_options=options)


class WriterSession(Session):
    """A session that writes. Once it has committed it reads (one use case, one commit: a route reads its
    answer after its commit), so on SQLite its next transaction begins deferred, a snapshot that holds no
    lock, instead of taking the write lock again and keeping it until the session closes: in a web request
    that is after hops to the event loop and to another worker thread for the answer, and every writer of
    every process queued behind it until their busy timeout ran out ("database is locked", a 503). Should
    it write again, it takes the lock at that write, or is refused as busy when another writer has committed
    since it read: it never writes from a stale snapshot."""

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        bind = super().get_bind(*args, **kwargs)
        if not self.info.get(AFTER_COMMIT) or bind.dialect.name != "sqlite":
            return bind
        if bind not in self._reads_binds:  # one per bind: a session keeps a connection per bind object
            self._reads_binds[bind] = bind.execution_options(**{AFTER_COMMIT: True})
        return self._reads_binds[bind]

    @property
    def _reads_binds(self) -> dict[Any, Any]:
        return self.info.setdefault("openvmi_reads_binds", {})


@event.listens_for(WriterSession, "after_commit")
def _reads_from_now_on(session: Session) -> None:
    if session.get_nested_transaction() is None:  # the use case's commit, not a savepoint's release
        session.info[AFTER_COMMIT] = True


def begin_without_waiting(session: Session) -> None:
    """Begin `session`'s transaction so that on SQLite it fails at once ("busy") instead of waiting
    for another writer: for writes that may as well be skipped, such as a token's last use."""
    session.connection(execution_options={NO_WAIT: True})


@event.listens_for(Session, "before_flush")
def _refuse_flush_when_read_only(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get(READ_ONLY) and (
            session.new or session.deleted or any(session.is_modified(row) for row in session.dirty)):
        raise ReadOnlySession(_READ_ONLY_REFUSAL)


@event.listens_for(Session, "do_orm_execute")
def _refuse_statements_when_read_only(state: ORMExecuteState) -> None:
    if state.session.info.get(READ_ONLY) and (state.is_insert or state.is_update or state.is_delete):
        raise ReadOnlySession(_READ_ONLY_REFUSAL)


_READ_ONLY_REFUSAL = "a read-only session may not write; writes belong to an unsafe HTTP method"


@contextmanager
def sqlite_page_cache(session: Session, *, mib: int) -> Iterator[None]:
    """On SQLite, a page cache of `mib` MiB for `session`'s connection during the block, then its own size
    again: for one statement that writes a million rows. SQLite's default (2 MiB) holds less than such an
    INSERT keeps touching (a leaf of the statement index per draft, 1,000 of them in the bench), so it spills
    pages to the WAL and reads them back. Only for the block: every pooled connection may grow to its cache size."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    connection = session.connection()
    previous = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
    connection.exec_driver_sql(f"PRAGMA cache_size = {-mib * 1024}")  # negative: KiB rather than pages
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(previous)}")


def without_statement_timeout(session: Session) -> None:
    """Lift the statement timeout for the rest of `session`'s transaction (PostgreSQL), for a job
    whose statements may run long on purpose: a queued import of millions of rows."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL statement_timeout = 0"))


def database_failure(error: BaseException) -> str | None:
    """What `error` says about the database: "busy" when it is there but did not serve in time
    (SQLite's write lock held too long by another writer, a statement or the connection pool timed
    out), "unreachable" when it cannot be reached or went away; None for any other error, which is
    a bug or bad data rather than the database's state."""
    if isinstance(error, sqlalchemy_exc.TimeoutError):  # no pooled connection came free in time
        return "busy"
    if not isinstance(error, sqlalchemy_exc.DBAPIError):
        return None
    original = error.orig
    sqlite_code = getattr(original, "sqlite_errorcode", None)
    if sqlite_code is not None:
        return {_SQLITE_BUSY: "busy", _SQLITE_LOCKED: "busy", _SQLITE_CANTOPEN: "unreachable"}.get(sqlite_code & 0xFF)
    sqlstate = getattr(original, "sqlstate", None) or ""
    if sqlstate in _PG_BUSY:
        return "busy"
    if error.connection_invalidated or sqlstate[:2] in _PG_UNREACHABLE or (
            not sqlstate and isinstance(error, sqlalchemy_exc.OperationalError)):  # refused, timed out, lost
        return "unreachable"
    return None


_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_CANTOPEN = 5, 6, 14
_PG_BUSY = {"57014", "55P03", "53300"}  # statement timeout, lock timeout, too many connections
_PG_UNREACHABLE = {"08", "57"}  # connection exceptions; shutting down or starting up


@contextmanager
def commit_refusal(session: Session, *refusals: type[Exception]) -> Iterator[None]:
    """For an entrypoint whose use case records why it refused (a rejected stock file keeps its
    batch and error report): when the block raises one of `refusals`, commit that record, then
    re-raise. The use case has already rolled back everything else it did; any other error
    propagates with nothing committed."""
    try:
        yield
    except refusals:
        session.commit()
        raise


def get_by_id(session: Session, model: type[Base], row_id: int, *, label: str) -> Any:
    """Load one row through a SELECT, so the supplier boundary applies (Session.get may answer
    from the identity map without asking the database)."""
    from sqlalchemy import select

    from openvmi.errors import NotFound

    row = session.scalars(select(model).where(model.id == row_id)).first()  # type: ignore[attr-defined]
    if row is None:
        raise NotFound(f"no such {label}: {row_id}")
    return row


def add_unique(session: Session, row: Base, *, conflict: str) -> None:
    """Insert `row`, answering Conflict(conflict) when a concurrent request inserted the same
    unique key first: a service's own duplicate check cannot see another's uncommitted row, and
    the loser would otherwise get a raw IntegrityError (HTTP 500). The savepoint keeps the
    caller's transaction usable; violations of other constraints are not this helper's to hide."""
    from sqlalchemy.exc import IntegrityError

    from openvmi.errors import Conflict

    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as error:
        if getattr(error.orig, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(error.orig):
            raise Conflict(conflict) from error
        raise


class KeyedRequest:
    """Columns of a document made by a request that may carry an Idempotency-Key: the caller's own key
    scope (`Actor.caller_key`), the key, and the request's hash, so a retry finds the first answer.
    The table adds `UniqueConstraint("caller_key", "idempotency_key")`."""

    caller_key: Mapped[str] = mapped_column(String(60))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))


def first_answer(found: Any, request_hash: str, *, label: str) -> Any:
    """The document an Idempotency-Key already made (None: none yet); the same key with another
    request is refused."""
    from openvmi.errors import IdempotencyMismatch

    if found is not None and found.request_hash != request_hash:
        raise IdempotencyMismatch(f"this Idempotency-Key was used for another {label}")
    return found


def add_keyed(session: Session, row: Base, *, replay: Callable[[], Any]) -> Any:
    """Insert `row` (a KeyedRequest); when the same key was sent twice at once, the second waits on the
    unique key and gets what `replay` finds (the first answer) instead: None when inserted."""
    from sqlalchemy.exc import IntegrityError

    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        found = replay()
        if found is None:
            raise
        return found
    return None
