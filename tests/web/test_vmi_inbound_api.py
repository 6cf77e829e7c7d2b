"""The inbound path over HTTP: call-off, counter proposal, shipments into transit, receipt with
differences, close; stock and owners checked in the ledger at every step, on both databases."""
from decimal import Decimal

import pytest

from openvmi.access import Role
from openvmi.ledger.queries import list_balances
from openvmi.ledger.schemas import BalanceFilter
from tests.builders import (
    bearer, make_buyer, make_location, make_party, make_supplier_item, make_user, make_vmi_agreement,
    make_vmi_location,
)

CALL_OFFS, SHIPMENTS, RECEIPTS = "/api/v1/vmi/call-offs", "/api/v1/vmi/shipments", "/api/v1/vmi/receipts"


@pytest.fixture
def inbound(session):
    """An active agreement (10 % tolerance) of a supplier with its places, and who works on it."""
    supplier = make_party(session)
    store = make_vmi_location(session)
    places = {"origin": make_location(session, kind="virtual"),
              "transit": make_location(session, kind="in_transit", plant_code=None),
              "vmi": store,
              "quarantine": make_location(session, kind="quarantine", plant_code=None)}
    supplier_item = make_supplier_item(session, supplier=supplier)
    agreement = make_vmi_agreement(session, supplier_item=supplier_item, location=store, activate=True,
                                   over_shipment_tolerance_percent=Decimal(10))
    session.commit()

    class Inbound:
        pass

    case = Inbound()
    case.supplier, case.agreement, case.item_id, case.places = supplier, agreement, supplier_item.item_id, places
    case.buyer = bearer(session, make_user(session, role=Role.BUYER))
    case.supplier_user = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=supplier))
    case.clerk = bearer(session, make_user(session, role=Role.WAREHOUSE))
    case.buyer_party = make_buyer(session)
    return case


def stock(session, case) -> dict[tuple[str, str], Decimal]:
    """(place, owner) -> on hand of the agreement's item, for every non-zero balance."""
    session.expire_all()
    names = {location.id: name for name, location in case.places.items()}
    owners = {case.supplier.id: "supplier", case.buyer_party.id: "buyer"}
    page = list_balances(session, BalanceFilter(item_id=case.item_id, nonzero=True), cursor=None, limit=500)
    return {(names[b.location_id], owners[b.owner_id]): b.on_hand for b in page.items}


def ship(api_client, case, line_id, quantity, **extra):
    return api_client.post(SHIPMENTS, headers=case.supplier_user, json={
        "lines": [{"call_off_line_id": line_id, "quantity": quantity, "lot_number": extra.pop("lot", None)}],
        "carrier": "SF Express", "tracking_number": "SF123", "expected_arrival": "2026-12-10",
        "origin_location_id": case.places["origin"].id} | extra)


def accepted_call_off(api_client, case, quantity="100") -> dict:
    created = api_client.post(CALL_OFFS, headers=case.buyer, json={"lines": [
        {"agreement_id": case.agreement.id, "quantity": quantity, "due_date": "2026-12-15"}]}).json()
    api_client.post(f"{CALL_OFFS}/{created['id']}/send", headers=case.buyer)
    return api_client.post(f"{CALL_OFFS}/{created['id']}/accept", headers=case.supplier_user).json()


def test_the_inbound_story_from_call_off_to_closed_shipment(session, api_client, inbound):
    case = inbound
    # given a call-off for 100, sent to the supplier
    created = api_client.post(CALL_OFFS, headers=case.buyer, json={"lines": [
        {"agreement_id": case.agreement.id, "quantity": "100", "due_date": "2026-12-15"}]})
    call_off_id = created.json()["id"]
    line_id = created.json()["lines"][0]["id"]
    sent = api_client.post(f"{CALL_OFFS}/{call_off_id}/send", headers=case.buyer)
    assert (created.status_code, sent.json()["state"]) == (201, "sent")

    # when the supplier proposes 80 two days later, and the buyer takes the proposal
    proposed = api_client.post(f"{CALL_OFFS}/{call_off_id}/counter-proposal", headers=case.supplier_user, json={
        "lines": [{"line_id": line_id, "quantity": "80", "due_date": "2026-12-17"}], "note": "capacity"})
    accepted = api_client.post(f"{CALL_OFFS}/{call_off_id}/accept-proposal", headers=case.buyer)
    # then the call-off is accepted for 80 on the 17th, and nothing has moved yet
    assert proposed.json()["state"] == "counter_proposed"
    assert proposed.json()["lines"][0]["proposed_quantity"] == "80.000000"
    assert accepted.json()["state"] == "accepted"
    assert (accepted.json()["lines"][0]["quantity"], accepted.json()["lines"][0]["due_date"]) == ("80.000000",
                                                                                                 "2026-12-17")
    assert stock(session, case) == {}

    # when the supplier ships 50, then 30
    first = ship(api_client, case, line_id, "50", lot="LOT-1")
    assert first.status_code == 201, first.json()
    after_first = api_client.get(f"{CALL_OFFS}/{call_off_id}", headers=case.buyer).json()
    assert (after_first["state"], after_first["lines"][0]["state"]) == ("partly_shipped", "partly_shipped")
    assert stock(session, case) == {("origin", "supplier"): Decimal(-50), ("transit", "supplier"): Decimal(50)}
    second = ship(api_client, case, line_id, "30")
    # then everything is in transit, still the supplier's, and the call-off is shipped
    assert second.status_code == 201
    shipped = api_client.get(f"{CALL_OFFS}/{call_off_id}", headers=case.buyer).json()
    assert (shipped["state"], shipped["lines"][0]["shipped_quantity"]) == ("shipped", "80.000000")
    assert stock(session, case) == {("origin", "supplier"): Decimal(-80), ("transit", "supplier"): Decimal(80)}

    # when the warehouse receives the first shipment: 42 accepted, 5 damaged, 3 short
    number = first.json()["number"]
    shipment_line = first.json()["lines"][0]["id"]
    received = api_client.post(RECEIPTS, headers=case.clerk, json={"shipment_number": f" {number.lower()} ", "lines": [
        {"shipment_line_id": shipment_line, "accepted": "42", "damaged": "5", "damaged_reason": "damaged_in_transit",
         "short": "3", "short_reason": "not_delivered"}]})
    # then accepted stock is in the VMI store, damaged in quarantine, the short still in transit: all the supplier's
    assert received.status_code == 201, received.json()
    assert stock(session, case) == {("origin", "supplier"): Decimal(-80), ("transit", "supplier"): Decimal(33),
                                    ("vmi", "supplier"): Decimal(42), ("quarantine", "supplier"): Decimal(5)}
    # and the supplier sees every difference on its shipment
    seen = api_client.get(f"{SHIPMENTS}/{first.json()['id']}", headers=case.supplier_user).json()
    assert seen["state"] == "received"
    assert {k: seen["lines"][0][k] for k in ("accepted", "short", "damaged", "short_reason", "damaged_reason")} == {
        "accepted": "42.000000", "short": "3.000000", "damaged": "5.000000", "short_reason": "not_delivered",
        "damaged_reason": "damaged_in_transit"}

    # when the buyer closes the shipment
    closed = api_client.post(f"{SHIPMENTS}/{first.json()['id']}/close", headers=case.buyer)
    # then the short goes back to the supplier's origin; the second shipment is still on its way
    assert closed.json()["state"] == "closed"
    assert stock(session, case) == {("origin", "supplier"): Decimal(-77), ("transit", "supplier"): Decimal(30),
                                    ("vmi", "supplier"): Decimal(42), ("quarantine", "supplier"): Decimal(5)}
    history = [(e["action"], e["to_state"], e["actor_name"] is not None) for e in shipped["history"]]
    assert history[:4] == [("create", "draft", True), ("send", "sent", True),
                           ("counter_propose", "counter_proposed", True), ("accept_proposal", "accepted", True)]


def test_a_shipment_cancelled_before_receipt_goes_back_to_the_origin(session, api_client, inbound):
    case = inbound
    call_off = accepted_call_off(api_client, case)
    shipped = ship(api_client, case, call_off["lines"][0]["id"], "60")
    assert stock(session, case) == {("origin", "supplier"): Decimal(-60), ("transit", "supplier"): Decimal(60)}

    cancelled = api_client.post(f"{SHIPMENTS}/{shipped.json()['id']}/cancel", headers=case.supplier_user)

    assert cancelled.json()["state"] == "cancelled"
    assert stock(session, case) == {}
    after = api_client.get(f"{CALL_OFFS}/{call_off['id']}", headers=case.buyer).json()
    assert (after["state"], after["lines"][0]["shipped_quantity"]) == ("accepted", "0.000000")
    late = api_client.post(RECEIPTS, headers=case.clerk, json={"shipment_number": shipped.json()["number"], "lines": [
        {"shipment_line_id": shipped.json()["lines"][0]["id"], "accepted": "60"}]})
    assert (late.status_code, late.json()["code"]) == (409, "shipment_not_receivable")


def test_a_retried_receipt_with_the_same_key_answers_the_first_one(session, api_client, inbound):
    case = inbound
    call_off = accepted_call_off(api_client, case)
    shipped = ship(api_client, case, call_off["lines"][0]["id"], "20").json()
    body = {"shipment_number": shipped["number"],
            "lines": [{"shipment_line_id": shipped["lines"][0]["id"], "accepted": "20"}]}
    key = {"Idempotency-Key": "dock-7-receipt-1"}

    first = api_client.post(RECEIPTS, headers=case.clerk | key, json=body)
    retry = api_client.post(RECEIPTS, headers=case.clerk | key, json=body)
    other = api_client.post(RECEIPTS, headers=case.clerk | key, json=body | {"lines": [
        {"shipment_line_id": shipped["lines"][0]["id"], "accepted": "19", "short": "1", "short_reason": "other"}]})

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == first.json()["id"] and retry.json()["replayed"] is True
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert stock(session, case) == {("origin", "supplier"): Decimal(-20), ("vmi", "supplier"): Decimal(20)}


@pytest.mark.parametrize(("make_body", "status", "code"), [
    (lambda s: {"shipment_number": "ASN-NOPE", "lines": [{"shipment_line_id": 1, "accepted": "1"}]},
     404, "unknown_shipment"),
    (lambda s: {"shipment_number": s["number"], "lines": [{"shipment_line_id": s["lines"][0]["id"], "accepted": "-1"}]},
     422, "invalid_input"),
    (lambda s: {"shipment_number": s["number"], "lines": [{"shipment_line_id": s["lines"][0]["id"], "accepted": "x"}]},
     422, "invalid_input"),
    (lambda s: {"shipment_number": s["number"], "lines": [{"shipment_line_id": s["lines"][0]["id"], "accepted": "9"}]},
     422, "receipt_count_invalid"),
    (lambda s: {"shipment_number": s["number"], "lines": [{"shipment_line_id": s["lines"][0]["id"], "accepted": "8",
                                                           "short": "2"}]},
     422, "receipt_count_invalid"),
])
def test_a_bad_receipt_is_a_specific_problem_and_moves_nothing(session, api_client, inbound, make_body, status, code):
    case = inbound
    call_off = accepted_call_off(api_client, case)
    shipped = ship(api_client, case, call_off["lines"][0]["id"], "10").json()
    before = stock(session, case)

    answer = api_client.post(RECEIPTS, headers=case.clerk, json=make_body(shipped))

    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert stock(session, case) == before


def test_a_shipment_already_received_is_refused(session, api_client, inbound):
    case = inbound
    call_off = accepted_call_off(api_client, case)
    shipped = ship(api_client, case, call_off["lines"][0]["id"], "10").json()
    body = {"shipment_number": shipped["number"],
            "lines": [{"shipment_line_id": shipped["lines"][0]["id"], "accepted": "10"}]}
    api_client.post(RECEIPTS, headers=case.clerk, json=body)

    again = api_client.post(RECEIPTS, headers=case.clerk, json=body)

    assert (again.status_code, again.json()["code"]) == (409, "shipment_already_received")
    assert stock(session, case) == {("origin", "supplier"): Decimal(-10), ("vmi", "supplier"): Decimal(10)}


def test_shipping_past_the_tolerance_is_refused_and_moves_nothing(session, api_client, inbound):
    case = inbound
    call_off = accepted_call_off(api_client, case, quantity="100")
    line_id = call_off["lines"][0]["id"]

    too_much = ship(api_client, case, line_id, "110.5")
    within = ship(api_client, case, line_id, "110")

    assert (too_much.status_code, too_much.json()["code"]) == (422, "over_tolerance")
    assert too_much.json()["errors"][0]["field"] == "lines[0].quantity"
    assert within.status_code == 201
    assert stock(session, case) == {("origin", "supplier"): Decimal(-110), ("transit", "supplier"): Decimal(110)}


def test_shipping_against_a_closed_or_another_suppliers_call_off_is_refused(session, api_client, inbound):
    case = inbound
    call_off = accepted_call_off(api_client, case)
    api_client.post(f"{CALL_OFFS}/{call_off['id']}/close", headers=case.buyer)
    other = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=make_party(session)))

    closed = ship(api_client, case, call_off["lines"][0]["id"], "10")
    foreign = api_client.post(SHIPMENTS, headers=other, json={
        "lines": [{"call_off_line_id": call_off["lines"][0]["id"], "quantity": "10"}],
        "expected_arrival": "2026-12-10"})
    peek = api_client.get(f"{CALL_OFFS}/{call_off['id']}", headers=other)

    assert (closed.status_code, closed.json()["code"]) == (409, "call_off_not_shippable")
    assert (foreign.status_code, foreign.json()["code"]) == (404, "call_off_line_not_found")
    assert peek.status_code == 404
    assert stock(session, case) == {}


def test_a_call_off_needs_an_active_agreement(session, api_client, inbound):
    case = inbound
    draft = make_vmi_agreement(session, supplier_item=make_supplier_item(session, supplier=case.supplier))
    session.commit()

    answer = api_client.post(CALL_OFFS, headers=case.buyer, json={"lines": [
        {"agreement_id": draft.id, "quantity": "5", "due_date": "2026-12-15"}]})

    assert (answer.status_code, answer.json()["code"]) == (422, "no_active_agreement")
    assert answer.json()["errors"][0]["field"] == "lines[0].agreement_id"


def test_each_side_takes_only_its_own_actions(session, api_client, inbound):
    case = inbound
    created = api_client.post(CALL_OFFS, headers=case.buyer, json={"lines": [
        {"agreement_id": case.agreement.id, "quantity": "5", "due_date": "2026-12-15"}]}).json()

    supplier_sends = api_client.post(f"{CALL_OFFS}/{created['id']}/send", headers=case.supplier_user)
    buyer_accepts = api_client.post(f"{CALL_OFFS}/{created['id']}/accept", headers=case.buyer)
    supplier_accepts_draft = api_client.post(f"{CALL_OFFS}/{created['id']}/accept", headers=case.supplier_user)

    assert supplier_sends.status_code == 403
    assert buyer_accepts.status_code == 403
    assert (supplier_accepts_draft.status_code, supplier_accepts_draft.json()["code"]) == (
        409, "call_off_transition_refused")
