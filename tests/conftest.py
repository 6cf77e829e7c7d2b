"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL tests use a throw-away database on 127.0.0.1:5432 (OPENVMI_TEST_PG_URL overrides).
Outside CI they skip with the reason when the server is unreachable; under CI=true they fail.
"""
import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import DBAPIError, PendingRollbackError
from sqlalchemy.orm import Session

from openvmi import migrations
from openvmi.db import create_db_engine
from openvmi.ledger.queries import invariant_violations
from openvmi.vmi.consumptions.queries import line_link_violations

if TYPE_CHECKING:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

# The app refuses the default secret key with any database but the embedded default; tests use
# their own databases (tests of that refusal pass the default key explicitly).
os.environ.setdefault("OPENVMI_SECRET_KEY", "test-secret-key-not-for-production")
PG_ADMIN_URL = os.environ.get("OPENVMI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """argon2id at production cost takes ~0.2 s a hash and dominated the suite; tests use the
    cheapest parameters of the same algorithm (a hash records its own parameters)."""
    from argon2 import PasswordHasher

    from openvmi.auth import security

    production = security._hasher
    security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    security._hasher = production


@pytest.fixture(scope="session", autouse=True)
def no_name_lookups() -> Iterator[None]:
    """Webhook targets are checked by resolving their host name; tests never ask a DNS server (IP
    addresses need none). Here no name resolves; tests about names give the check their own resolver."""
    import socket

    from openvmi.alerts import targets

    def no_names(host: str, port: int) -> list:
        raise socket.gaierror(socket.EAI_NONAME, f"tests do not resolve names ({host})")

    system = targets.resolve
    targets.resolve = no_names
    yield
    targets.resolve = system


def postgres_unavailable_reason() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # noqa: BLE001 - any failure means "no server here"
        return f"PostgreSQL unreachable at {PG_ADMIN_URL}: {type(error).__name__}"
    return None


def require_postgres() -> None:
    reason = postgres_unavailable_reason()
    if reason is None:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: PostgreSQL tests may not be skipped)")
    pytest.skip(reason)


def create_pg_database(prefix: str = "openvmi_test", *, template: str | None = None) -> str:
    """A fresh PostgreSQL database, empty or a copy of the database at URL `template`; its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    copy = f' TEMPLATE "{template.rsplit("/", 1)[1]}"' if template else ""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def migrated_databases() -> Iterator[dict[str, str]]:
    """Each backend's test database, migrated once per worker. pytest tears a parametrized session
    fixture down whenever the next test uses the other backend, which re-migrated per file."""
    urls: dict[str, str] = {}
    yield urls
    if "postgres" in urls:
        drop_pg_database(urls["postgres"])


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                 migrated_databases: dict[str, str]) -> str:
    """A migrated, empty database on each backend, shared by the session's tests."""
    if request.param not in migrated_databases:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'openvmi.db'}"
        else:
            require_postgres()
            url = create_pg_database()
        migrations.upgrade(url)
        migrated_databases[request.param] = url
    return migrated_databases[request.param]


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    """A session whose commits only release savepoints; the test's writes vanish afterwards.

    After the test, before anything is rolled back, the ledger's invariants are checked on all it
    left behind, committed or not: balances equal their moves, physical stock is never negative
    and lies in FIFO layers, consumption lines copy their move and settlement line.
    """
    with Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False) as session:
        yield session
        session.info.clear()  # no supplier scope: the check sees every row
        assert ledger_problems(session) == []
        session.rollback()


def ledger_problems(session: Session) -> list[str]:
    """The invariant violations in what the test left; a transaction the test left failed is
    rolled back first (nothing it wrote after the failure can stand)."""
    try:
        session.flush()
        return invariant_violations(session) + line_link_violations(session)
    except (DBAPIError, PendingRollbackError):
        session.rollback()
        return invariant_violations(session) + line_link_violations(session)


@pytest.fixture
def backend(database_url: str) -> str:
    return "postgres" if database_url.startswith("postgresql") else "sqlite"


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Per worker, one database of each kind migrated to head, copied for each `fresh_database`:
    migrating takes seconds, a copy milliseconds (the migrations' own tests migrate for real)."""
    templates = {"sqlite_dir": str(tmp_path_factory.mktemp("templates"))}
    yield templates
    if "postgres" in templates:
        drop_pg_database(templates["postgres"])


def migrated_copy(kind: str, templates: dict[str, str], path: Path) -> str:
    """A new database of `kind` ("sqlite_file" or "postgres") at head, copied from the worker's template."""
    if kind not in templates:
        if kind == "sqlite_file":
            templates[kind] = f"sqlite:///{Path(templates['sqlite_dir']) / 'openvmi.db'}"
        else:
            templates[kind] = create_pg_database("openvmi_template")
        migrations.upgrade(templates[kind])  # disposes its engine: nobody stays connected to the template
    if kind == "sqlite_file":
        url = f"sqlite:///{path}"
        with sqlite3.connect(templates[kind].removeprefix("sqlite:///")) as source, sqlite3.connect(path) as target:
            source.backup(target)
        return url
    return create_pg_database("openvmi_fresh", template=templates[kind])


@pytest.fixture
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path, migrated_templates: dict[str, str]) -> Iterator[str]:
    """An empty, migrated database of its own, for tests that commit for real (concurrency,
    migrations). Parametrize with indirect=True: "sqlite_file" or "postgres"."""
    kind = getattr(request, "param", "sqlite_file")
    if kind == "postgres":
        require_postgres()
    url = migrated_copy(kind, migrated_templates, tmp_path / "openvmi.db")
    yield url
    if kind == "postgres":
        drop_pg_database(url)


@pytest.fixture
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all (not migrated). Parametrize with indirect=True:
    "sqlite_file" or "postgres"."""
    kind = getattr(request, "param", "sqlite_file")
    if kind == "sqlite_file":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        require_postgres()
        url = create_pg_database("openvmi_empty")
        yield url
        drop_pg_database(url)


@pytest.fixture
def app_settings() -> dict[str, object]:
    """Settings of api_app beyond its defaults; a test module overrides this fixture to change them."""
    return {}


@pytest.fixture
def api_app(connection: Connection, database_url: str, tmp_path: Path,
            app_settings: dict[str, object]) -> Iterator["FastAPI"]:
    """The real app whose requests run inside the test's rolled-back transaction: a request's
    commit only releases a savepoint, so the test can look at what it wrote and nothing leaks.
    Queued imports run only when a test calls app.state.import_runner.run_pending()."""
    from tests.builders import make_app

    app = make_app(connection, database_url, storage=tmp_path / "imports", **app_settings)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def api_client(api_app: "FastAPI") -> Iterator["TestClient"]:
    """A TestClient that answers unexpected errors with the app's 500 instead of re-raising them."""
    from fastapi.testclient import TestClient

    with TestClient(api_app, raise_server_exceptions=False) as client:
        yield client
