"""Two buyers approving one waiting adjustment at once: it posts once, the other is told it is decided."""
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openvmi.access import Actor, Role
from openvmi.db import create_db_engine, create_session_factory
from openvmi.errors import DomainError
from openvmi.ledger.models import StockMove
from openvmi.ledger.queries import invariant_violations, on_hand
from openvmi.vmi.adjustments import service as adjustments
from openvmi.vmi.adjustments.rules import AdjustmentAction
from openvmi.vmi.adjustments.schemas import AdjustmentCreate, AdjustmentDecision
from tests.builders import (
    make_item, make_location, make_party, make_supplier_item, make_user, make_vmi_agreement, make_vmi_location,
    receive,
)

BUYERS = 4


def actor(user, supplier_id=None) -> Actor:
    return Actor(user_id=user.id, username=user.username, role=Role(user.role), supplier_id=supplier_id)


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_buyers_approving_one_adjustment_at_once_post_it_once(fresh_database):
    engine = create_db_engine(fresh_database)
    factory = create_session_factory(engine)
    with factory() as session:
        supplier = make_party(session)
        store = make_vmi_location(session)
        scrap = make_location(session, kind="virtual")
        item = make_item(session)
        agreement = make_vmi_agreement(session, supplier_item=make_supplier_item(session, supplier=supplier, item=item),
                                       location=store, activate=True)
        receive(session, item=item, location=store, owner=supplier, quantity=10)
        requester = actor(make_user(session, role=Role.SUPPLIER, supplier=supplier), supplier.id)
        buyers = [actor(make_user(session, role=Role.BUYER)) for _ in range(BUYERS)]
        row, _ = adjustments.create_adjustment(session, AdjustmentCreate(
            agreement_id=agreement.id, direction="decrease", quantity=Decimal(4), reason="expiry",
            adjustment_location_id=scrap.id), actor=requester)
        adjustment_id, item_id, store_id, supplier_id = row.id, item.id, store.id, supplier.id
        session.commit()
    start = threading.Barrier(BUYERS)

    def approve(buyer: Actor) -> str:
        with factory() as session:
            start.wait()
            try:
                adjustments.decide_adjustment(session, adjustment_id, AdjustmentAction.APPROVE, AdjustmentDecision(),
                                              actor=buyer)
                session.commit()
            except DomainError as refused:
                return refused.code
            return "ok"

    with ThreadPoolExecutor(max_workers=BUYERS) as pool:
        outcomes = sorted(pool.map(approve, buyers))

    # one approval posts the 4; the others find it decided (without the row lock each would post it again)
    assert outcomes == [adjustments.AdjustmentAlreadyDecided.code] * (BUYERS - 1) + ["ok"]
    with factory() as session:
        assert on_hand(session, item_id=item_id, location_id=store_id, owner_id=supplier_id) == Decimal(6)
        assert session.scalar(select(func.count()).select_from(StockMove).where(StockMove.kind == "adjustment")) == 1
        assert invariant_violations(session) == []
    engine.dispose()
