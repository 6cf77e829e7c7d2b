"""The lock every plan publication takes first, so versions are numbered in the order they commit."""
from sqlalchemy import text
from sqlalchemy.orm import Session

_PUBLICATION_LOCK = 160_003  # any constant, the same in every process; only plan publications use it


def lock_publications(session: Session) -> None:
    """Publications queue here until the previous one commits (PostgreSQL: a transaction-scoped
    advisory lock, as there is no row to lock before the first version; SQLite's BEGIN IMMEDIATE
    already lets one writer in at a time)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PUBLICATION_LOCK})
