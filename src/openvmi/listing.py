"""Browsing lists for people: search, sort by a named column, numbered pages, export everything.

The API pages by keyset cursor (openvmi.pagination); people sort by any column and jump to page
7, so portal lists use offset pages over a whitelisted ORDER BY with the id as tie-breaker.
"""
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

PER_PAGE_CHOICES = (25, 50, 100)
EXPORT_LIMIT = 100_000  # an export is one spreadsheet; more than this belongs in the API


@dataclass(frozen=True)
class ListRequest:
    search: str | None = None
    sort: str | None = None
    descending: bool = False
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class ListPage:
    rows: Sequence[Any]
    total: int
    page: int
    per_page: int
    sort: str
    descending: bool

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first_index(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)


def ordered(statement: Select[Any], request: ListRequest, *, sort_columns: Mapping[str, ColumnElement[Any]],
            default_sort: str, tie_breaker: ColumnElement[Any]) -> tuple[Select[Any], str]:
    """`statement` ordered by the requested column (unknown names fall back to the default)."""
    sort = request.sort if request.sort in sort_columns else default_sort
    column = sort_columns[sort]
    direction = column.desc() if request.descending else column.asc()
    tie = tie_breaker.desc() if request.descending else tie_breaker.asc()
    return statement.order_by(direction, tie), sort


def fetch_list_page(session: Session, statement: Select[Any], request: ListRequest, *,
                    sort_columns: Mapping[str, ColumnElement[Any]], default_sort: str,
                    tie_breaker: ColumnElement[Any]) -> ListPage:
    """One numbered page of `statement`, plus the total count for the pager."""
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    per_page = request.per_page if request.per_page in PER_PAGE_CHOICES else PER_PAGE_CHOICES[1]
    pages = max(1, -(-total // per_page))
    page = min(max(1, request.page), pages)
    statement, sort = ordered(statement, request, sort_columns=sort_columns, default_sort=default_sort,
                              tie_breaker=tie_breaker)
    rows = session.execute(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return ListPage(rows=[_unwrap(r) for r in rows], total=total, page=page, per_page=per_page, sort=sort,
                    descending=request.descending)


def fetch_all(session: Session, statement: Select[Any], request: ListRequest, *,
              sort_columns: Mapping[str, ColumnElement[Any]], default_sort: str,
              tie_breaker: ColumnElement[Any]) -> list[Any]:
    """Every row the list shows (for exports), in the same order, up to EXPORT_LIMIT."""
    statement, _ = ordered(statement, request, sort_columns=sort_columns, default_sort=default_sort,
                           tie_breaker=tie_breaker)
    return [_unwrap(r) for r in session.execute(statement.limit(EXPORT_LIMIT)).all()]


def like_pattern(search: str) -> str:
    """A case-insensitive LIKE pattern that treats % and _ typed by the user literally."""
    escaped = search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _unwrap(row: Any) -> Any:
    # A single selected entity comes back as a 1-tuple row; templates want the entity itself.
    return row[0] if len(row) == 1 else row
