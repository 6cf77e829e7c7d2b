"""VMI agreements over HTTP: buyers write, suppliers read their own, every refusal is a specific problem."""
from decimal import Decimal

import pytest

from openvmi.access import Role
from tests.builders import (
    bearer, make_location, make_party, make_plant, make_supplier_item, make_user, make_vmi_agreement,
    make_vmi_location,
)

URL = "/api/v1/vmi/agreements"


def body(supplier_item, location, **overrides) -> dict:
    return {"supplier_item_id": supplier_item.id, "location_id": location.id, "min_level": "100",
            "max_level": "500", "currency": "CNY", "tax_rate_percent": "13", "valid_from": "2026-01-01"} | overrides


@pytest.fixture
def buyer(session):
    return bearer(session, make_user(session, role=Role.BUYER))


def test_a_buyer_drafts_activates_and_ends_an_agreement(session, api_client, buyer):
    supplier_item, location = make_supplier_item(session), make_vmi_location(session)

    created = api_client.post(URL, headers=buyer, json=body(supplier_item, location, settlement_cycle="semi_monthly"))
    agreement_id = created.json()["id"]
    activated = api_client.post(f"{URL}/{agreement_id}/activate", headers=buyer)
    ended = api_client.post(f"{URL}/{agreement_id}/end", headers=buyer)

    assert created.status_code == 201
    assert {k: created.json()[k] for k in ("state", "settlement_cycle", "currency", "location_code", "item_code")} == {
        "state": "draft", "settlement_cycle": "semi_monthly", "currency": "CNY", "location_code": location.code,
        "item_code": created.json()["item_code"]}
    assert (activated.status_code, activated.json()["state"]) == (200, "active")
    assert (ended.status_code, ended.json()["state"]) == (200, "ended")
    assert ended.json()["activated_at"] and ended.json()["ended_at"]


@pytest.mark.parametrize(("overrides", "field"), [
    ({"supplier_item_id": 2_000_000_000}, "supplier_item_id"),
    ({"min_level": "600"}, "max_level"),
    ({"min_level": "-1"}, "min_level"),
    ({"tax_rate_percent": "-5"}, "tax_rate_percent"),
    ({"tax_rate_percent": "101"}, "tax_rate_percent"),
    ({"call_off_answer_hours": 0}, "call_off_answer_hours"),
    ({"over_shipment_tolerance_percent": "-1"}, "over_shipment_tolerance_percent"),
    ({"over_shipment_tolerance_percent": "1000"}, "over_shipment_tolerance_percent"),
    ({"tax_rate_percent": "13.12345"}, "tax_rate_percent"),
    ({"currency": "ABC"}, "currency"),
    ({"currency": "RMB"}, "currency"),
    ({"currency": "CN"}, "currency"),
    ({"settlement_cycle": "daily"}, "settlement_cycle"),
    ({"valid_to": "2025-12-31"}, "valid_to"),
    ({"min_level": "ten"}, "min_level"),
])
def test_bad_input_is_a_field_problem_and_writes_nothing(session, api_client, buyer, overrides, field):
    supplier_item, location = make_supplier_item(session), make_vmi_location(session)

    answer = api_client.post(URL, headers=buyer, json=body(supplier_item, location, **overrides))
    listed = api_client.get(URL, headers=buyer, params={"supplier_item_id": supplier_item.id}).json()

    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in answer.json()["errors"]] == [field]
    assert listed["items"] == []


def test_a_location_that_is_not_a_vmi_store_at_a_plant_is_refused(session, api_client, buyer):
    supplier_item = make_supplier_item(session)
    warehouse = make_location(session, kind="warehouse", plant_code=make_plant(session).code)

    answer = api_client.post(URL, headers=buyer, json=body(supplier_item, warehouse))

    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"field": "location_id", "message":
                                        f"location {warehouse.code} is not a VMI location at one of our plants"}]


def test_lower_case_currency_is_read_as_the_iso_code(session, api_client, buyer):
    answer = api_client.post(URL, headers=buyer, json=body(make_supplier_item(session), make_vmi_location(session),
                                                           currency="eur"))

    assert (answer.status_code, answer.json()["currency"]) == (201, "EUR")


def test_a_second_active_agreement_is_a_409_naming_the_one_in_force(session, api_client, buyer):
    supplier_item, location = make_supplier_item(session), make_vmi_location(session)
    first = make_vmi_agreement(session, supplier_item=supplier_item, location=location, activate=True)
    second = make_vmi_agreement(session, supplier_item=supplier_item, location=location)

    answer = api_client.post(f"{URL}/{second.id}/activate", headers=buyer)

    assert answer.status_code == 409
    assert (answer.json()["code"], answer.json()["active_agreement_id"]) == ("active_agreement_exists", first.id)
    assert api_client.get(f"{URL}/{second.id}", headers=buyer).json()["state"] == "draft"


def test_only_a_draft_is_edited(session, api_client, buyer):
    row = make_vmi_agreement(session)
    edited = api_client.patch(f"{URL}/{row.id}", headers=buyer, json={"max_level": "900", "valid_to": "2026-12-31"})
    api_client.post(f"{URL}/{row.id}/activate", headers=buyer)

    refused = api_client.patch(f"{URL}/{row.id}", headers=buyer, json={"max_level": "1000"})
    again = api_client.post(f"{URL}/{row.id}/activate", headers=buyer)

    assert (edited.status_code, Decimal(edited.json()["max_level"]), edited.json()["valid_to"]) == (
        200, Decimal(900), "2026-12-31")
    assert (refused.status_code, refused.json()["code"]) == (409, "agreement_not_editable")
    assert (again.status_code, again.json()["code"]) == (409, "agreement_transition_refused")


def test_an_explicit_null_for_a_required_term_is_a_field_error(session, api_client, buyer):
    row = make_vmi_agreement(session)

    answer = api_client.patch(f"{URL}/{row.id}", headers=buyer, json={"min_level": None})

    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["min_level"]


def test_a_supplier_reads_its_own_agreements_only_and_writes_none(session, api_client):
    mine, theirs = make_party(session), make_party(session)
    own = make_vmi_agreement(session, supplier_item=make_supplier_item(session, supplier=mine))
    other = make_vmi_agreement(session, supplier_item=make_supplier_item(session, supplier=theirs))
    supplier = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=mine))

    listed = api_client.get(URL, headers=supplier).json()
    hidden = api_client.get(f"{URL}/{other.id}", headers=supplier)
    activate = api_client.post(f"{URL}/{own.id}/activate", headers=supplier)
    create = api_client.post(URL, headers=supplier, json=body(make_supplier_item(session, supplier=mine),
                                                              make_vmi_location(session)))

    assert [a["id"] for a in listed["items"]] == [own.id]
    assert api_client.get(f"{URL}/{own.id}", headers=supplier).status_code == 200
    assert hidden.status_code == 404
    assert (activate.status_code, create.status_code) == (403, 403)


def test_the_list_filters_by_state_and_location_and_pages(session, api_client, buyer):
    location = make_vmi_location(session)
    rows = [make_vmi_agreement(session, location=location) for _ in range(3)]
    api_client.post(f"{URL}/{rows[2].id}/activate", headers=buyer)

    first = api_client.get(URL, headers=buyer, params={"location_id": location.id, "limit": 2}).json()
    rest = api_client.get(URL, headers=buyer, params={"location_id": location.id, "limit": 2,
                                                      "cursor": first["next_cursor"]}).json()
    active = api_client.get(URL, headers=buyer, params={"location_id": location.id, "state": "active"}).json()
    bad_state = api_client.get(URL, headers=buyer, params={"state": "gone"})

    assert [a["id"] for a in first["items"] + rest["items"]] == [r.id for r in rows]
    assert [a["id"] for a in active["items"]] == [rows[2].id]
    assert bad_state.status_code == 422


def test_the_api_shows_price_breaks_and_quotes_a_line(session, api_client, buyer):
    supplier_item = make_supplier_item(session, prices=[
        {"price": "5.00", "currency": "CNY", "valid_from": "2026-01-01", "min_quantity": "1"},
        {"price": "4.50", "currency": "CNY", "valid_from": "2026-01-01", "min_quantity": "100"}])

    read = api_client.get(f"/api/v1/supplier-items/{supplier_item.id}", headers=buyer).json()
    quote = api_client.get(f"/api/v1/supplier-items/{supplier_item.id}/price", headers=buyer,
                           params={"day": "2026-03-01", "quantity": "100"}).json()
    none = api_client.get(f"/api/v1/supplier-items/{supplier_item.id}/price", headers=buyer,
                          params={"day": "2025-03-01", "quantity": "100"})

    assert [(Decimal(p["min_quantity"]), Decimal(p["price"])) for p in read["prices"]] == [
        (1, Decimal("5")), (100, Decimal("4.5"))]
    assert (Decimal(quote["price"]), Decimal(quote["amount"])) == (Decimal("4.5"), Decimal(450))
    assert (none.status_code, none.json()["code"]) == (404, "no_price")
