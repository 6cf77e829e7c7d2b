"""Which statement each line is on moves from the line's own column to settlement_statement_line on
upgrade and back on downgrade; lines on no statement stay on none."""
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

LINKS = "b61e4d0c8a27"


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_each_line_keeps_its_statement_both_ways(fresh_database):
    engine = create_db_engine(fresh_database)
    with Session(engine) as session:
        world = make_consignment(session)
        may = consume(session, world, [Decimal(2), Decimal(3)], unit_price=Decimal("1.50"), day=date(2026, 5, 5))
        [made] = generate(session, finance(session), MAY_31)
        june = consume(session, world, [Decimal(1)], unit_price=Decimal("1.50"), day=date(2026, 6, 2))
        session.commit()
    before = ScriptDirectory(str(migrations.HERE)).get_revision(LINKS).down_revision
    on = {line: made.statement_id for line in may} | {line: None for line in june}

    migrations.downgrade(fresh_database, before)
    with engine.begin() as connection:
        assert dict(connection.execute(text("SELECT id, statement_id FROM settlement_line")).all()) == on
    migrations.upgrade(fresh_database)
    with engine.begin() as connection:
        assert dict(connection.execute(text("SELECT line_id, statement_id FROM settlement_statement_line")).all()) == {
            line: statement for line, statement in on.items() if statement is not None}
        assert "statement_id" not in {column for column, in connection.execute(text(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'settlement_line'"
            if connection.dialect.name == "postgresql" else "SELECT name FROM pragma_table_info('settlement_line')"))}
    engine.dispose()
