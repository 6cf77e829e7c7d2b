"""Property: whatever sequence of postings is tried (receipts, transfers, consumptions, buyouts,
write-offs, reversals of any earlier move, short, invalid and misrouted ones), the ledger adds up,
physical stock never goes negative, and the FIFO layers hold exactly what is on hand."""
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openvmi.errors import InsufficientStock, InvalidInput
from openvmi.ledger import service
from openvmi.ledger.queries import invariant_violations
from openvmi.ledger.rules import DocumentKind
from openvmi.ledger.schemas import MANUAL, MoveCreate, PostingCreate
from tests.builders import document, make_buyer, make_item, make_location, make_party

# (kind, from place, from owner, to place, to owner, document); owners: s0, s1 suppliers, b the buyer
LINES = [
    ("receipt", "origin", "s0", "store", "s0", DocumentKind.RECEIPT),
    ("receipt", "origin", "s1", "store", "s1", DocumentKind.RECEIPT),
    ("receipt", "origin", "b", "warehouse", "b", DocumentKind.RECEIPT),
    ("receipt", "origin", "s0", "quarantine", "s0", DocumentKind.RECEIPT),
    ("transfer", "store", "s0", "warehouse", "s0", DocumentKind.MANUAL),
    ("transfer", "warehouse", "s0", "store", "s0", DocumentKind.MANUAL),
    ("transfer", "store", "s1", "quarantine", "s1", DocumentKind.MANUAL),
    ("consumption", "store", "s0", "line", "b", DocumentKind.CONSUMPTION),
    ("consumption", "store", "s1", "line", "b", DocumentKind.CONSUMPTION),
    ("consumption", "warehouse", "b", "line", "b", DocumentKind.CONSUMPTION),
    ("buyout", "store", "s1", "store", "b", DocumentKind.BUYOUT),
    ("adjustment", "quarantine", "s0", "origin", "s0", DocumentKind.ADJUSTMENT),
    ("consumption", "store", "s0", "line", "b", DocumentKind.MANUAL),  # refused: unsettled transfer
    ("consumption", "quarantine", "s0", "line", "b", DocumentKind.CONSUMPTION),  # refused: quarantine
]
quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(60), places=3)
# a posting: one kind of line for one to three (item, quantity), or ("reverse", which earlier move, quantity)
steps = st.lists(st.one_of(
    st.tuples(st.integers(0, len(LINES) - 1),
              st.lists(st.tuples(st.integers(0, 1), quantities), min_size=1, max_size=3)),
    st.tuples(st.just("reverse"), st.integers(0, 50), quantities)), min_size=1, max_size=12)
OPENING = [(0, (0, Decimal(80))), (1, (1, Decimal(80))), (2, (0, Decimal(80))), (3, (1, Decimal(10)))]


def test_any_sequence_of_postings_keeps_the_ledger_consistent(session):
    owners = {"s0": make_party(session), "s1": make_party(session), "b": make_buyer(session)}
    places = {name: make_location(session, kind=kind) for name, kind in (
        ("origin", "virtual"), ("store", "vmi"), ("warehouse", "warehouse"), ("quarantine", "quarantine"),
        ("line", "production"))}
    items = [make_item(session), make_item(session)]

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(steps)
    def run(postings):
        example = session.begin_nested()
        posted: list = []
        try:
            for step in [(line, [stock]) for line, stock in OPENING] + postings:
                if step[0] == "reverse":
                    if not posted:
                        continue
                    _, which, quantity = step
                    original = posted[which % len(posted)]
                    moves = [MoveCreate(item_id=original.item_id, quantity=quantity, kind=original.kind,
                                        from_location_id=original.to_location_id, from_owner_id=original.to_owner_id,
                                        to_location_id=original.from_location_id, to_owner_id=original.from_owner_id,
                                        reverses_move_id=original.id)]
                    kind = DocumentKind(original.document_kind)
                else:
                    line, stock = step
                    move_kind, source, from_owner, target, to_owner, kind = LINES[line]
                    moves = []
                    for item, quantity in stock:
                        moves.append(MoveCreate(
                            item_id=items[item].id, quantity=quantity, kind=move_kind,
                            from_location_id=places[source].id, from_owner_id=owners[from_owner].id,
                            to_location_id=places[target].id, to_owner_id=owners[to_owner].id))
                attempt = session.begin_nested()  # what an entrypoint's rollback does for a refused use case
                try:
                    result = service.post_moves(session, PostingCreate(moves=moves), actor=None,
                                                document=MANUAL if kind is DocumentKind.MANUAL else document(kind))
                except (InsufficientStock, InvalidInput):
                    attempt.rollback()
                else:
                    attempt.commit()
                    posted += result.moves
                assert invariant_violations(session) == []
        finally:
            example.rollback()

    run()
