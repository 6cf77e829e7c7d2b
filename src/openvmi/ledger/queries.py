"""Read models of the ledger: the move journal and balances, filtered and paged."""
from collections.abc import Collection
from decimal import Decimal

from sqlalchemy import ColumnElement, case, func, literal_column, or_, select, tuple_
from sqlalchemy.orm import Session

from openvmi.ledger.models import LayerDraw, Posting, ReceiptLayer, StockBalance, StockMove
from openvmi.ledger.schemas import (
    BalanceFilter, BalancePage, BalanceRead, MoveFilter, MovePage, MoveRead,
)
from openvmi.locations.models import Location
from openvmi.pagination import fetch_page, where_given


def list_moves(session: Session, filters: MoveFilter, *, cursor: str | None, limit: int) -> MovePage:
    """Journal rows, newest first."""
    statement = where_given(select(StockMove), (StockMove.item_id, filters.item_id),
                            (StockMove.kind, filters.kind), (StockMove.reference, filters.reference))
    if filters.location_id is not None:
        statement = statement.where(or_(StockMove.from_location_id == filters.location_id,
                                        StockMove.to_location_id == filters.location_id))
    if filters.owner_id is not None:
        statement = statement.where(or_(StockMove.from_owner_id == filters.owner_id,
                                        StockMove.to_owner_id == filters.owner_id))
    if filters.document_kind is not None or filters.document_id is not None:
        statement = statement.where(StockMove.posting_id.in_(where_given(
            select(Posting.id), (Posting.document_kind, filters.document_kind),
            (Posting.document_id, filters.document_id))))
    if filters.created_from is not None:
        statement = statement.where(StockMove.created_at >= filters.created_from)
    if filters.created_to is not None:
        statement = statement.where(StockMove.created_at < filters.created_to)
    rows, next_cursor = fetch_page(session, statement, StockMove.id, cursor=cursor, limit=limit, descending=True)
    return MovePage(items=[MoveRead.model_validate(r) for r in rows], next_cursor=next_cursor)


def list_balances(session: Session, filters: BalanceFilter, *, cursor: str | None, limit: int) -> BalancePage:
    statement = where_given(select(StockBalance), (StockBalance.item_id, filters.item_id),
                            (StockBalance.location_id, filters.location_id),
                            (StockBalance.owner_id, filters.owner_id))
    if filters.nonzero:
        statement = statement.where(StockBalance.on_hand != 0)
    rows, next_cursor = fetch_page(session, statement, StockBalance.id, cursor=cursor, limit=limit)
    return BalancePage(items=[BalanceRead.model_validate(r) for r in rows], next_cursor=next_cursor)


def on_hand(session: Session, *, item_id: int, location_id: int, owner_id: int) -> Decimal:
    """Current on-hand for one balance key (zero when none was ever posted)."""
    value = session.scalar(select(StockBalance.on_hand).where(
        StockBalance.item_id == item_id, StockBalance.location_id == location_id,
        StockBalance.owner_id == owner_id))
    return value if value is not None else Decimal(0)


def on_hand_of(session: Session, keys: Collection[tuple[int, int, int]]) -> dict[tuple[int, int, int], Decimal]:
    """On hand per (item, location, owner) key, in one statement; keys never posted are left out."""
    if not keys:
        return {}
    rows = session.execute(select(StockBalance.item_id, StockBalance.location_id, StockBalance.owner_id,
                                  StockBalance.on_hand)
                           .where(tuple_(StockBalance.item_id, StockBalance.location_id, StockBalance.owner_id)
                                  .in_(sorted(set(keys)))))
    return {(item_id, location_id, owner_id): value for item_id, location_id, owner_id, value in rows}


def on_hand_returned(table: str, *, owner_column: str) -> ColumnElement[Decimal]:
    """On hand of the balance named by the row a statement writes into `table` (its item_id,
    location_id and `owner_column`), for that statement's RETURNING: a read without a round trip
    of its own. Spelt out because SQLAlchemy does not correlate a subquery in RETURNING."""
    return literal_column(
        f"(SELECT b.on_hand FROM {StockBalance.__tablename__} b WHERE b.item_id = {table}.item_id"
        f" AND b.location_id = {table}.location_id AND b.owner_id = {table}.{owner_column})",
        StockBalance.__table__.c.on_hand.type)


def owned_stock(session: Session, *, item_ids: Collection[int], owner_ids: Collection[int],
                kinds: Collection[str]) -> list[tuple[int, int, int, Decimal, str, int | None]]:
    """Non-zero balances of these items and owners at locations of these kinds, in one statement:
    (item, location, owner, on hand, location kind, location's plant)."""
    if not item_ids or not owner_ids:
        return []
    rows = session.execute(
        select(StockBalance.item_id, StockBalance.location_id, StockBalance.owner_id, StockBalance.on_hand,
               Location.kind, Location.plant_id)
        .join(Location, Location.id == StockBalance.location_id)
        .where(StockBalance.item_id.in_(item_ids), StockBalance.owner_id.in_(owner_ids),
               Location.kind.in_(kinds), StockBalance.on_hand != 0))
    return [tuple(row) for row in rows]  # type: ignore[misc]


def place_held_by(move_id: ColumnElement[int | None], owner_id: ColumnElement[int]) -> ColumnElement[str | None]:
    """The code of the place where `owner_id` held the stock on its side of move `move_id`: the VMI store of an
    ownership move, whichever way it went (taken from it, returned to it, bought out in it). A correlated
    subquery, so a caller's list reads it in its own statement; none when there is no move."""
    # No aliases of Location: the supplier scope's criterion on it would name the table, not the alias.
    held_at = (select(case((StockMove.from_owner_id == owner_id, StockMove.from_location_id),
                           else_=StockMove.to_location_id))
               .where(StockMove.id == move_id).correlate_except(StockMove).scalar_subquery())
    return select(Location.code).where(Location.id == held_at).scalar_subquery()


def not_the_move(move_id: ColumnElement[int], *, item_id: ColumnElement[int], from_location_id: ColumnElement[int],
                 from_owner_id: ColumnElement[int], to_location_id: ColumnElement[int],
                 to_owner_id: ColumnElement[int]) -> ColumnElement[bool]:
    """True where move `move_id` does not exist with these columns: for a caller's table that copies a
    move's columns without foreign keys of its own, so its check reads the journal in its own statement."""
    return ~(select(StockMove.id).where(
        StockMove.id == move_id, StockMove.item_id == item_id, StockMove.from_location_id == from_location_id,
        StockMove.from_owner_id == from_owner_id, StockMove.to_location_id == to_location_id,
        StockMove.to_owner_id == to_owner_id).correlate_except(StockMove).exists())


def invariant_violations(session: Session) -> list[str]:
    """Everything that breaks the ledger's invariants, one sentence each; an empty list proves
    them: every balance equals the sum of its moves, no physical balance is negative, the FIFO
    layers of every physical balance hold exactly its on-hand, and every layer draw names a move
    and a layer of its item and owner. Used by tests and benchmarks."""
    problems = [f"balance {balance_id}: on hand {on_hand}, its moves add up to {total}"
                for balance_id, on_hand, total in balance_mismatches(session)]
    layered = (select(ReceiptLayer.item_id, ReceiptLayer.location_id, ReceiptLayer.owner_id,
                      func.sum(ReceiptLayer.quantity_left).label("total"))
               .group_by(ReceiptLayer.item_id, ReceiptLayer.location_id, ReceiptLayer.owner_id).subquery())
    rows = session.execute(
        select(StockBalance.id, StockBalance.on_hand, func.coalesce(layered.c.total, 0))
        .outerjoin(layered, (layered.c.item_id == StockBalance.item_id)
                   & (layered.c.location_id == StockBalance.location_id)
                   & (layered.c.owner_id == StockBalance.owner_id))
        .where(StockBalance.is_physical)).all()
    for balance_id, on_hand_, total in rows:
        if on_hand_ < 0:
            problems.append(f"balance {balance_id}: physical stock below zero ({on_hand_})")
        if on_hand_ != _six(total):
            problems.append(f"balance {balance_id}: on hand {on_hand_}, its FIFO layers hold {_six(total)}")
    # Draws carry no foreign keys (LayerDraw says why): their links are held here instead.
    loose = session.execute(
        select(LayerDraw.id).outerjoin(StockMove, StockMove.id == LayerDraw.move_id)
        .outerjoin(ReceiptLayer, ReceiptLayer.id == LayerDraw.layer_id)
        .where(or_(StockMove.id.is_(None), ReceiptLayer.id.is_(None), ReceiptLayer.owner_id != LayerDraw.owner_id,
                   ReceiptLayer.item_id != StockMove.item_id))).scalars().all()
    problems += [f"layer draw {draw_id}: names no move or layer of its own owner and item" for draw_id in loose]
    return problems


def _six(total: object) -> Decimal:
    """A SUM as the six-place Decimal the columns hold (SQLite adds REALs)."""
    return Decimal(str(total)).quantize(Decimal("0.000001"))


def balance_mismatches(session: Session) -> list[tuple[int, Decimal, Decimal]]:
    """Balances that differ from the sum of their moves: (balance id, on_hand, journal sum)."""
    incoming = (select(StockMove.item_id, StockMove.to_location_id.label("location_id"),
                       StockMove.to_owner_id.label("owner_id"), StockMove.quantity.label("delta")))
    outgoing = (select(StockMove.item_id, StockMove.from_location_id, StockMove.from_owner_id,
                       -StockMove.quantity))
    deltas = incoming.union_all(outgoing).subquery()
    sums = (select(deltas.c.item_id, deltas.c.location_id, deltas.c.owner_id,
                   func.sum(deltas.c.delta).label("total"))
            .group_by(deltas.c.item_id, deltas.c.location_id, deltas.c.owner_id).subquery())
    rows = session.execute(
        select(StockBalance.id, StockBalance.on_hand, func.coalesce(sums.c.total, 0))
        .outerjoin(sums, (sums.c.item_id == StockBalance.item_id)
                   & (sums.c.location_id == StockBalance.location_id)
                   & (sums.c.owner_id == StockBalance.owner_id))).all()
    return [(bid, on_hand_, _six(total)) for bid, on_hand_, total in rows if on_hand_ != _six(total)]
