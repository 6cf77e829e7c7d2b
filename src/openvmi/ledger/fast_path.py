"""PostgreSQL only: a warm single move in one call of `ledger_post_one_move`.

The function's SQL lives in `ledger/sql/ledger_post_one_move.<version>.sql` (loaded by the
migrations; a test proves the deployed one is the newest file). It writes what
`ledger.planner` would plan for the plain happy path and leaves everything else to the Python
path; a property-based test compares every column the two write. Figures: bench/README.md.
"""
from datetime import datetime

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from openvmi.db import quantize
from openvmi.errors import InvalidInput
from openvmi.ledger import planner, rules
from openvmi.ledger.models import ReceiptLayer, StockBalance
from openvmi.ledger.schemas import DocumentRef, MoveCreate, MoveRead, PostingCreate, PostingRead
from openvmi.scoping import current_supplier_scope

SQL_FILE = "ledger/sql/ledger_post_one_move.3.sql"  # the version the migrations deploy last


def applies(session: Session, posting: PostingCreate) -> bool:
    """A single move that reverses nothing, on PostgreSQL, outside a supplier's session."""
    return (len(posting.moves) == 1 and posting.moves[0].reverses_move_id is None
            and session.get_bind().dialect.name == "postgresql" and current_supplier_scope(session) is None)


def post_one_move(session: Session, move: MoveCreate, *, actor_id: int | None, caller_key: str,
                  idempotency_key: str | None, request_hash: str, document: DocumentRef, now: datetime,
                  balances_known: bool, physical: tuple[bool, bool]) -> PostingRead | None:
    """The posting, or None when the function left it to the Python path (it then wrote nothing
    but, maybe, the balances it was to create). `physical`: whether the source and the target
    place are physical (locations.rules), for balances it creates.

    The driver's own call with a fixed text, so psycopg prepares it; SQLAlchemy's execution layer
    cost more client time than the posting's database work.
    """
    found = session.connection().connection.driver_connection.execute(_CALL, (
        move.item_id, move.quantity, move.from_location_id, move.from_owner_id, move.to_location_id,
        move.to_owner_id, move.kind.value, move.reference, actor_id, caller_key, idempotency_key, request_hash,
        document.kind.value, document.id, now, balances_known, *physical)).fetchone()
    move_id, posting_id, source_id, source_on_hand, target_id, target_on_hand, drawn_ids, drawn_left = found
    if move_id is None:
        return None
    # The function cannot overflow its columns: committed balances stay within limits.MAX_QUANTITY
    # and one move adds no more than that. A balance it takes past that limit is refused here as the
    # planner refuses it; the caller commits nothing after a refusal (as after a keyed shortfall).
    too_large = [planner.overflow(0, after) for after, change in ((source_on_hand, -move.quantity),
                                                                  (target_on_hand, move.quantity))
                 if rules.overflows(after - change, after)]
    if too_large:
        raise InvalidInput(too_large)
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
    # Built without validation: every value was validated as input or comes from the function
    # (quantities shown to six places, as a replay reads them).
    read = MoveRead.model_construct(
        id=move_id, posting_id=posting_id, item_id=move.item_id, quantity=quantize(move.quantity),
        from_location_id=move.from_location_id, from_owner_id=move.from_owner_id,
        to_location_id=move.to_location_id, to_owner_id=move.to_owner_id, kind=move.kind.value,
        reference=move.reference, reverses_move_id=None, document_kind=document.kind, document_id=document.id,
        created_by_id=actor_id, created_at=now)
    return PostingRead.model_construct(posting_id=posting_id, replayed=False, document=document, moves=[read])


_CALL = (
    "SELECT * FROM ledger_post_one_move(%s::integer, %s::numeric, %s::integer, %s::integer, %s::integer,"
    " %s::integer, %s::varchar, %s::varchar, %s::integer, %s::varchar, %s::varchar, %s::varchar, %s::varchar,"
    " %s::integer, %s::timestamptz, %s::boolean, %s::boolean, %s::boolean)")
