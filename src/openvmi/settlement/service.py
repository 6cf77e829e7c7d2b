"""Writing settlement lines: the one place that inserts them. Caller commits, in the transaction
of the posting whose moves the lines settle (docs/decisions.md, Settlement lines)."""
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from openvmi.settlement.models import SettlementLine

# Built once, executed with a list of rows (insertmanyvalues): ids come back in the rows' order.
_INSERT = insert(SettlementLine.__table__).returning(SettlementLine.__table__.c.id, sort_by_parameter_order=True)


def record_lines(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert the lines built by `settlement.rules.owed_row` / `returned_row`; their ids in order.

    A plain Core INSERT, as the ledger's writer: the unit of work would cost more than the write.
    A second line for one move breaks the unique `move_id` and rolls the posting back with it.
    """
    if not rows:
        return []
    return list(session.connection().execute(_INSERT, list(rows)).scalars())
