"""Supplier adjustments over HTTP: pending -> approved -> stock moved, rejected -> nothing moved, posted at once
where no approval is agreed, and a supplier never touching the buyer's or another supplier's stock."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from openvmi.access import Role
from openvmi.ledger.models import StockMove
from openvmi.ledger.queries import on_hand
from tests.builders import (
    bearer, consume, make_buyer, make_item, make_location, make_party, make_supplier_item, make_user,
    make_vmi_agreement, make_vmi_location, receive,
)

ADJUSTMENTS = "/api/v1/vmi/adjustments"


class Case:
    pass


@pytest.fixture
def consigned(session):
    """An active agreement needing approval, 10 of the supplier's stock at its VMI location, and who acts."""
    case = Case()
    case.supplier = make_party(session)
    case.store = make_vmi_location(session)
    case.scrap = make_location(session, kind="virtual")
    case.item = make_item(session)
    case.supplier_item = make_supplier_item(session, supplier=case.supplier, item=case.item)
    case.agreement = make_vmi_agreement(session, supplier_item=case.supplier_item, location=case.store, activate=True)
    case.buyer_party = make_buyer(session)
    receive(session, item=case.item, location=case.store, owner=case.supplier, quantity=10)
    case.buyer = bearer(session, make_user(session, role=Role.BUYER))
    case.supplier_user = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=case.supplier))
    session.commit()
    return case


def stock(session, case, owner=None, location=None) -> Decimal:
    session.expire_all()
    return on_hand(session, item_id=case.item.id, location_id=(location or case.store).id,
                   owner_id=(owner or case.supplier).id)


def ask(api_client, case, direction="decrease", quantity="3", headers=None, **extra):
    return api_client.post(ADJUSTMENTS, headers=headers or case.supplier_user, json={
        "agreement_id": case.agreement.id, "direction": direction, "quantity": quantity, "reason": "damage",
        "comment": "pallet dropped", "adjustment_location_id": case.scrap.id} | extra)


def test_a_pending_decrease_moves_nothing_until_the_buyer_approves_it(session, api_client, consigned):
    case = consigned
    # given a supplier asking to write off 3 damaged units under an agreement that needs approval
    asked = ask(api_client, case)
    waiting = stock(session, case)

    # when the buyer approves it with a comment
    approved = api_client.post(f"{ADJUSTMENTS}/{asked.json()['id']}/approve", headers=case.buyer,
                               json={"comment": "seen the photos"})

    # then the stock left the supplier's balance only then, to the write-off place, still the supplier's
    assert (asked.status_code, asked.json()["state"], waiting) == (201, "pending", Decimal(10))
    assert approved.status_code == 200, approved.text
    assert (approved.json()["state"], approved.json()["decision_comment"]) == ("posted", "seen the photos")
    assert approved.json()["decided_by_id"] is not None and approved.json()["posting_id"] is not None
    assert stock(session, case) == Decimal(7)
    assert stock(session, case, location=case.scrap) == Decimal(3)
    move = session.scalars(select(StockMove).where(StockMove.posting_id == approved.json()["posting_id"])).one()
    assert (move.kind, move.document_kind, move.from_owner_id, move.to_owner_id) == (
        "adjustment", "adjustment", case.supplier.id, case.supplier.id)


def test_a_rejected_adjustment_moves_nothing_and_needs_a_reason(session, api_client, consigned):
    case = consigned
    asked = ask(api_client, case, direction="increase", quantity="5", reason="cycle_count").json()

    silent = api_client.post(f"{ADJUSTMENTS}/{asked['id']}/reject", headers=case.buyer)
    rejected = api_client.post(f"{ADJUSTMENTS}/{asked['id']}/reject", headers=case.buyer,
                               json={"comment": "count again"})
    again = api_client.post(f"{ADJUSTMENTS}/{asked['id']}/approve", headers=case.buyer)

    assert (silent.status_code, silent.json()["code"]) == (422, "invalid_input")
    assert rejected.json()["state"] == "rejected"
    listed = api_client.get(ADJUSTMENTS, headers=case.buyer, params={"state": "rejected"}).json()["items"]
    assert [(a["id"], a["item_code"], a["decision_comment"]) for a in listed] == [
        (asked["id"], case.item.code, "count again")]
    assert (again.status_code, again.json()["code"]) == (409, "adjustment_already_decided")
    assert stock(session, case) == Decimal(10)


def test_without_approval_an_increase_posts_at_once_and_a_retry_with_its_key_answers_the_first(
        session, api_client, consigned):
    case = consigned
    case.agreement.adjustments_need_approval = False
    session.commit()
    headers = case.supplier_user | {"Idempotency-Key": "count-2026-11"}

    first = ask(api_client, case, direction="increase", quantity="2", reason="cycle_count", headers=headers)
    retry = ask(api_client, case, direction="increase", quantity="2", reason="cycle_count", headers=headers)
    other = ask(api_client, case, direction="increase", quantity="4", reason="cycle_count", headers=headers)

    assert (first.status_code, first.json()["state"]) == (201, "posted")
    assert (retry.status_code, retry.json()["id"], retry.json()["replayed"]) == (200, first.json()["id"], True)
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert stock(session, case) == Decimal(12)


def test_approval_rechecks_the_stock_and_moves_nothing_when_it_is_gone(session, api_client, consigned):
    case = consigned
    asked = ask(api_client, case, quantity="8").json()
    # meanwhile production takes 5 of the 10 (as a consumption would)
    sink = make_location(session, kind="production")
    consume(session, item=case.item, location=case.store, owner=case.supplier, quantity=5, sink=sink)
    session.commit()

    approved = api_client.post(f"{ADJUSTMENTS}/{asked['id']}/approve", headers=case.buyer)

    assert (approved.status_code, approved.json()["code"]) == (409, "insufficient_stock")
    assert api_client.get(f"{ADJUSTMENTS}/{asked['id']}", headers=case.buyer).json()["state"] == "pending"
    assert stock(session, case) == Decimal(5)


def test_a_supplier_cannot_write_off_the_buyers_stock_nor_touch_another_suppliers(session, api_client, consigned):
    case = consigned
    # given the buyer's own 20 at the same VMI location, and another supplier's agreement and adjustment
    receive(session, item=case.item, location=case.store, owner=case.buyer_party, quantity=20)
    other_supplier = make_party(session)
    other_item = make_supplier_item(session, supplier=other_supplier)
    other_agreement = make_vmi_agreement(session, supplier_item=other_item, location=case.store, activate=True)
    other_user = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=other_supplier))
    session.commit()
    theirs = ask(api_client, case, direction="increase", quantity="1", agreement_id=other_agreement.id,
                 headers=other_user)

    # when the supplier tries to write off 15 (more than its own 10), to name an owner, and to reach the other's
    too_much = ask(api_client, case, quantity="15")
    owner_named = ask(api_client, case, quantity="1", owner_id=case.buyer_party.id)
    foreign_agreement = ask(api_client, case, quantity="1", agreement_id=other_agreement.id)
    foreign_read = api_client.get(f"{ADJUSTMENTS}/{theirs.json()['id']}", headers=case.supplier_user)
    listed = api_client.get(ADJUSTMENTS, headers=case.supplier_user).json()["items"]
    approve_own = api_client.post(f"{ADJUSTMENTS}/{theirs.json()['id']}/approve", headers=case.supplier_user)

    # then nothing of the buyer's moves, and the other supplier's things answer 404 (or 403 for approving)
    assert (too_much.status_code, too_much.json()["code"]) == (409, "insufficient_stock")
    assert owner_named.status_code == 422
    assert (foreign_agreement.status_code, foreign_read.status_code) == (404, 404)
    assert listed == []
    assert approve_own.status_code == 403
    assert stock(session, case, owner=case.buyer_party) == Decimal(20)
    assert stock(session, case) == Decimal(10)


def test_a_buyer_cannot_ask_for_an_adjustment_and_an_ended_agreement_takes_none(session, api_client, consigned):
    case = consigned
    by_buyer = ask(api_client, case, headers=case.buyer)
    asked = ask(api_client, case, quantity="1").json()
    api_client.post(f"/api/v1/vmi/agreements/{case.agreement.id}/end", headers=case.buyer,
                    json={"leftover": "return", "origin_location_id": case.scrap.id})

    late = api_client.post(f"{ADJUSTMENTS}/{asked['id']}/approve", headers=case.buyer)
    after = ask(api_client, case, quantity="1")

    assert by_buyer.status_code == 403
    assert (late.status_code, late.json()["code"]) == (409, "agreement_not_active")
    assert (after.status_code, after.json()["code"]) == (409, "agreement_not_active")
