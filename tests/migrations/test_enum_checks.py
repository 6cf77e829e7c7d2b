"""Every list of kinds or states lives in one enum; the CHECK constraints the migrations built must
allow exactly its values, on both databases (a new member without a migration fails here)."""
import re

import pytest
from sqlalchemy import CheckConstraint, text

import openvmi.models  # noqa: F401 - every table on Base.metadata
from openvmi.db import Base, create_db_engine

BACKENDS = ["sqlite_file", "postgres"]


def enum_checks() -> list[tuple[str, str, type]]:
    """(table, constraint name, enum) for every CHECK made by db.one_of."""
    found = []
    for table in Base.metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint, CheckConstraint) and "enum" in constraint.info:
                found.append((table.name, str(constraint.name), constraint.info["enum"]))
    return sorted(found, key=lambda found_check: found_check[:2])


def deployed_check(connection, table: str, name: str) -> str:
    if connection.dialect.name == "postgresql":
        return connection.execute(text(
            "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
            " WHERE t.relname = :table AND c.conname = :name"), {"table": table, "name": name}).scalar_one()
    create = connection.execute(text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :table"),
                                {"table": table}).scalar_one()
    found = re.search(rf"CONSTRAINT {re.escape(name)} CHECK \((.*?)\)(?:,|\s*\)$|\s*CONSTRAINT)", create, re.S)
    assert found, f"{table} has no CHECK named {name}"
    return found.group(1)


def test_the_enum_backed_checks_are_found():
    tables = {table for table, _, _ in enum_checks()}
    assert {"location", "stock_move", "alert", "outbox_message", "supplier_stock_import"} <= tables


@pytest.mark.parametrize("fresh_database", BACKENDS, indirect=True)
def test_each_deployed_check_allows_exactly_its_enum(fresh_database):
    engine = create_db_engine(fresh_database)
    with engine.connect() as connection:
        deployed = {(table, name): set(re.findall(r"'([^']*)'", deployed_check(connection, table, name)))
                    for table, name, _ in enum_checks()}
    engine.dispose()

    assert deployed == {(table, name): {kind.value for kind in kinds} for table, name, kinds in enum_checks()}
