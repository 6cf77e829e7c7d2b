"""Items that exist before natural sorting get their sort key from the same rule as new ones."""
import pytest
from sqlalchemy import text

from openvmi import migrations
from openvmi.db import create_db_engine

BEFORE_SORT_KEY = "7a4f2c9e1d05"


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_existing_items_sort_naturally_after_the_upgrade(fresh_database):
    migrations.downgrade(fresh_database, BEFORE_SORT_KEY)
    engine = create_db_engine(fresh_database)
    with engine.begin() as connection:
        for code in ("M10X60", "M10X8", "M8X100"):
            connection.execute(text("INSERT INTO item (code, name, unit, active, created_at) "
                                    "VALUES (:code, 'bolt', 'PCS', :active, CURRENT_TIMESTAMP)"),
                               {"code": code, "active": True})

    migrations.upgrade(fresh_database)

    with engine.connect() as connection:
        codes = connection.scalars(text("SELECT code FROM item ORDER BY code_sort_key")).all()
    engine.dispose()
    assert codes == ["M8X100", "M10X8", "M10X60"]
