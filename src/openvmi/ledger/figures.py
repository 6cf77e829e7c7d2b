"""Whole-set read models of the ledger for analytics and availability: on hand by place and owner,
FIFO layers by age, moves by period and kind. Each is one set-based statement on both databases;
nothing here pages or loops per row."""
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Select, bindparam, case, cast, func, literal, select
from sqlalchemy.orm import Session

from openvmi.ledger.models import ReceiptLayer, StockBalance, StockMove
from openvmi.locations.models import Location
from openvmi.locations.rules import LocationKind
from openvmi.parties.models import Party
from openvmi.scoping import select_rows


@dataclass(frozen=True)
class OnHandAt:
    """One balance that holds stock, with the names people read."""

    item_id: int
    location_id: int
    location_code: str
    location_kind: LocationKind
    owner_id: int
    owner_code: str
    owner_name: str
    on_hand: Decimal
    updated_at: datetime


@dataclass(frozen=True)
class OnHandByKind:
    item_id: int
    location_kind: LocationKind
    owner_id: int
    on_hand: Decimal


@dataclass(frozen=True)
class LayerAge:
    """Stock still in FIFO layers received within one age bucket: `bucket` days at least (and
    less than the next bucket's start)."""

    item_id: int
    location_kind: LocationKind
    owner_id: int
    bucket: int
    quantity: Decimal


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"  # starting on Monday
    MONTH = "month"


@dataclass(frozen=True)
class MovesInPeriod:
    period_start: date
    kind: str
    item_id: int
    quantity: Decimal
    moves: int


def on_hand_at(session: Session, *, item_ids: Collection[int], kinds: Collection[LocationKind]) -> list[OnHandAt]:
    """Every positive balance of the items at locations of the given kinds, with location and
    owner codes, largest first."""
    rows = select_rows(session, _ON_HAND_AT, {"item_ids": list(item_ids), "kinds": [str(kind) for kind in kinds]})
    return [OnHandAt(item_id, location_id, code, LocationKind(kind), owner_id, owner_code, owner_name, on_hand,
                     updated_at)
            for item_id, location_id, code, kind, owner_id, owner_code, owner_name, on_hand, updated_at in rows]


# Built once: availability reads it on every answer, and composing it cost more than running it.
_ON_HAND_AT = (
    select(StockBalance.item_id, StockBalance.location_id, Location.code, Location.kind, StockBalance.owner_id,
           Party.code, Party.name, StockBalance.on_hand, StockBalance.updated_at)
    .join(Location, Location.id == StockBalance.location_id)
    .join(Party, Party.id == StockBalance.owner_id)
    .where(StockBalance.item_id.in_(bindparam("item_ids", expanding=True)),
           Location.kind.in_(bindparam("kinds", expanding=True)), StockBalance.on_hand > 0)
    .order_by(StockBalance.item_id, StockBalance.on_hand.desc(), StockBalance.id))


def on_hand_by_kind(session: Session, *, item_ids: Collection[int] | None = None) -> list[OnHandByKind]:
    """Stock on hand summed by item, location kind and owner (physical places only)."""
    total = func.sum(StockBalance.on_hand)
    statement = (select(StockBalance.item_id, Location.kind, StockBalance.owner_id, total)
                 .join(Location, Location.id == StockBalance.location_id)
                 .where(StockBalance.is_physical)
                 .group_by(StockBalance.item_id, Location.kind, StockBalance.owner_id)
                 .having(total != 0)
                 .order_by(StockBalance.item_id, Location.kind, StockBalance.owner_id))
    statement = _for_items(statement, StockBalance.item_id, item_ids)
    return [OnHandByKind(item_id, LocationKind(kind), owner_id, _exact(on_hand))
            for item_id, kind, owner_id, on_hand in session.execute(statement)]


def layers_by_age(session: Session, *, now: datetime, bucket_days: Sequence[int] = (0, 30, 60, 90, 180),
                  item_ids: Collection[int] | None = None) -> list[LayerAge]:
    """Stock still in FIFO layers by how long ago it was received: each row's bucket is the
    largest of `bucket_days` (ascending, starting at 0) that its age reaches."""
    if list(bucket_days) != sorted(set(bucket_days)) or bucket_days[0] != 0:
        raise ValueError("bucket_days must ascend from 0")
    # Received on or before now - N days: at least N days old. Oldest bucket first wins.
    bucket = case(*[(ReceiptLayer.received_at <= now - timedelta(days=days), literal(days))
                    for days in reversed(bucket_days[1:])], else_=literal(0))
    left = func.sum(ReceiptLayer.quantity_left)
    statement = (select(ReceiptLayer.item_id, Location.kind, ReceiptLayer.owner_id, bucket, left)
                 .join(Location, Location.id == ReceiptLayer.location_id)
                 .where(ReceiptLayer.quantity_left > 0)
                 .group_by(ReceiptLayer.item_id, Location.kind, ReceiptLayer.owner_id, bucket)
                 .order_by(ReceiptLayer.item_id, Location.kind, ReceiptLayer.owner_id, bucket))
    statement = _for_items(statement, ReceiptLayer.item_id, item_ids)
    return [LayerAge(item_id, LocationKind(kind), owner_id, int(days), _exact(quantity))
            for item_id, kind, owner_id, days, quantity in session.execute(statement)]


def moves_by_period(session: Session, *, period: Period, start: datetime, end: datetime, zone: str,
                    item_ids: Collection[int] | None = None) -> list[MovesInPeriod]:
    """Moves created in [start, end) summed by period (as days in `zone`), kind and item.

    PostgreSQL converts each timestamp with the zone's rules. SQLite has no zones: it shifts by
    the zone's offset at `start`, exact for zones without daylight saving (China's among them).
    """
    period_start = _period_start(session, StockMove.created_at, period, zone, at=start)
    statement = (select(period_start, StockMove.kind, StockMove.item_id, func.sum(StockMove.quantity),
                        func.count(StockMove.id))
                 .where(StockMove.created_at >= start, StockMove.created_at < end)
                 .group_by(period_start, StockMove.kind, StockMove.item_id)
                 .order_by(period_start, StockMove.kind, StockMove.item_id))
    statement = _for_items(statement, StockMove.item_id, item_ids)
    return [MovesInPeriod(_as_date(day), kind, item_id, _exact(quantity), moves)
            for day, kind, item_id, quantity, moves in session.execute(statement)]


def _period_start(session: Session, column: Any, period: Period, zone: str, *, at: datetime) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        local = func.timezone(zone, column)
        return cast(func.date_trunc(period.value, local), Date)
    offset = ZoneInfo(zone).utcoffset(at.replace(tzinfo=None)) or timedelta(0)
    local = func.datetime(column, f"{int(offset.total_seconds()):+d} seconds")
    if period is Period.DAY:
        return func.date(local)
    if period is Period.WEEK:
        return func.date(local, "-6 days", "weekday 1")  # the Monday on or before
    return func.strftime("%Y-%m-01", local)


def _for_items(statement: Select[Any], column: Any, item_ids: Collection[int] | None) -> Select[Any]:
    return statement if item_ids is None else statement.where(column.in_(list(item_ids)))


def _exact(total: object) -> Decimal:
    """A SUM as the six-place Decimal the columns hold (SQLite adds REALs)."""
    return Decimal(str(total)).quantize(Decimal("0.000001"))


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
