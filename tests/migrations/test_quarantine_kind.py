"""The quarantine kind's migration runs both ways on a database that already holds stock."""
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from openvmi import migrations
from openvmi.db import create_db_engine
from openvmi.ledger.models import ReceiptLayer, StockBalance
from openvmi.ledger.queries import balance_mismatches
from tests.builders import make_buyer, make_item, make_location, receive

BACKENDS = ["sqlite_file", "postgres"]
QUARANTINE_REVISION = "4f0c1d2e9a3b"


def revision_before_quarantine() -> str:
    return ScriptDirectory(str(migrations.HERE)).get_revision(QUARANTINE_REVISION).down_revision


def stock_rows(url: str) -> tuple[int, int]:
    engine = create_db_engine(url)
    with Session(engine) as session:
        counts = (session.scalar(select(func.count()).select_from(StockBalance)),
                  session.scalar(select(func.count()).select_from(ReceiptLayer)))
    engine.dispose()
    return counts


@pytest.mark.parametrize("fresh_database", BACKENDS, indirect=True)
def test_the_kind_comes_and_goes_with_stock_in_place(fresh_database):
    # given stock in a warehouse: rows in other tables refer to the location table the migration rebuilds
    engine = create_db_engine(fresh_database)
    with Session(engine) as session:
        receive(session, item=make_item(session), location=make_location(session, kind="warehouse"),
                owner=make_buyer(session), quantity=5)
        session.commit()
    engine.dispose()
    before = stock_rows(fresh_database)

    # when the kind is taken away and given back
    migrations.downgrade(fresh_database, revision_before_quarantine())
    migrations.upgrade(fresh_database)

    # then every row and reference survived, and a quarantine place can be added
    assert stock_rows(fresh_database) == before
    engine = create_db_engine(fresh_database)
    with Session(engine) as session:
        assert balance_mismatches(session) == []
        make_location(session, kind="quarantine")
        session.commit()
        if engine.dialect.name == "sqlite":
            assert session.execute(text("PRAGMA foreign_key_check")).all() == []
    engine.dispose()

    # and while one exists, going back is refused rather than guessing another kind for it
    with pytest.raises(RuntimeError, match="quarantine location"):
        migrations.downgrade(fresh_database, revision_before_quarantine())
