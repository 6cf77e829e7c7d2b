"""Engine and session factories, column types and the one place transactions begin."""
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Engine, MetaData, Numeric, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
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


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _serialize_sqlite_writers(engine)
    return engine


def _serialize_sqlite_writers(engine: Engine) -> None:
    """SQLite has no row locks; taking its write lock at BEGIN makes writers queue instead."""

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy, not pysqlite, emits BEGIN
        pragmas = ["foreign_keys = ON", "busy_timeout = 30000"]
        if engine.url.database not in (None, "", ":memory:"):
            pragmas.append("journal_mode = WAL")
        for pragma in pragmas:
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


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
