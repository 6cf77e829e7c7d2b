"""Writes a posting's plan: the one place that inserts journal rows and changes balances and layers.

Plain Core INSERT/UPDATE statements built once, not the unit of work: the ORM's flush and
per-call statement building cost more client time than the database work (bench/README.md).
"""
import functools
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, Update, bindparam, case, insert, update
from sqlalchemy.dialects import postgresql, sqlite

from openvmi.ledger.models import LayerDraw, Posting, ReceiptLayer, StockBalance, StockMove
from openvmi.ledger.planner import Plan

POSTING, MOVE, BALANCE, LAYER, DRAW = (model.__table__ for model in (Posting, StockMove, StockBalance, ReceiptLayer,
                                                                     LayerDraw))


def insert_keyed_posting(connection: Connection, row: dict[str, Any]) -> int | None:
    """Insert a posting under its caller's idempotency key; None when the key is taken.

    A concurrent retry with the same key waits on the unique index until the first request
    commits, then inserts nothing: no savepoint is needed to recover from the clash.
    """
    return connection.execute(_INSERT_KEYED_POSTING[connection.dialect.name], row).scalar_one_or_none()


def write_plan(connection: Connection, plan: Plan, *, posting_id: int | None, new_posting: dict[str, Any] | None,
               now: Any) -> tuple[int, list[int]]:
    """Insert `new_posting` unless the posting exists (`posting_id`), journal the moves, set the
    balances and the drawn layers, open layers and record the draws. Returns the posting id and
    the move ids in line order. Every touched balance gets `updated_at`, even if it nets to zero."""
    if new_posting is not None:
        posting_id = connection.execute(_INSERT_POSTING, new_posting).scalar_one()
    for row in plan.moves:
        row["posting_id"] = posting_id
    move_ids = list(connection.execute(_INSERT_MOVES, plan.moves).scalars())
    _update_by_id(connection, BALANCE, "on_hand", plan.balances, updated_at=now)
    if plan.drawn:
        _update_by_id(connection, LAYER, "quantity_left", plan.drawn)
    opened_ids: list[int] = []
    if plan.opened:
        rows = [{**{name: value for name, value in layer.items() if name != "move_index"},
                 "move_id": move_ids[layer["move_index"]]} for layer in plan.opened]
        opened_ids = list(connection.execute(_INSERT_LAYERS, rows).scalars())
    if plan.draws:
        connection.execute(_INSERT_DRAWS, [
            {"move_id": move_ids[draw["move_index"]], "owner_id": draw["owner_id"], "quantity": draw["quantity"],
             "layer_id": draw["layer_id"] if draw["opened_index"] is None else opened_ids[draw["opened_index"]]}
            for draw in plan.draws])
    assert posting_id is not None
    return posting_id, move_ids


_SMALL_UPDATE = 8  # rows; a single-line posting touches two balances, a ten-line one about twenty


def _update_by_id(connection: Connection, table: Table, column: str, values: list[tuple[int, Decimal]],
                  **same: Any) -> None:
    """Set `column` per row id, and the `same` columns alike on every row.

    A few rows go in one statement (one round trip); many go through executemany.
    """
    shared = {f"new_{name}": value for name, value in same.items()}
    if len(values) <= _SMALL_UPDATE:
        parameters = {f"id{index}": row_id for index, (row_id, _) in enumerate(values)}
        parameters |= {f"v{index}": value for index, (_, value) in enumerate(values)}
        connection.execute(_small_update(table, column, len(values), tuple(same)), parameters | shared)
    else:
        connection.execute(_many_update(table, column, tuple(same)),
                           [{"row_id": row_id, "value": value} | shared for row_id, value in values])


@functools.cache
def _small_update(table: Table, column: str, count: int, same: tuple[str, ...]) -> Update:
    """UPDATE t SET column = CASE WHEN id = :id0 THEN :v0 ... END WHERE id IN (:id0, ...)."""
    ids = [bindparam(f"id{index}", type_=table.c.id.type) for index in range(count)]
    value = case(*[(table.c.id == row_id, bindparam(f"v{index}", type_=table.c[column].type))
                   for index, row_id in enumerate(ids)])
    return (update(table).where(table.c.id.in_(ids))
            .values({column: value, **{name: bindparam(f"new_{name}", type_=table.c[name].type) for name in same}}))


@functools.cache
def _many_update(table: Table, column: str, same: tuple[str, ...]) -> Update:
    return (update(table).where(table.c.id == bindparam("row_id"))
            .values({column: bindparam("value", type_=table.c[column].type),
                     **{name: bindparam(f"new_{name}", type_=table.c[name].type) for name in same}}))


# Built once: constructing statements on every call cost more than running them.
_INSERT_POSTING = insert(POSTING).returning(POSTING.c.id)
_INSERT_KEYED_POSTING = {
    name: dialect.insert(POSTING).on_conflict_do_nothing(index_elements=["caller_key", "idempotency_key"])
    .returning(POSTING.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
_INSERT_MOVES = insert(MOVE).returning(MOVE.c.id, sort_by_parameter_order=True)
_INSERT_LAYERS = insert(LAYER).returning(LAYER.c.id, sort_by_parameter_order=True)
_INSERT_DRAWS = insert(DRAW)
