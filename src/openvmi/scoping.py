"""The supplier boundary: a supplier user's session reads and writes only its own supplier's rows.

This is the single mechanism for the product's most important security property. A model that
belongs to suppliers mixes in `SupplierScoped`; once `scope_to_supplier(session, id)` is called,
every ORM SELECT/UPDATE/DELETE on the session gets the model's criterion added, and every flush
refuses a row that would belong to another supplier. Routes never filter by hand.
"""
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import ColumnElement, Executable, Row, event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from openvmi.errors import PermissionDenied

_SCOPE_KEY = "openvmi.supplier_scope"


class SupplierScoped:
    """A row owned by (or naming) suppliers."""

    @classmethod
    def supplier_criterion(cls, supplier_id: int) -> ColumnElement[bool]:
        """SQL condition: the row is visible to `supplier_id`."""
        raise NotImplementedError

    def writable_by(self, supplier_id: int) -> bool:
        """Python condition: `supplier_id` may create or change this row."""
        raise NotImplementedError


class OwnedBySupplier(SupplierScoped):
    """A row with its own `supplier_id` column: that supplier sees it and may write it."""

    @classmethod
    def supplier_criterion(cls, supplier_id: int) -> ColumnElement[bool]:
        return cls.supplier_id == supplier_id  # type: ignore[attr-defined, no-any-return]

    def writable_by(self, supplier_id: int) -> bool:
        return self.supplier_id == supplier_id  # type: ignore[attr-defined, no-any-return]


def scope_to_supplier(session: Session, supplier_id: int | None) -> None:
    """From now on the session sees only `supplier_id`'s rows (None: no restriction)."""
    session.info[_SCOPE_KEY] = supplier_id


def current_supplier_scope(session: Session) -> int | None:
    return session.info.get(_SCOPE_KEY)


def select_rows(session: Session, statement: Executable,
                parameters: dict[str, Any] | None = None) -> Sequence[Row[Any]]:
    """Every row of a column SELECT, with the session's supplier criteria if it has any. Without a
    scope there are none to add, so the statement skips the ORM execution layer: on reads of thousands
    of rows that layer cost more than the database (bench/README.md). All rows at once: a Core result
    iterated row by row calls the driver's fetchone for each."""
    if current_supplier_scope(session) is None:
        if session.autoflush and (session.new or session.dirty or session.deleted):
            session.flush()  # as the ORM's autoflush would: a read sees the session's own changes
        return session.connection().execute(statement, parameters).all()
    return session.execute(statement, parameters).all()


@contextmanager
def unscoped(session: Session) -> Iterator[None]:
    """Lift the boundary for a system step (e.g. recording an alert for the buyer). Use rarely."""
    saved = session.info.get(_SCOPE_KEY)
    session.info[_SCOPE_KEY] = None
    try:
        yield
    finally:
        session.info[_SCOPE_KEY] = saved


def _scoped_models(session: Session) -> list[type[SupplierScoped]]:
    from openvmi.db import Base

    return [m.class_ for m in Base.registry.mappers if issubclass(m.class_, SupplierScoped)]


@event.listens_for(Session, "do_orm_execute")
def _add_supplier_criteria(state: ORMExecuteState) -> None:
    supplier_id = state.session.info.get(_SCOPE_KEY)
    if supplier_id is None or state.is_column_load or state.is_relationship_load:
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    options = [
        with_loader_criteria(model, model.supplier_criterion(supplier_id), include_aliases=True)
        for model in _scoped_models(state.session)
    ]
    state.statement = state.statement.options(*options)


@event.listens_for(Session, "before_flush")
def _refuse_foreign_writes(session: Session, _context: Any, _instances: Any) -> None:
    supplier_id = session.info.get(_SCOPE_KEY)
    if supplier_id is None:
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, SupplierScoped) and not obj.writable_by(supplier_id):
            raise PermissionDenied(f"{type(obj).__name__} belongs to another supplier")
