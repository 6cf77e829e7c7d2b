"""Property: whatever sequence of moves is tried, the ledger adds up and physical stock never goes negative."""
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from openvmi.errors import InsufficientStock, InvalidInput
from openvmi.ledger import service
from openvmi.ledger.models import ReceiptLayer, StockBalance
from openvmi.ledger.queries import balance_mismatches
from openvmi.ledger.schemas import MoveCreate, PostingCreate
from tests.builders import make_item, make_location, make_party

LOCATION_KINDS = ["vmi", "warehouse", "in_transit", "virtual", "production"]
UNKNOWN = 999_999_999

quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(60), places=3)
# Item 2 does not exist: one line in ten is invalid input, so most postings still go through.
item_choices = st.integers(0, 9).map(lambda n: 2 if n == 9 else n % 2)
lines = st.tuples(item_choices, st.integers(0, len(LOCATION_KINDS) - 1), st.integers(0, 2),
                  st.integers(0, len(LOCATION_KINDS) - 1), st.integers(0, 2), quantities)
postings = st.lists(st.lists(lines, min_size=1, max_size=3), min_size=1, max_size=8)


def check_ledger(session) -> None:
    assert balance_mismatches(session) == []
    negative = session.scalar(select(func.count()).select_from(StockBalance).where(
        StockBalance.is_physical, StockBalance.on_hand < 0))
    assert negative == 0
    layered = {(item_id, location_id, owner_id): total for item_id, location_id, owner_id, total in session.execute(
        select(ReceiptLayer.item_id, ReceiptLayer.location_id, ReceiptLayer.owner_id,
               func.sum(ReceiptLayer.quantity_left))
        .group_by(ReceiptLayer.item_id, ReceiptLayer.location_id, ReceiptLayer.owner_id))}
    for balance in session.scalars(select(StockBalance).where(StockBalance.is_physical)):
        in_layers = Decimal(str(layered.get(balance.key, 0))).quantize(Decimal("0.000001"))
        assert in_layers == balance.on_hand, f"layers of {balance.key} hold {in_layers}, balance {balance.on_hand}"


def test_any_sequence_of_moves_keeps_the_ledger_consistent(session):
    items = [make_item(session), make_item(session)]
    owners = [make_party(session), make_party(session), make_party(session, kind="buyer")]
    locations = [make_location(session, kind=kind) for kind in LOCATION_KINDS]
    item_ids = [items[0].id, items[1].id, UNKNOWN]

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(postings)
    def run(batches):
        example = session.begin_nested()
        try:
            for batch in batches:
                moves = []
                for item, source, source_owner, target, target_owner, quantity in batch:
                    if (source, source_owner) == (target, target_owner):
                        target_owner = (target_owner + 1) % len(owners)
                    moves.append(MoveCreate(
                        item_id=item_ids[item], quantity=quantity,
                        from_location_id=locations[source].id, from_owner_id=owners[source_owner].id,
                        to_location_id=locations[target].id, to_owner_id=owners[target_owner].id,
                        kind="transfer"))
                attempt = session.begin_nested()  # what an entrypoint's rollback does for a refused use case
                try:
                    service.post_moves(session, PostingCreate(moves=moves), actor=None)
                except (InsufficientStock, InvalidInput):
                    attempt.rollback()
                else:
                    attempt.commit()
                check_ledger(session)
        finally:
            example.rollback()

    run()
