"""Posting stock moves: the one use case that changes stock. Caller commits."""
import functools
import hashlib
import json
import weakref
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection, Engine, Integer, Select, String, Table, Update, bindparam, case, cast, insert, literal, null, select,
    tuple_, union_all, update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key
from sqlalchemy.orm.attributes import set_committed_value

from openvmi.catalog.models import Item
from openvmi.db import quantize, utcnow
from openvmi.errors import (
    Conflict, FieldError, IdempotencyMismatch, InsufficientStock, InvalidInput, PermissionDenied, Shortfall,
)
from openvmi.ledger import rules
from openvmi.ledger.locks import LockedBalance, lock_balances, select_rows
from openvmi.ledger.models import Posting, ReceiptLayer, StockBalance, StockMove
from openvmi.ledger.schemas import (
    BalanceKey, MoveCreate, MoveRead, PostingCreate, PostingRead,
)
from openvmi.locations.models import Location
from openvmi.parties.models import Party
from openvmi.scoping import current_supplier_scope


def post_moves(session: Session, posting: PostingCreate, *, actor_id: int | None,
               idempotency_key: str | None = None) -> PostingRead:
    """Journal the moves and update every balance and FIFO layer atomically, or change nothing.

    A physical location never goes below zero: every short line is reported at once. With an
    idempotency key, a retry returns the first posting and writes nothing. Caller commits.
    """
    request_hash = _hash_request(posting)
    if (len(posting.moves) == 1 and session.get_bind().dialect.name == "postgresql"
            and current_supplier_scope(session) is None):
        posted = _post_one_move(session, posting.moves[0], actor_id=actor_id,
                                idempotency_key=idempotency_key, request_hash=request_hash)
        if posted is not None:
            return posted
    keys = [key for move in posting.moves for key in (move.source, move.target)]
    # Once all of its balances are known to exist, so are its references (foreign keys): no check.
    known = None
    if not _balances_known(session, keys):
        known = _load_references(session, posting.moves, keys, idempotency_key)
        if known.replay is not None:  # a retry: answered before the request is checked, as always
            return _replay(session, idempotency_key or "", request_hash, *known.replay)
        _refuse_unknown_references(posting.moves, known)
    # Before any lock: in a supplier's session the buyer's balances are invisible, so a
    # foreign move must be refused here, not stumble over a balance it cannot see.
    _refuse_foreign_moves(session, [move.model_dump() for move in posting.moves])

    new_posting: dict[str, Any] | None = {"idempotency_key": idempotency_key, "request_hash": request_hash,
                                          "created_by_id": actor_id, "created_at": utcnow()}
    posting_id = None
    if idempotency_key is not None:
        # A concurrent retry with the same key waits here on the unique index until the first
        # commits, then inserts nothing, so no savepoint is needed to recover from the clash.
        # Without a key nothing can clash, so _write inserts the row along with the journal.
        posting_id = session.connection().execute(
            _INSERT_KEYED_POSTING[session.get_bind().dialect.name], new_posting).scalar_one_or_none()
        if posting_id is None:
            # The concurrent retry, or any retry once the references needed no check: answer
            # with the first posting.
            replay = _find_replay(session, idempotency_key, request_hash)
            if replay is None:
                raise Conflict(f"Idempotency-Key {idempotency_key!r} is in use by an unfinished request; retry")
            return replay
        new_posting = None

    balances = _lock(session, posting.moves, keys, known)
    _refuse_shortfalls(session, posting.moves, balances)
    now = utcnow()
    rows = [{"posting_id": posting_id, "created_by_id": actor_id, "created_at": now, **move.model_dump()}
            for move in posting.moves]
    open_layers = _open_layers(session, posting.moves, balances)
    on_hand = {key: balance.on_hand for key, balance in balances.items()}
    opened: list[dict[str, Any]] = []
    for index, move in enumerate(posting.moves):
        on_hand[move.source] = quantize(on_hand[move.source] - move.quantity)
        on_hand[move.target] = quantize(on_hand[move.target] + move.quantity)
        opened += _move_layers(move, index, open_layers, source=balances[move.source],
                               target=balances[move.target], now=now)
    drawn = [layer for layers in open_layers.values() for layer in layers if layer.drawn and layer.id is not None]
    posting_id = _write(session, rows, [(balance.id, on_hand[key]) for key, balance in balances.items()],
                        [(layer.id, layer.quantity_left) for layer in drawn], opened,
                        new_posting=new_posting, now=now)
    for key, balance in balances.items():  # loaded objects stay true to the database, as after a flush
        loaded = session.identity_map.get(identity_key(StockBalance, balance.id))
        if loaded is not None:
            set_committed_value(loaded, "on_hand", on_hand[key])
            set_committed_value(loaded, "updated_at", now)
    for layer in drawn:
        loaded = session.identity_map.get(identity_key(ReceiptLayer, layer.id))
        if loaded is not None:
            set_committed_value(loaded, "quantity_left", layer.quantity_left)
    return PostingRead(posting_id=posting_id, replayed=False, moves=[MoveRead.model_validate(row) for row in rows])


def _post_one_move(session: Session, move: MoveCreate, *, actor_id: int | None,
                   idempotency_key: str | None, request_hash: str) -> PostingRead | None:
    """The single move's happy path in one call of ledger_post_one_move (migration 335ec1e1aa00).

    None when that path does not apply (a balance to create, an unknown reference, a shortfall, a
    used idempotency key): the function then wrote nothing and the Python path decides as always.
    The driver's own call with a fixed text, so psycopg prepares it; SQLAlchemy's execution layer
    cost more client time than the posting's database work (bench/README.md).
    """
    now = utcnow()
    found = session.connection().connection.driver_connection.execute(_POST_ONE_MOVE, (
        move.item_id, move.quantity, move.from_location_id, move.from_owner_id, move.to_location_id,
        move.to_owner_id, move.kind, move.reference, actor_id, idempotency_key, request_hash, now)).fetchone()
    move_id, posting_id, source_id, source_on_hand, target_id, target_on_hand, drawn_ids, drawn_left = found
    if move_id is None:
        return None
    if session.identity_map:  # loaded objects stay true to the database, as after a flush
        for balance_id, on_hand in ((source_id, source_on_hand), (target_id, target_on_hand)):
            loaded = session.identity_map.get(identity_key(StockBalance, balance_id))
            if loaded is not None:
                set_committed_value(loaded, "on_hand", on_hand)
                set_committed_value(loaded, "updated_at", now)
        for layer_id, quantity_left in zip(drawn_ids, drawn_left, strict=True):
            loaded = session.identity_map.get(identity_key(ReceiptLayer, layer_id))
            if loaded is not None:
                set_committed_value(loaded, "quantity_left", quantity_left)
    row = {"id": move_id, "posting_id": posting_id, "created_by_id": actor_id, "created_at": now,
           **move.model_dump()}
    return PostingRead(posting_id=posting_id, replayed=False, moves=[MoveRead.model_validate(row)])


_POST_ONE_MOVE = (
    "SELECT * FROM ledger_post_one_move(%s::integer, %s::numeric, %s::integer, %s::integer, %s::integer,"
    " %s::integer, %s::varchar, %s::varchar, %s::integer, %s::varchar, %s::varchar, %s::timestamptz)")


def _hash_request(posting: PostingCreate) -> str:
    canonical = json.dumps(posting.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _find_replay(session: Session, idempotency_key: str, request_hash: str) -> PostingRead | None:
    found = session.connection().execute(_FIND_POSTING, {"idempotency_key": idempotency_key}).first()
    if found is None:
        return None
    return _replay(session, idempotency_key, request_hash, found.id, found.request_hash)


def _replay(session: Session, idempotency_key: str, request_hash: str, posting_id: int,
            stored_hash: str) -> PostingRead:
    """The first answer to a request sent again with its idempotency key; another request is refused."""
    if stored_hash != request_hash:
        raise IdempotencyMismatch(
            f"Idempotency-Key {idempotency_key!r} was already used for a different request")
    moves = session.scalars(
        select(StockMove).where(StockMove.posting_id == posting_id).order_by(StockMove.id)).all()
    return PostingRead(posting_id=posting_id, replayed=True,
                       moves=[MoveRead.model_validate(m) for m in moves])


@dataclass(frozen=True)
class _Known:
    items: set[int]
    location_kinds: dict[int, str]
    owners: set[int]
    balance_keys: set[BalanceKey]  # balances that exist already, so need no creating
    replay: tuple[int, str] | None  # (posting id, request hash) stored under the idempotency key


def _load_references(session: Session, moves: list[MoveCreate], keys: list[BalanceKey],
                     idempotency_key: str | None) -> _Known:
    """One round trip: the referenced ids, the location kinds, which balances exist, and the
    posting already stored under the idempotency key."""
    rows = select_rows(session, _REFERENCES, {
        "item_ids": list({m.item_id for m in moves}),
        "location_ids": list({lid for m in moves for lid in (m.from_location_id, m.to_location_id)}),
        "owner_ids": list({oid for m in moves for oid in (m.from_owner_id, m.to_owner_id)}),
        "balance_keys": list(set(keys)),
        "idempotency_key": idempotency_key,  # None matches no posting
    }).all()
    replay = next(((row[1], row[4]) for row in rows if row[0] == "posting"), None)
    return _Known(items={row[1] for row in rows if row[0] == "item"},
                  location_kinds={row[1]: row[4] for row in rows if row[0] == "location"},
                  owners={row[1] for row in rows if row[0] == "owner"},
                  balance_keys={(row[1], row[2], row[3]) for row in rows if row[0] == "balance"},
                  replay=replay)


def _balances_known(session: Session, keys: list[BalanceKey]) -> bool:
    """Whether every balance of the posting was seen to exist before (see _lock).

    Not in a supplier's session: there the references query, which sees only the supplier's own
    locations and parties, decides which references are unknown.
    """
    return (current_supplier_scope(session) is None
            and set(keys) <= _KNOWN_BALANCES.get(session.get_bind().engine, set()))


def _lock(session: Session, moves: list[MoveCreate], keys: list[BalanceKey],
          known: _Known | None) -> dict[BalanceKey, LockedBalance]:
    """Lock the posting's balances, creating missing ones; with `known` None, all were seen before.

    Balances are never deleted, and one that existed before a posting was committed by someone
    (in the API, one posting is one transaction), so remembering them per engine saves the
    references query. Should one have been rolled back after all (several postings in one
    transaction), the lock misses it and the references are checked as usual. (Creating it then
    happens under the locks just taken, against the usual order; a deadlock there is possible only
    for a balance rolled back while another writer creates it at that moment, and PostgreSQL
    would break it.)
    """
    if known is None:
        balances = lock_balances(session, keys, existing=keys)
        if len(balances) == len(set(keys)):
            return balances
        _KNOWN_BALANCES.pop(session.get_bind().engine, None)
        known = _load_references(session, moves, keys, None)
        _refuse_unknown_references(moves, known)
    remembered = _KNOWN_BALANCES.setdefault(session.get_bind().engine, set())
    if len(remembered) > _MAX_KNOWN_BALANCES:
        remembered.clear()
    remembered.update(known.balance_keys)
    return lock_balances(session, keys, existing=known.balance_keys, location_kinds=known.location_kinds)


_KNOWN_BALANCES: weakref.WeakKeyDictionary[Engine, set[BalanceKey]] = weakref.WeakKeyDictionary()
_MAX_KNOWN_BALANCES = 200_000  # keys, ~30 MB; then start over


def _refuse_unknown_references(moves: list[MoveCreate], known: _Known) -> None:
    """Unknown items, locations or owners are input errors, named per field."""
    errors = []
    for index, move in enumerate(moves):
        checks = [("item_id", move.item_id, known.items),
                  ("from_location_id", move.from_location_id, known.location_kinds),
                  ("to_location_id", move.to_location_id, known.location_kinds),
                  ("from_owner_id", move.from_owner_id, known.owners),
                  ("to_owner_id", move.to_owner_id, known.owners)]
        errors += [FieldError(f"moves[{index}].{field}", f"no such {field.removesuffix('_id')}: {value}")
                   for field, value, known_ids in checks if value not in known_ids]
    if errors:
        raise InvalidInput(errors)


def _refuse_foreign_moves(session: Session, rows: list[dict[str, Any]]) -> None:
    """A supplier's session may only move its own stock (openvmi.scoping's rule for StockMove).

    The unit of work is not used for the journal, so its before_flush check is made here. The
    balances and layers written belong to the moves' owners, so they need no check of their own.
    """
    supplier_id = current_supplier_scope(session)
    if supplier_id is None:
        return
    for row in rows:
        if not StockMove(**row).writable_by(supplier_id):
            raise PermissionDenied("StockMove belongs to another supplier")


def _refuse_shortfalls(session: Session, moves: list[MoveCreate],
                       balances: dict[BalanceKey, LockedBalance]) -> None:
    """Replay the moves on the locked figures; collect every line that would go negative."""
    projected = {key: balance.on_hand for key, balance in balances.items()}
    requested: dict[tuple[int, int, int], Decimal] = {}
    short_keys: set[tuple[int, int, int]] = set()
    for move in moves:
        projected[move.source] -= move.quantity
        projected[move.target] += move.quantity
        requested[move.source] = requested.get(move.source, Decimal(0)) + move.quantity
        # Lines apply in order: a line may not take stock that only a later line brings in.
        if projected[move.source] < 0:
            short_keys.add(move.source)
    short = [key for key in short_keys if balances[key].is_physical]
    if not short:
        return
    item_codes = dict(session.execute(select(Item.id, Item.code).where(
        Item.id.in_({k[0] for k in short}))).all())
    location_codes = dict(session.execute(select(Location.id, Location.code).where(
        Location.id.in_({k[1] for k in short}))).all())
    owner_codes = dict(session.execute(select(Party.id, Party.code).where(
        Party.id.in_({k[2] for k in short}))).all())
    raise InsufficientStock([
        Shortfall(item_code=item_codes[item_id], location_code=location_codes[location_id],
                  owner_code=owner_codes[owner_id], requested=requested[(item_id, location_id, owner_id)],
                  available=balances[(item_id, location_id, owner_id)].on_hand)
        for item_id, location_id, owner_id in sorted(short)
    ])


@dataclass(slots=True)
class _Layer:
    """A FIFO layer as this posting sees it: one read from the database, or one it opens."""

    quantity_left: Decimal
    received_at: datetime
    id: int | None = None  # None: opened by this posting, not inserted yet
    opened: dict[str, Any] | None = None  # the INSERT values of a layer this posting opens
    drawn: bool = False


def _open_layers(session: Session, moves: list[MoveCreate],
                 balances: dict[BalanceKey, LockedBalance]) -> dict[BalanceKey, list[_Layer]]:
    """The FIFO layers holding stock at every physical source, oldest first, in one query.

    Layers are guarded by the balance row lock already held, so they need no lock of their own.
    """
    drained = sorted({move.source for move in moves if balances[move.source].is_physical})
    open_layers: dict[BalanceKey, list[_Layer]] = {key: [] for key in drained}
    if drained:
        for layer in select_rows(session, _OPEN_LAYERS, {"keys": drained}):
            open_layers[(layer.item_id, layer.location_id, layer.owner_id)].append(
                _Layer(layer.quantity_left, layer.received_at, id=layer.id))
    return open_layers


def _move_layers(move: MoveCreate, move_index: int, open_layers: dict[BalanceKey, list[_Layer]], *,
                 source: LockedBalance, target: LockedBalance, now: datetime) -> list[dict[str, Any]]:
    """Drain the source's FIFO layers; return the layers to open at a physical target.

    Stock moved between physical places keeps its original receipt date, so aging stays true.
    """
    ages = [(move.quantity, now)]
    if source.is_physical:
        layers = open_layers[move.source]
        draws = rules.drain_fifo([(layer.quantity_left, layer.received_at) for layer in layers], move.quantity)
        for draw in draws:
            layer = layers[draw.layer_index]
            layer.quantity_left = quantize(layer.quantity_left - draw.quantity)
            layer.drawn = True
            if layer.opened is not None:
                layer.opened["quantity_left"] = layer.quantity_left
        ages = [(draw.quantity, draw.received_at) for draw in draws]
    if not target.is_physical:
        return []
    opened = [{"item_id": move.item_id, "location_id": move.to_location_id, "owner_id": move.to_owner_id,
               "move_index": move_index, "quantity_received": quantity, "quantity_left": quantity,
               "received_at": received_at}
              for quantity, received_at in ages]
    if move.target in open_layers:  # a later line of this posting may drain them
        # Stable sort: same-date layers stay in id order, as the query returns them.
        open_layers[move.target] = sorted(
            [*open_layers[move.target], *(_Layer(v["quantity_left"], v["received_at"], opened=v) for v in opened)],
            key=lambda layer: layer.received_at)
    return opened


def _write(session: Session, rows: list[dict[str, Any]], balances: list[tuple[int, Decimal]],
           drawn: list[tuple[int, Decimal]], opened: list[dict[str, Any]], *,
           new_posting: dict[str, Any] | None, now: datetime) -> int:
    """Insert `new_posting` unless None (already inserted), journal the moves (their ids go into
    `rows`), set the balances and drawn layers, open layers; return the posting id.

    Plain INSERT/UPDATE statements rather than the unit of work, which cost more than the database
    work itself (bench/README.md). Every touched balance gets `updated_at`, even if it nets to zero.
    """
    connection = session.connection()  # plain Core statements: no ORM execution layer needed
    if (connection.dialect.name == "postgresql" and len(rows) == 1
            and max(len(balances), len(drawn), len(opened)) <= _SMALL_UPDATE):
        # The usual single line in one round trip: the other writes ride along as data-modifying CTEs.
        parameters = {f"m_{name}": value for name, value in rows[0].items()}
        parameters |= {f"p_{name}": value for name, value in (new_posting or {}).items()}
        parameters |= _small_update_parameters(balances, "b_") | {"b_new_updated_at": now}
        parameters |= _small_update_parameters(drawn, "l_")
        parameters |= {f"o{index}_{name}": layer[name] for index, layer in enumerate(opened)
                       for name in _OPENED_VALUES}
        statement = _journal_one_move(len(balances), len(drawn), len(opened), new_posting=new_posting is not None)
        rows[0]["id"], rows[0]["posting_id"] = connection.execute(statement, parameters).one()
        return rows[0]["posting_id"]
    if new_posting is not None:
        posting_id = connection.execute(_INSERT_POSTING, new_posting).scalar_one()
        for row in rows:
            row["posting_id"] = posting_id
    for row, move_id in zip(rows, connection.execute(_INSERT_MOVES, rows).scalars(), strict=True):
        row["id"] = move_id
    _update_by_id(connection, _BALANCE, "on_hand", balances, updated_at=now)
    if drawn:
        _update_by_id(connection, _LAYER, "quantity_left", drawn)
    if opened:
        for layer in opened:
            layer["move_id"] = rows[layer.pop("move_index")]["id"]
        connection.execute(_INSERT_LAYERS, opened)
    return rows[0]["posting_id"]


_OPENED_VALUES = ("quantity_received", "quantity_left", "received_at")  # the rest comes from the move


@functools.cache
def _journal_one_move(balance_count: int, layer_count: int, opened_count: int, *, new_posting: bool) -> Select:
    """WITH new_posting AS (INSERT ...), new_move AS (INSERT INTO stock_move ...), balances AS
    (UPDATE ...), layers AS (UPDATE ...), opened AS (INSERT INTO receipt_layer ...)
    SELECT id, posting_id FROM new_move.

    PostgreSQL runs every data-modifying CTE whether or not the main statement reads it, and
    checks the foreign keys between them at the end of the statement. Bind names carry prefixes
    so that none matches a column name of another table in the statement.
    """
    posting_id: Any = bindparam("m_posting_id", type_=_MOVE.c.posting_id.type)
    if new_posting:
        posting = (insert(_POSTING).values({column.name: bindparam(f"p_{column.name}", type_=column.type)
                                            for column in _POSTING.c if column.name != "id"})
                   .returning(_POSTING.c.id).cte("new_posting"))
        posting_id = select(posting.c.id).scalar_subquery()
    move = (insert(_MOVE).values({column.name: posting_id if column.name == "posting_id"
                                  else bindparam(f"m_{column.name}", type_=column.type)
                                  for column in _MOVE.c if column.name != "id"})
            .returning(_MOVE.c.id, _MOVE.c.posting_id, _MOVE.c.item_id, _MOVE.c.to_location_id, _MOVE.c.to_owner_id)
            .cte("new_move"))
    statement = select(move.c.id, move.c.posting_id).add_cte(
        _small_update(_BALANCE, "on_hand", balance_count, ("updated_at",), "b_").returning(_BALANCE.c.id)
        .cte("balances"))
    if layer_count:
        statement = statement.add_cte(_small_update(_LAYER, "quantity_left", layer_count, (), "l_")
                                      .returning(_LAYER.c.id).cte("layers"))
    if opened_count:
        layers = [select(move.c.item_id, move.c.to_location_id, move.c.to_owner_id, move.c.id,
                         *[bindparam(f"o{index}_{name}", type_=_LAYER.c[name].type) for name in _OPENED_VALUES])
                  for index in range(opened_count)]
        statement = statement.add_cte(
            insert(_LAYER).from_select(["item_id", "location_id", "owner_id", "move_id", *_OPENED_VALUES],
                                       union_all(*layers) if opened_count > 1 else layers[0])
            .returning(_LAYER.c.id).cte("opened"))
    return statement


_SMALL_UPDATE = 8  # rows; a single-line posting touches two balances, a ten-line one about twenty


def _update_by_id(connection: Connection, table: Table, column: str, values: list[tuple[int, Decimal]],
                  **same: Any) -> None:
    """Set `column` per row id, and the `same` columns alike on every row.

    A few rows go in one statement (one round trip); many go through executemany.
    """
    shared = {f"new_{name}": value for name, value in same.items()}
    if len(values) <= _SMALL_UPDATE:
        connection.execute(_small_update(table, column, len(values), tuple(same)),
                           _small_update_parameters(values) | shared)
    else:
        connection.execute(_many_update(table, column, tuple(same)),
                           [{"row_id": row_id, "value": value} | shared for row_id, value in values])


def _small_update_parameters(values: list[tuple[int, Decimal]], prefix: str = "") -> dict[str, Any]:
    parameters = {f"{prefix}id{index}": row_id for index, (row_id, _) in enumerate(values)}
    return parameters | {f"{prefix}v{index}": value for index, (_, value) in enumerate(values)}


@functools.cache
def _small_update(table: Table, column: str, count: int, same: tuple[str, ...], prefix: str = "") -> Update:
    """UPDATE t SET column = CASE WHEN id = :id0 THEN :v0 ... END WHERE id IN (:id0, ...)."""
    ids = [bindparam(f"{prefix}id{index}", type_=table.c.id.type) for index in range(count)]
    value = case(*[(table.c.id == row_id, bindparam(f"{prefix}v{index}", type_=table.c[column].type))
                   for index, row_id in enumerate(ids)])
    return (update(table).where(table.c.id.in_(ids))
            .values({column: value, **{name: bindparam(f"{prefix}new_{name}", type_=table.c[name].type)
                                       for name in same}}))


@functools.cache
def _many_update(table: Table, column: str, same: tuple[str, ...]) -> Update:
    return (update(table).where(table.c.id == bindparam("row_id"))
            .values({column: bindparam("value", type_=table.c[column].type),
                     **{name: bindparam(f"new_{name}", type_=table.c[name].type) for name in same}}))


# Built once: constructing statements on every call cost more than running them.
_NO_ID, _NO_KIND = cast(null(), Integer), cast(null(), String)
_REFERENCES = union_all(
    select(literal("item"), Item.id, _NO_ID, _NO_ID, _NO_KIND)
    .where(Item.id.in_(bindparam("item_ids", expanding=True))),
    select(literal("location"), Location.id, _NO_ID, _NO_ID, Location.kind)
    .where(Location.id.in_(bindparam("location_ids", expanding=True))),
    select(literal("owner"), Party.id, _NO_ID, _NO_ID, _NO_KIND)
    .where(Party.id.in_(bindparam("owner_ids", expanding=True))),
    select(literal("balance"), StockBalance.item_id, StockBalance.location_id, StockBalance.owner_id, _NO_KIND)
    .where(tuple_(StockBalance.item_id, StockBalance.location_id, StockBalance.owner_id)
           .in_(bindparam("balance_keys", expanding=True))),
    select(literal("posting"), Posting.id, _NO_ID, _NO_ID, Posting.request_hash)
    .where(Posting.idempotency_key == bindparam("idempotency_key")),
)
_POSTING, _MOVE, _BALANCE, _LAYER = (model.__table__ for model in (Posting, StockMove, StockBalance, ReceiptLayer))
# Postings belong to no supplier, so a plain Core query needs no supplier criteria.
_FIND_POSTING = select(_POSTING.c.id, _POSTING.c.request_hash).where(
    _POSTING.c.idempotency_key == bindparam("idempotency_key"))
_INSERT_POSTING = insert(_POSTING).returning(_POSTING.c.id)
_INSERT_KEYED_POSTING = {
    name: dialect.insert(_POSTING).on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(_POSTING.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
_INSERT_MOVES = insert(_MOVE).returning(_MOVE.c.id, sort_by_parameter_order=True)
_OPEN_LAYERS = (  # columns, not entities: cheaper to load; the supplier criteria still apply
    select(ReceiptLayer.id, ReceiptLayer.item_id, ReceiptLayer.location_id, ReceiptLayer.owner_id,
           ReceiptLayer.quantity_left, ReceiptLayer.received_at)
    .where(tuple_(ReceiptLayer.item_id, ReceiptLayer.location_id, ReceiptLayer.owner_id)
           .in_(bindparam("keys", expanding=True)),
           ReceiptLayer.quantity_left > 0)
    .order_by(ReceiptLayer.received_at, ReceiptLayer.id)
)
_INSERT_LAYERS = insert(_LAYER)
