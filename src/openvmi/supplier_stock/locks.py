"""The row lock every writer of one supplier's published stock takes first, so they queue."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from openvmi.parties.models import Party


def lock_supplier(session: Session, supplier_id: int) -> None:
    """Imports and line edits of one supplier queue here (PostgreSQL; SQLite has one writer)."""
    session.execute(select(Party.id).where(Party.id == supplier_id).with_for_update())
