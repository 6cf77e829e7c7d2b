"""Row locks on stock balances. Every stock writer locks here, in primary-key order."""
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import Row, bindparam, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from openvmi.ledger.models import StockBalance
from openvmi.ledger.schemas import BalanceKey
from openvmi.locations.models import Location
from openvmi.locations.rules import PHYSICAL_KINDS
from openvmi.parties.models import Party
from openvmi.scoping import select_rows

# A locked balance: id, item_id, location_id, owner_id, on_hand, is_physical, and the kinds of its
# location and owner, which the posting's rules are checked against (a Core row, not an entity).
LockedBalance = Row[Any]


def lock_balances(session: Session, keys: Collection[BalanceKey], *,
                  existing: Collection[BalanceKey] = (),
                  location_kinds: Mapping[int, str] | None = None) -> dict[BalanceKey, LockedBalance]:
    """Lock the balance rows for `keys` (creating missing ones) in id order, so writers queue
    instead of deadlocking. SQLite renders no FOR UPDATE; there BEGIN IMMEDIATE already holds
    the write lock (see db.create_db_engine).

    `existing` names keys the caller has seen in the database (balances are never deleted), so
    only the others are created; `location_kinds` saves looking the kinds up again. Rows, not
    entities: the caller refreshes any loaded StockBalance once it has written.
    """
    wanted = sorted(set(keys))
    seen = set(existing)
    missing = [key for key in wanted if key not in seen]
    if missing:
        _ensure_balances_exist(session, missing, location_kinds)
    rows = select_rows(session, _LOCK, {"keys": wanted})
    return {(row.item_id, row.location_id, row.owner_id): row for row in rows}


def _ensure_balances_exist(session: Session, keys: list[BalanceKey],
                           location_kinds: Mapping[int, str] | None) -> None:
    """INSERT ... ON CONFLICT DO NOTHING, in key order so concurrent creators cannot deadlock."""
    location_ids = {location_id for _, location_id, _ in keys}
    if location_kinds is not None and location_ids <= location_kinds.keys():
        kinds = dict(location_kinds)
    else:
        kinds = dict(session.execute(
            select(Location.id, Location.kind).where(Location.id.in_(location_ids))).all())
    rows = [
        {"item_id": item_id, "location_id": location_id, "owner_id": owner_id,
         "on_hand": 0, "is_physical": kinds.get(location_id) in PHYSICAL_KINDS}
        for item_id, location_id, owner_id in keys
    ]
    # One multi-row statement (executemany becomes INSERT ... VALUES (...), (...)), rows in key order.
    session.connection().execute(_ENSURE[session.get_bind().dialect.name], rows)


# Built once: constructing statements on every call cost more than running them.
_LOCK = (
    select(StockBalance.id, StockBalance.item_id, StockBalance.location_id, StockBalance.owner_id,
           StockBalance.on_hand, StockBalance.is_physical, Location.kind.label("location_kind"),
           Party.kind.label("owner_kind"))
    .join(Location, Location.id == StockBalance.location_id)
    .join(Party, Party.id == StockBalance.owner_id)
    .where(tuple_(StockBalance.item_id, StockBalance.location_id, StockBalance.owner_id)
           .in_(bindparam("keys", expanding=True)))
    .order_by(StockBalance.id)
    .with_for_update(of=StockBalance)
)
_ENSURE = {
    name: dialect.insert(StockBalance.__table__).on_conflict_do_nothing(
        index_elements=["item_id", "location_id", "owner_id"])
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
