"""What a posting refers to, read once before any lock: items, locations and owners with their
kinds, which balances exist, and the posting already stored under the caller's idempotency key.

Balances are never deleted, so each engine remembers the ones it has seen: a posting whose
balances are all known needs no read before its locks (a remembered balance that was rolled back
after all is missed by the lock, and the memory starts over). On PostgreSQL it also remembers the
kinds of locations and owners, which never change, for the fast path's checks before its one
call: PostgreSQL never hands out an id twice. SQLite may reuse the id of a row rolled back, so
there the rules are checked only against kinds read with the locks.
"""
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine, Integer, String, bindparam, cast, literal, null, select, tuple_, union_all
from sqlalchemy.orm import Session

from openvmi.catalog.models import Item
from openvmi.ledger.models import Posting, StockBalance
from openvmi.ledger.planner import BalanceKey, PlannedMove
from openvmi.locations.models import Location
from openvmi.locations.rules import LocationKind
from openvmi.parties.models import Party
from openvmi.parties.rules import PartyKind
from openvmi.scoping import current_supplier_scope, select_rows


@dataclass(frozen=True)
class References:
    items: set[int]
    location_kinds: dict[int, LocationKind]
    owner_kinds: dict[int, PartyKind]
    balance_keys: set[BalanceKey]  # balances that exist already, so need no creating
    replay: tuple[int, str] | None  # (posting id, request hash) stored under the idempotency key


@dataclass
class Known:
    """What one engine has seen to exist (committed by someone) and the kinds that go with it."""

    balances: set[BalanceKey] = field(default_factory=set)
    location_kinds: dict[int, LocationKind] = field(default_factory=dict)
    owner_kinds: dict[int, PartyKind] = field(default_factory=dict)

    def has_kinds(self, moves: Sequence[PlannedMove]) -> bool:
        """Whether the kinds of every location and owner of `moves` are known (the rules need them)."""
        return all(move.from_location_id in self.location_kinds and move.to_location_id in self.location_kinds
                   and move.from_owner_id in self.owner_kinds and move.to_owner_id in self.owner_kinds
                   for move in moves)


_KNOWN: weakref.WeakKeyDictionary[Engine, Known] = weakref.WeakKeyDictionary()
_MAX_KNOWN_BALANCES = 200_000  # keys, ~30 MB; then start over


def known_facts(session: Session) -> Known | None:
    """This engine's memory; None in a supplier's session, where the references query, which sees
    only the supplier's own locations and parties, decides which references are unknown."""
    if current_supplier_scope(session) is not None:
        return None
    return _KNOWN.get(session.get_bind().engine)


def remember(session: Session, references: References) -> None:
    """Note the balances found to exist, with their locations' and owners' kinds."""
    engine = session.get_bind().engine
    if engine.dialect.name == "postgresql":
        known = _KNOWN.setdefault(engine, Known())
        known.location_kinds.update(references.location_kinds)
        known.owner_kinds.update(references.owner_kinds)
    remember_balances(session, list(references.balance_keys))


def remember_balances(session: Session, keys: Sequence[BalanceKey]) -> None:
    """Note balances a posting found to exist (the fast path's function looked)."""
    known = _KNOWN.setdefault(session.get_bind().engine, Known())
    if len(known.balances) > _MAX_KNOWN_BALANCES:
        known.balances.clear()
    known.balances.update(keys)


def forget_balances(session: Session) -> None:
    """A remembered balance was rolled back after all: start over."""
    _KNOWN.pop(session.get_bind().engine, None)


def load_references(session: Session, moves: Sequence[PlannedMove], keys: Sequence[BalanceKey], *,
                    caller_key: str | None, idempotency_key: str | None) -> References:
    """One round trip: the referenced ids and kinds, which balances exist, and the posting already
    stored under the caller's idempotency key (None matches no posting). Through the ORM in a
    supplier's session, so that it sees only what the supplier may."""
    rows = select_rows(session, _REFERENCES, {
        "item_ids": list({move.item_id for move in moves}),
        "location_ids": list({lid for move in moves for lid in (move.from_location_id, move.to_location_id)}),
        "owner_ids": list({oid for move in moves for oid in (move.from_owner_id, move.to_owner_id)}),
        "balance_keys": list(set(keys)),
        "caller_key": caller_key,
        "idempotency_key": idempotency_key,
    })
    replay = next(((row[1], row[4]) for row in rows if row[0] == "posting"), None)
    return References(items={row[1] for row in rows if row[0] == "item"},
                      location_kinds={row[1]: LocationKind(row[4]) for row in rows if row[0] == "location"},
                      owner_kinds={row[1]: PartyKind(row[4]) for row in rows if row[0] == "owner"},
                      balance_keys={(row[1], row[2], row[3]) for row in rows if row[0] == "balance"},
                      replay=replay)


# Built once: constructing statements on every call cost more than running them.
_NO_ID, _NO_TEXT = cast(null(), Integer), cast(null(), String)
_REFERENCES = union_all(
    select(literal("item"), Item.id, _NO_ID, _NO_ID, _NO_TEXT)
    .where(Item.id.in_(bindparam("item_ids", expanding=True))),
    select(literal("location"), Location.id, _NO_ID, _NO_ID, Location.kind)
    .where(Location.id.in_(bindparam("location_ids", expanding=True))),
    select(literal("owner"), Party.id, _NO_ID, _NO_ID, Party.kind)
    .where(Party.id.in_(bindparam("owner_ids", expanding=True))),
    select(literal("balance"), StockBalance.item_id, StockBalance.location_id, StockBalance.owner_id, _NO_TEXT)
    .where(tuple_(StockBalance.item_id, StockBalance.location_id, StockBalance.owner_id)
           .in_(bindparam("balance_keys", expanding=True))),
    select(literal("posting"), Posting.id, _NO_ID, _NO_ID, Posting.request_hash)
    .where(Posting.caller_key == bindparam("caller_key"),
           Posting.idempotency_key == bindparam("idempotency_key")),
)
