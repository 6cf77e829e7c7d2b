"""Read-only transactions on PostgreSQL end without making psycopg forget its prepared statements,
and a failed one still rolls back."""
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from openvmi.catalog.models import Item
from openvmi.db import create_db_engine, create_session_factory

pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # psycopg's prepared statements


@pytest.fixture
def reads(database_url):
    engine = create_db_engine(database_url, pool_size=1, max_overflow=0)
    yield create_session_factory(engine, read_only=True)
    engine.dispose()


def test_a_statement_read_again_and_again_is_planned_once(reads):
    # given a statement read in six requests, one after the other, on one pooled connection
    for _ in range(6):  # psycopg prepares a statement the fifth time it runs
        with reads() as session:
            session.execute(select(Item.id).where(Item.id == 1)).all()

    # then the connection still holds it, prepared
    with reads() as session:
        prepared = session.execute(text("SELECT statement FROM pg_prepared_statements")).scalars().all()
    assert any("FROM item" in statement for statement in prepared)


def test_a_failed_read_still_rolls_back_and_the_connection_reads_on(reads):
    with reads() as session:
        with pytest.raises(DBAPIError):
            session.execute(text("SELECT 1 / 0"))

    with reads() as session:
        assert session.execute(text("SELECT 1")).scalar() == 1
