"""Posting stock moves: the one use case that changes stock. Caller commits.

Checks the request, takes the balance locks, loads what the planner needs, and hands the plan to
the writer: `planner.plan_posting` decides what is written, `writer.write_plan` writes it.
"""
import hashlib
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, or_, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from openvmi.access import Actor
from openvmi.catalog.models import Item
from openvmi.db import quantize, utcnow
from openvmi.errors import (
    Conflict, FieldError, IdempotencyMismatch, InsufficientStock, InvalidInput, PermissionDenied, Reason, Shortfall,
)
from openvmi.ledger import fast_path, planner, writer
from openvmi.ledger.locks import LockedBalance, lock_balances
from openvmi.ledger.models import LayerDraw, ReceiptLayer, StockBalance, StockMove
from openvmi.ledger.planner import BalanceKey, OpenLayer, ReversedMove, Short
from openvmi.ledger.references import (
    References, forget_balances, known_facts, load_references, remember, remember_balances,
)
from openvmi.ledger.rules import DocumentKind, MoveKind, Route, route_problem
from openvmi.ledger.schemas import (
    MANUAL, DocumentRef, MoveCreate, MoveRead, PostingCreate, PostingRead,
)
from openvmi.locations.models import Location
from openvmi.locations.rules import PHYSICAL_KINDS, LocationKind
from openvmi.parties.models import Party
from openvmi.parties.rules import PartyKind
from openvmi.scoping import current_supplier_scope, select_rows

SYSTEM_CALLER = "system"  # postings made by the product itself (demo, jobs), not by a caller


def post_moves(session: Session, posting: PostingCreate, *, actor: Actor | None,
               idempotency_key: str | None = None, document: DocumentRef = MANUAL) -> PostingRead:
    """Journal the moves for `document` and update every balance and FIFO layer atomically, or
    change nothing.

    A physical location never goes below zero: every short line is reported at once. Every move
    must follow `rules.ROUTES`; only a consumption or a buyout document hands a supplier's stock
    to the buyer. With an idempotency key (the caller's own), a retry returns the first posting
    and writes nothing. Caller commits.
    """
    caller_key = actor.caller_key if actor is not None else SYSTEM_CALLER
    actor_id = actor.user_id if actor is not None else None
    request_hash = _hash_request(posting, document)
    keys = [key for move in posting.moves for key in (move.source, move.target)]
    known = known_facts(session)  # what this engine has seen; None in a supplier's session
    balances_known = known is not None and set(keys) <= known.balances
    if fast_path.applies(session, posting) and known is not None and known.has_kinds(posting.moves):
        _refuse_bad_routes(posting.moves, known.location_kinds, known.owner_kinds, document)
        move = posting.moves[0]
        posted = fast_path.post_one_move(
            session, move, actor_id=actor_id, caller_key=caller_key, idempotency_key=idempotency_key,
            request_hash=request_hash, document=document, now=utcnow(), balances_known=balances_known,
            physical=(known.location_kinds[move.from_location_id] in PHYSICAL_KINDS,
                      known.location_kinds[move.to_location_id] in PHYSICAL_KINDS))
        if posted is not None:
            if not balances_known:  # the function found both: no need to look again
                remember_balances(session, keys)
            return posted
    references: References | None = None
    if not balances_known:
        references = load_references(session, posting.moves, keys, caller_key=caller_key,
                                     idempotency_key=idempotency_key)
        if references.replay is not None:  # a retry: answered before the request is checked, as always
            return _replay(session, idempotency_key or "", request_hash, *references.replay)
        _refuse_unknown_references(posting.moves, references)
    # Before any lock: in a supplier's session the buyer's balances are invisible, so a
    # foreign move must be refused here, not stumble over a balance it cannot see.
    _refuse_foreign_moves(session, posting.moves)

    now = utcnow()
    connection = session.connection()  # plain Core statements: no ORM execution layer needed
    new_posting: dict[str, Any] | None = {
        "caller_key": caller_key, "idempotency_key": idempotency_key, "request_hash": request_hash,
        "document_kind": document.kind.value, "document_id": document.id, "created_by_id": actor_id,
        "created_at": now}
    posting_id = None
    if idempotency_key is not None:
        posting_id = writer.insert_keyed_posting(connection, new_posting)
        if posting_id is None:  # the concurrent retry, or any retry once the references needed no check
            replay = _find_replay(session, caller_key, idempotency_key, request_hash)
            if replay is None:
                raise Conflict(f"Idempotency-Key {idempotency_key!r} is in use by an unfinished request; retry")
            return replay
        new_posting = None

    balances = _lock(session, posting.moves, keys, references)
    reversed_moves = _reversed_moves(session, posting.moves)
    planner.refuse_bad_reversals(posting.moves, reversed_moves)
    # Against the kinds read with the locks, so a remembered id can never stand for another row.
    _refuse_bad_routes(posting.moves, {key[1]: LocationKind(row.location_kind) for key, row in balances.items()},
                       {key[2]: PartyKind(row.owner_kind) for key, row in balances.items()}, document)
    layers = _layers(session, posting.moves, balances, reversed_moves)
    plan = planner.plan_posting(posting.moves, balances, layers, reversed_moves,
                                posting={"created_by_id": actor_id}, now=now)
    if plan.shortfalls:
        raise _insufficient(session, plan.shortfalls)
    posting_id, move_ids = writer.write_plan(connection, plan, posting_id=posting_id, new_posting=new_posting,
                                             now=now)
    _refresh_loaded(session, plan, now=now)
    return PostingRead(posting_id=posting_id, replayed=False, document=document, moves=[
        MoveRead.model_validate({**row, "id": move_id, "posting_id": posting_id, "document_kind": document.kind,
                                 "document_id": document.id})
        for row, move_id in zip(plan.moves, move_ids, strict=True)])


def _hash_request(posting: PostingCreate, document: DocumentRef) -> str:
    """The request's fingerprint: its JSON in the schemas' field order (fixed by the schemas)."""
    digest = hashlib.sha256(document.model_dump_json().encode())
    digest.update(posting.model_dump_json().encode())
    return digest.hexdigest()


def _find_replay(session: Session, caller_key: str, idempotency_key: str, request_hash: str) -> PostingRead | None:
    found = session.connection().execute(_FIND_POSTING, {"caller_key": caller_key,
                                                         "idempotency_key": idempotency_key}).first()
    if found is None:
        return None
    return _replay(session, idempotency_key, request_hash, found.id, found.request_hash)


def _replay(session: Session, idempotency_key: str, request_hash: str, posting_id: int,
            stored_hash: str) -> PostingRead:
    """The first answer to a request sent again with its idempotency key; another request is refused."""
    if stored_hash != request_hash:
        raise IdempotencyMismatch(
            f"Idempotency-Key {idempotency_key!r} was already used for a different request")
    moves = session.scalars(select(StockMove).where(StockMove.posting_id == posting_id).order_by(StockMove.id)).all()
    document = DocumentRef(kind=moves[0].document_kind, id=moves[0].document_id) if moves else MANUAL
    return PostingRead(posting_id=posting_id, replayed=True, document=document,
                       moves=[MoveRead.model_validate(move) for move in moves])


def _refuse_unknown_references(moves: list[MoveCreate], known: References) -> None:
    """Unknown items, locations or owners are input errors, named per field."""
    errors = []
    for index, move in enumerate(moves):
        checks = [("item_id", move.item_id, known.items),
                  ("from_location_id", move.from_location_id, known.location_kinds),
                  ("to_location_id", move.to_location_id, known.location_kinds),
                  ("from_owner_id", move.from_owner_id, known.owner_kinds),
                  ("to_owner_id", move.to_owner_id, known.owner_kinds)]
        errors += [FieldError(f"moves[{index}].{field}", f"no such {field.removesuffix('_id')}: {value}")
                   for field, value, known_ids in checks if value not in known_ids]
    if errors:
        raise InvalidInput(errors)


def _refuse_bad_routes(moves: list[MoveCreate], location_kinds: dict[int, LocationKind],
                       owner_kinds: dict[int, PartyKind], document: DocumentRef) -> None:
    """Every move follows rules.ROUTES; a reversal is held to the move it mirrors."""
    errors = []
    for index, move in enumerate(moves):
        ends = [(move.from_location_id, move.from_owner_id), (move.to_location_id, move.to_owner_id)]
        if move.reverses_move_id is not None:
            ends.reverse()
        (source, from_owner), (target, to_owner) = ends
        problem = route_problem(Route(
            kind=MoveKind(move.kind), from_location=location_kinds[source], to_location=location_kinds[target],
            same_location=source == target, from_owner=owner_kinds[from_owner], to_owner=owner_kinds[to_owner],
            same_owner=from_owner == to_owner), document=DocumentKind(document.kind))
        if problem is not None:
            field, msgid, params = problem
            if move.reverses_move_id is not None:
                field = "reverses_move_id"
            errors.append(FieldError(f"moves[{index}].{field}", Reason(msgid, **params)))
    if errors:
        raise InvalidInput(errors)


def _refuse_foreign_moves(session: Session, moves: list[MoveCreate]) -> None:
    """A supplier's session may only move its own stock (openvmi.scoping's rule for StockMove).

    The unit of work is not used for the journal, so its before_flush check is made here. The
    balances and layers written belong to the moves' owners, so they need no check of their own.
    """
    supplier_id = current_supplier_scope(session)
    if supplier_id is None:
        return
    for move in moves:
        if not StockMove(from_owner_id=move.from_owner_id, to_owner_id=move.to_owner_id).writable_by(supplier_id):
            raise PermissionDenied("StockMove belongs to another supplier")


def _lock(session: Session, moves: list[MoveCreate], keys: list[BalanceKey],
          references: References | None) -> dict[BalanceKey, LockedBalance]:
    """Lock the posting's balances, creating missing ones; with `references` None, all were seen before.

    Balances are never deleted, and one that existed before a posting was committed by someone
    (in the API, one posting is one transaction), so remembering them per engine saves the
    references query. Should one have been rolled back after all (several postings in one
    transaction), the lock misses it and the references are checked as usual. (Creating it then
    happens under the locks just taken, against the usual order; a deadlock there is possible only
    for a balance rolled back while another writer creates it at that moment, and PostgreSQL
    would break it.)
    """
    if references is None:
        balances = lock_balances(session, keys, existing=keys)
        if len(balances) == len(set(keys)):
            return balances
        forget_balances(session)
        references = load_references(session, moves, keys, caller_key=None, idempotency_key=None)
        _refuse_unknown_references(moves, references)
    remember(session, references)
    return lock_balances(session, keys, existing=references.balance_keys, location_kinds=references.location_kinds)


def _reversed_moves(session: Session, moves: list[MoveCreate]) -> dict[int, ReversedMove]:
    """The moves being reversed, with what earlier reversals took back, read under the balance
    locks (a reversal's balances are its move's), so two reversals cannot both take the rest."""
    wanted = list({move.reverses_move_id for move in moves if move.reverses_move_id is not None})
    if not wanted:
        return {}
    originals = select_rows(session, _ORIGINALS, {"ids": wanted})
    reversed_quantity = dict(select_rows(session, _REVERSED, {"ids": wanted}))
    draws: dict[int, dict[int, Decimal]] = {original.id: {} for original in originals}
    for move_id, reverses_move_id, layer_id, quantity in select_rows(session, _DRAWS_OF, {"ids": wanted}):
        if move_id in draws:  # the original's own draw, in the order it drew
            draws[move_id][layer_id] = draws[move_id].get(layer_id, Decimal(0)) + quantity
        elif quantity < 0 and layer_id in draws.get(reverses_move_id, {}):  # given back by an earlier reversal
            draws[reverses_move_id][layer_id] += quantity
    return {original.id: ReversedMove(
        id=original.id, item_id=original.item_id, quantity=original.quantity,
        from_location_id=original.from_location_id, from_owner_id=original.from_owner_id,
        to_location_id=original.to_location_id, to_owner_id=original.to_owner_id, kind=original.kind,
        reverses_move_id=original.reverses_move_id,
        reversed_quantity=quantize(Decimal(str(reversed_quantity.get(original.id, 0)))),
        draws=tuple(draws[original.id].items())) for original in originals}


def _layers(session: Session, moves: list[MoveCreate], balances: dict[BalanceKey, LockedBalance],
            reversed_moves: dict[int, ReversedMove]) -> dict[BalanceKey, list[OpenLayer]]:
    """The open FIFO layers at every physical source, oldest first, and at the physical target of
    a reversal also the layers its move drew from (empty ones too): one query. Layers are guarded
    by the balance row locks already held, so they need no lock of their own."""
    keys = {move.source for move in moves if balances[move.source].is_physical}
    restored = [layer_id for move in moves if move.reverses_move_id in reversed_moves
                and balances[move.target].is_physical
                for layer_id, _ in reversed_moves[move.reverses_move_id].draws]
    keys |= {move.target for move in moves if move.reverses_move_id in reversed_moves
             and balances[move.target].is_physical}
    found: dict[BalanceKey, list[OpenLayer]] = {key: [] for key in keys}
    if keys:
        for layer in select_rows(session, _LAYERS, {"keys": sorted(keys), "restored": restored}):
            found[(layer.item_id, layer.location_id, layer.owner_id)].append(
                OpenLayer(layer.quantity_left, layer.received_at, id=layer.id))
    return found


def _insufficient(session: Session, shortfalls: list[Short]) -> InsufficientStock:
    """Every short line, named by codes people know."""
    item_codes = dict(session.execute(select(Item.id, Item.code).where(
        Item.id.in_({short.key[0] for short in shortfalls}))).all())
    location_codes = dict(session.execute(select(Location.id, Location.code).where(
        Location.id.in_({short.key[1] for short in shortfalls}))).all())
    owner_codes = dict(session.execute(select(Party.id, Party.code).where(
        Party.id.in_({short.key[2] for short in shortfalls}))).all())
    return InsufficientStock([
        Shortfall(item_code=item_codes[item_id], location_code=location_codes[location_id],
                  owner_code=owner_codes[owner_id], requested=short.requested, available=short.available)
        for short in shortfalls for item_id, location_id, owner_id in [short.key]])


def _refresh_loaded(session: Session, plan: planner.Plan, *, now: Any) -> None:
    refresh_loaded(session, plan.balances, plan.drawn, now=now)


def refresh_loaded(session: Session, balances: Iterable[tuple[int, Decimal]],
                   drawn: Iterable[tuple[int, Decimal]], *, now: Any) -> None:
    """Loaded balances (id, on hand) and layers (id, quantity left) stay true to what a posting wrote, as
    after a flush: for writers that bypass the unit of work."""
    if not session.identity_map:
        return
    for balance_id, on_hand in balances:
        loaded = session.identity_map.get(identity_key(StockBalance, balance_id))
        if loaded is not None:
            set_committed_value(loaded, "on_hand", on_hand)
            set_committed_value(loaded, "updated_at", now)
    for layer_id, quantity_left in drawn:
        loaded = session.identity_map.get(identity_key(ReceiptLayer, layer_id))
        if loaded is not None:
            set_committed_value(loaded, "quantity_left", quantity_left)


# Built once: constructing statements on every call cost more than running them.
# Postings belong to no supplier, so a plain Core query needs no supplier criteria.
_FIND_POSTING = select(writer.POSTING.c.id, writer.POSTING.c.request_hash).where(
    writer.POSTING.c.caller_key == bindparam("caller_key"),
    writer.POSTING.c.idempotency_key == bindparam("idempotency_key"))
_IDS = bindparam("ids", expanding=True)
_ORIGINALS = select(StockMove.id, StockMove.item_id, StockMove.quantity, StockMove.from_location_id,
                    StockMove.from_owner_id, StockMove.to_location_id, StockMove.to_owner_id, StockMove.kind,
                    StockMove.reverses_move_id).where(StockMove.id.in_(_IDS))
_REVERSED = (select(StockMove.reverses_move_id, func.sum(StockMove.quantity))
             .where(StockMove.reverses_move_id.in_(_IDS)).group_by(StockMove.reverses_move_id))
_DRAWS_OF = (  # the originals' draws first (lower ids), then what their reversals gave back
    select(LayerDraw.move_id, StockMove.reverses_move_id, LayerDraw.layer_id, LayerDraw.quantity)
    .join(StockMove, StockMove.id == LayerDraw.move_id)
    .where(or_(StockMove.id.in_(_IDS), StockMove.reverses_move_id.in_(_IDS)))
    .order_by(LayerDraw.id))
_LAYERS = (  # columns, not entities: cheaper to load; the supplier criteria still apply
    select(ReceiptLayer.id, ReceiptLayer.item_id, ReceiptLayer.location_id, ReceiptLayer.owner_id,
           ReceiptLayer.quantity_left, ReceiptLayer.received_at)
    .where(tuple_(ReceiptLayer.item_id, ReceiptLayer.location_id, ReceiptLayer.owner_id)
           .in_(bindparam("keys", expanding=True)),
           or_(ReceiptLayer.quantity_left > 0, ReceiptLayer.id.in_(bindparam("restored", expanding=True))))
    .order_by(ReceiptLayer.received_at, ReceiptLayer.id))
