"""Alembic environment: the models' metadata, batch mode for SQLite's limited ALTER TABLE."""
from typing import Any

from alembic import context
from sqlalchemy import Connection, text

import openvmi.models  # noqa: F401 - registers every table on Base.metadata
from openvmi.db import Base, create_db_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        engine = create_db_engine(config.get_main_option("sqlalchemy.url"))
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connectable)


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode copies a table and drops the old one, which SQLite refuses while foreign keys
        # are on and other rows refer to it. The pragma only changes outside a transaction, so it
        # is set before Alembic begins; each step's references are checked before it commits.
        _sqlite_foreign_keys(connection, "OFF")
    try:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=sqlite,
                          compare_type=True, on_version_apply=_refuse_broken_references if sqlite else ())
        with context.begin_transaction():
            context.run_migrations()
    finally:
        if sqlite:
            connection.rollback()  # the pragma needs no open transaction (a failed step leaves one)
            _sqlite_foreign_keys(connection, "ON")


def _sqlite_foreign_keys(connection: Connection, state: str) -> None:
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys = {state}")


def _refuse_broken_references(*, ctx: Any, step: Any, **_: Any) -> None:
    broken = ctx.connection.execute(text("PRAGMA foreign_key_check")).all()
    if broken:
        raise RuntimeError(f"migration {step} would leave rows pointing at nothing: {broken[:5]}")


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `openvmi db upgrade`")
run_migrations_online()
