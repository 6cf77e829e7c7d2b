"""Row locks of the inbound flow: call-off lines while shipping, the shipment while receiving or closing.

PostgreSQL: SELECT ... FOR UPDATE in id order, so concurrent writers queue instead of deadlocking.
SQLite renders no FOR UPDATE; there every write transaction begins IMMEDIATE (db.create_db_engine)
and writers already run one at a time.
"""
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from openvmi.vmi.call_offs.models import CallOffLine
from openvmi.vmi.shipments.models import Shipment


def lock_call_off_lines(session: Session, line_ids: Collection[int]) -> dict[int, CallOffLine]:
    """The call-off lines the caller may see among `line_ids`, locked, read fresh."""
    rows = session.scalars(select(CallOffLine).where(CallOffLine.id.in_(sorted(set(line_ids))))
                           .order_by(CallOffLine.id).with_for_update().execution_options(populate_existing=True))
    return {row.id: row for row in rows}


def lock_shipment(session: Session, *, number: str | None = None, shipment_id: int | None = None) -> Shipment | None:
    """The shipment by number or id, locked and read fresh: the second of two clerks waits here and
    then sees the first one's receipt."""
    statement = select(Shipment).with_for_update().execution_options(populate_existing=True)
    statement = statement.where(Shipment.number == number) if number is not None else \
        statement.where(Shipment.id == shipment_id)
    return session.scalars(statement).first()
