"""Keyset pagination: an opaque cursor is the last id seen, so pages stay stable under inserts."""
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from openvmi.errors import FieldError, InvalidInput
from openvmi.limits import counter

T = TypeVar("T")
MAX_PAGE = 500


def decode_cursor(cursor: str | None) -> int | None:
    if cursor is None or cursor == "":
        return None
    after = counter(cursor)
    if after is None:
        raise InvalidInput([FieldError("cursor", "not a cursor returned by this API")])
    return after


def fetch_page(session: Session, statement: Select[Any], id_column: InstrumentedAttribute[int], *,
               cursor: str | None, limit: int, descending: bool = False) -> tuple[Sequence[Any], str | None]:
    """One page of `statement` ordered by id, and the cursor of the next page (None at the end)."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput([FieldError("limit", f"must be between 1 and {MAX_PAGE}")])
    after = decode_cursor(cursor)
    if after is not None:
        statement = statement.where(id_column < after if descending else id_column > after)
    statement = statement.order_by(id_column.desc() if descending else id_column).limit(limit + 1)
    rows = session.scalars(statement).all()
    next_cursor = str(rows[limit - 1].id) if len(rows) > limit else None
    return rows[:limit], next_cursor


def where_given(statement: Select[Any], *conditions: tuple[Any, Any]) -> Select[Any]:
    """Add `column == value` for every (column, value) pair whose value was given (not None):
    the optional equality filters every list endpoint takes."""
    for column, value in conditions:
        if value is not None:
            statement = statement.where(column == value)
    return statement
