"""Posting stock moves: the one use case that changes stock. Caller commits."""
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Integer, String, cast, insert, literal, null, select, tuple_, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from openvmi.catalog.models import Item
from openvmi.db import quantize, utcnow
from openvmi.errors import (
    Conflict, FieldError, IdempotencyMismatch, InsufficientStock, InvalidInput, Shortfall,
)
from openvmi.ledger import rules
from openvmi.ledger.locks import lock_balances
from openvmi.ledger.models import Location, Posting, ReceiptLayer, StockBalance, StockMove
from openvmi.ledger.schemas import (
    BalanceKey, LocationCreate, MoveCreate, MoveRead, PostingCreate, PostingRead,
)
from openvmi.parties.models import Party, Plant


def post_moves(session: Session, posting: PostingCreate, *, actor_id: int | None,
               idempotency_key: str | None = None) -> PostingRead:
    """Journal the moves and update every balance and FIFO layer atomically, or change nothing.

    A physical location never goes below zero: every short line is reported at once. With an
    idempotency key, a retry returns the first posting and writes nothing. Caller commits.
    """
    request_hash = _hash_request(posting)
    if idempotency_key is not None:
        replay = _find_replay(session, idempotency_key, request_hash)
        if replay is not None:
            return replay
    keys = [key for move in posting.moves for key in (move.source, move.target)]
    known = _load_references(session, posting.moves, keys)

    posting_id = _insert_posting(session, idempotency_key, request_hash, actor_id)
    if posting_id is None:
        # A concurrent retry with the same key blocked on the unique index until the first
        # committed, and inserted nothing: answer with the winner's posting.
        replay = _find_replay(session, idempotency_key or "", request_hash)
        if replay is None:
            raise Conflict(f"Idempotency-Key {idempotency_key!r} is in use by an unfinished request; retry")
        return replay

    balances = lock_balances(session, keys, existing=known.balance_keys, location_kinds=known.location_kinds)
    _refuse_shortfalls(session, posting.moves, balances)
    open_layers = _open_layers(session, posting.moves, balances)  # before adding moves: no autoflush

    now = utcnow()
    stock_moves = [
        StockMove(posting_id=posting_id, created_by_id=actor_id, created_at=now, **move.model_dump())
        for move in posting.moves
    ]
    session.add_all(stock_moves)
    session.flush()  # move ids for the layers; CHECK violations surface here
    for move, stock_move in zip(posting.moves, stock_moves, strict=True):
        source, target = balances[move.source], balances[move.target]
        source.on_hand = quantize(source.on_hand - move.quantity)
        target.on_hand = quantize(target.on_hand + move.quantity)
        source.updated_at = target.updated_at = now
        _move_layers(session, move, stock_move, open_layers, source=source, target=target, now=now)
    session.flush()
    return PostingRead(posting_id=posting_id, replayed=False,
                       moves=[MoveRead.model_validate(m) for m in stock_moves])


def _hash_request(posting: PostingCreate) -> str:
    canonical = json.dumps(posting.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _find_replay(session: Session, idempotency_key: str, request_hash: str) -> PostingRead | None:
    found = session.scalars(select(Posting).where(Posting.idempotency_key == idempotency_key)).first()
    if found is None:
        return None
    if found.request_hash != request_hash:
        raise IdempotencyMismatch(
            f"Idempotency-Key {idempotency_key!r} was already used for a different request")
    moves = session.scalars(
        select(StockMove).where(StockMove.posting_id == found.id).order_by(StockMove.id)).all()
    return PostingRead(posting_id=found.id, replayed=True,
                       moves=[MoveRead.model_validate(m) for m in moves])


@dataclass(frozen=True)
class _Known:
    location_kinds: dict[int, str]
    balance_keys: set[BalanceKey]  # balances that exist already, so need no creating


def _load_references(session: Session, moves: list[MoveCreate], keys: list[BalanceKey]) -> _Known:
    """Unknown items, locations or owners are input errors, named per field.

    One round trip reads the referenced ids, the location kinds and which balances exist.
    """
    item_ids = {m.item_id for m in moves}
    location_ids = {lid for m in moves for lid in (m.from_location_id, m.to_location_id)}
    owner_ids = {oid for m in moves for oid in (m.from_owner_id, m.to_owner_id)}
    no_id, no_kind = cast(null(), Integer), cast(null(), String)
    rows = session.execute(union_all(
        select(literal("item"), Item.id, no_id, no_id, no_kind).where(Item.id.in_(item_ids)),
        select(literal("location"), Location.id, no_id, no_id, Location.kind).where(Location.id.in_(location_ids)),
        select(literal("owner"), Party.id, no_id, no_id, no_kind).where(Party.id.in_(owner_ids)),
        select(literal("balance"), StockBalance.item_id, StockBalance.location_id, StockBalance.owner_id, no_kind)
        .where(tuple_(StockBalance.item_id, StockBalance.location_id, StockBalance.owner_id).in_(set(keys))),
    )).all()
    known_items = {row[1] for row in rows if row[0] == "item"}
    location_kinds = {row[1]: row[4] for row in rows if row[0] == "location"}
    known_owners = {row[1] for row in rows if row[0] == "owner"}
    errors = []
    for index, move in enumerate(moves):
        checks = [("item_id", move.item_id, known_items),
                  ("from_location_id", move.from_location_id, location_kinds),
                  ("to_location_id", move.to_location_id, location_kinds),
                  ("from_owner_id", move.from_owner_id, known_owners),
                  ("to_owner_id", move.to_owner_id, known_owners)]
        errors += [FieldError(f"moves[{index}].{field}", f"no such {field.removesuffix('_id')}: {value}")
                   for field, value, known in checks if value not in known]
    if errors:
        raise InvalidInput(errors)
    return _Known(location_kinds=location_kinds,
                  balance_keys={(row[1], row[2], row[3]) for row in rows if row[0] == "balance"})


def _insert_posting(session: Session, idempotency_key: str | None, request_hash: str,
                    actor_id: int | None) -> int | None:
    """The posting row's id, or None when a concurrent request with the same key got there first."""
    values = {"idempotency_key": idempotency_key, "request_hash": request_hash, "created_by_id": actor_id,
              "created_at": utcnow()}
    if idempotency_key is None:
        return session.execute(insert(Posting).values(values).returning(Posting.id)).scalar_one()
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # A concurrent retry with the same key waits here on the unique index until the first
    # commits, then inserts nothing, so no savepoint is needed to recover from the clash.
    return session.execute(dialect.insert(Posting).values(values)
                           .on_conflict_do_nothing(index_elements=["idempotency_key"])
                           .returning(Posting.id)).scalar_one_or_none()


def _refuse_shortfalls(session: Session, moves: list[MoveCreate],
                       balances: dict[tuple[int, int, int], StockBalance]) -> None:
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


def _open_layers(session: Session, moves: list[MoveCreate],
                 balances: dict[BalanceKey, StockBalance]) -> dict[BalanceKey, list[ReceiptLayer]]:
    """The FIFO layers holding stock at every physical source, oldest first, in one query.

    Layers are guarded by the balance row lock already held, so they need no lock of their own.
    """
    drained = sorted({move.source for move in moves if balances[move.source].is_physical})
    open_layers: dict[BalanceKey, list[ReceiptLayer]] = {key: [] for key in drained}
    if drained:
        for layer in session.scalars(
                select(ReceiptLayer)
                .where(tuple_(ReceiptLayer.item_id, ReceiptLayer.location_id, ReceiptLayer.owner_id).in_(drained),
                       ReceiptLayer.quantity_left > 0)
                .order_by(ReceiptLayer.received_at, ReceiptLayer.id)):
            open_layers[(layer.item_id, layer.location_id, layer.owner_id)].append(layer)
    return open_layers


def _move_layers(session: Session, move: MoveCreate, stock_move: StockMove,
                 open_layers: dict[BalanceKey, list[ReceiptLayer]], *,
                 source: StockBalance, target: StockBalance, now: datetime) -> None:
    """Drain the source's FIFO layers and open layers at a physical target.

    Stock moved between physical places keeps its original receipt date, so aging stays true.
    """
    ages = [(move.quantity, now)]
    if source.is_physical:
        layers = open_layers[move.source]
        draws = rules.drain_fifo([(layer.quantity_left, layer.received_at) for layer in layers], move.quantity)
        for draw in draws:
            layers[draw.layer_index].quantity_left = quantize(layers[draw.layer_index].quantity_left - draw.quantity)
        ages = [(draw.quantity, draw.received_at) for draw in draws]
    if target.is_physical:
        opened = [
            ReceiptLayer(item_id=move.item_id, location_id=move.to_location_id, owner_id=move.to_owner_id,
                         move_id=stock_move.id, quantity_received=quantity, quantity_left=quantity,
                         received_at=received_at)
            for quantity, received_at in ages]
        session.add_all(opened)
        if move.target in open_layers:  # a later line of this posting may drain them
            # Stable sort: same-date layers stay in id order, as the query returns them.
            open_layers[move.target] = sorted([*open_layers[move.target], *opened], key=lambda l: l.received_at)


def create_location(session: Session, location: LocationCreate) -> Location:
    """Add a stock location; supplier sites belong to one supplier, buyer sites to a plant. Caller commits."""
    errors = []
    plant_id = supplier_id = None
    if location.plant_code:
        plant_id = session.scalar(select(Plant.id).where(Plant.code == location.plant_code))
        if plant_id is None:
            errors.append(FieldError("plant_code", f"no such plant: {location.plant_code}"))
    if location.kind == "supplier_site":
        if not location.supplier_code:
            errors.append(FieldError("supplier_code", "a supplier site needs its supplier"))
        else:
            supplier_id = session.scalar(select(Party.id).where(
                Party.code == location.supplier_code, Party.kind == "supplier"))
            if supplier_id is None:
                errors.append(FieldError("supplier_code", f"no such supplier: {location.supplier_code}"))
    elif location.supplier_code:
        errors.append(FieldError("supplier_code", "only supplier sites belong to a supplier"))
    if session.scalar(select(Location.id).where(Location.code == location.code)) is not None:
        errors.append(FieldError("code", f"location {location.code} already exists"))
    if errors:
        raise InvalidInput(errors)
    row = Location(code=location.code, name=location.name, kind=location.kind,
                   plant_id=plant_id, supplier_id=supplier_id)
    session.add(row)
    session.flush()
    return row
