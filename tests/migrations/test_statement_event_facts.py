"""Statement history written by earlier versions in English ("2 line(s)", "line 7: ...") becomes
numbers the page words in the reader's language, and goes back to the English notes on downgrade."""
from datetime import date
from decimal import Decimal

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.orm import Session

from openvmi import migrations
from openvmi.db import create_db_engine
from tests.service.settlement.test_statements import MAY_31, generate
from tests.settlement_world import consume, finance, make_consignment

FACTS = "4a7e2c9b5d18"
EVENT = "SELECT line_count, line_id, note FROM settlement_statement_event"


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_english_notes_become_numbers_and_come_back(fresh_database):
    engine = create_db_engine(fresh_database)
    with Session(engine) as session:
        world = make_consignment(session)
        [line] = consume(session, world, [Decimal(2)], unit_price=Decimal("1.50"), day=date(2026, 5, 5))
        generate(session, finance(session), MAY_31)
        session.commit()
    before = ScriptDirectory(str(migrations.HERE)).get_revision(FACTS).down_revision

    migrations.downgrade(fresh_database, before)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT note FROM settlement_statement_event")).scalars().all() == ["1 line(s)"]
    migrations.upgrade(fresh_database)
    with engine.begin() as connection:
        assert connection.execute(text(EVENT)).all() == [(1, None, None)]

    # a credit's event as the earlier version wrote it: the line, then what finance typed
    migrations.downgrade(fresh_database, before)
    with engine.begin() as connection:
        connection.execute(text("UPDATE settlement_statement_event SET note = :note"),
                           {"note": f"line {line}: price was wrong"})
    migrations.upgrade(fresh_database)
    with engine.begin() as connection:
        assert connection.execute(text(EVENT)).all() == [(None, line, "price was wrong")]
    engine.dispose()
