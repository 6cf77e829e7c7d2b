"""Migrations: they build the schema from nothing, tear it down again, and match the models exactly."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import openvmi.models  # noqa: F401 - every table on Base.metadata
from openvmi import migrations
from openvmi.db import Base, create_db_engine

BACKENDS = ["sqlite_file", "postgres"]


def table_names(url: str) -> set[str]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


@pytest.mark.parametrize("empty_database", BACKENDS, indirect=True)
def test_upgrade_downgrade_upgrade_round_trips(empty_database):
    migrations.upgrade(empty_database)
    assert table_names(empty_database) == set(Base.metadata.tables)

    migrations.downgrade(empty_database, "base")
    assert table_names(empty_database) == set()

    migrations.upgrade(empty_database)
    assert table_names(empty_database) == set(Base.metadata.tables)
    engine = create_db_engine(empty_database)
    with engine.connect() as connection:
        assert migrations.current_revision(connection) == migrations.head_revision()
    engine.dispose()


@pytest.mark.parametrize("fresh_database", BACKENDS, indirect=True)
def test_the_models_match_the_migrations(fresh_database):
    engine = create_db_engine(fresh_database)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()

    assert differences == []


def test_there_is_one_head():
    from alembic.script import ScriptDirectory

    assert len(ScriptDirectory(str(migrations.HERE)).get_heads()) == 1
