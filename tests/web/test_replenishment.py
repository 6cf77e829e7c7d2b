"""Replenishment over HTTP and in the portal: the buyer sees every active agreement, a supplier its own
(another's is 404), a bad horizon is a field problem, and the board and chart read in both languages."""
import pytest
from sqlalchemy import func, select

from openvmi.access import Role
from openvmi.db import utcnow
from openvmi.vmi.call_offs.models import CallOff
from openvmi.vmi.replenishment.queries import Wanted
from openvmi.vmi.replenishment.service import sync_vmi_alerts
from tests.builders import bearer, make_location, make_user, make_vmi_agreement
from tests.service.planning.world import make_plan_world
from tests.service.vmi.replenishment_world import make_vmi_world

URL = "/api/v1/vmi/replenishment"


@pytest.fixture
def worlds(session):
    plan = make_plan_world(session)
    # 60 on hand + 20 in transit, min 100: below min from today, nothing planned
    return make_vmi_world(session, plan, on_hand=60, per_day=0), make_vmi_world(session, plan, per_day=0)


def test_the_buyer_gets_every_active_agreement_with_its_days_and_suggestions(session, api_client, worlds):
    low, _ = worlds
    buyer = bearer(session, make_user(session, role=Role.BUYER))

    page = api_client.get(URL, headers=buyer, params={"horizon_days": 14})
    one = api_client.get(f"{URL}/{low.agreement.id}", headers=buyer)

    assert page.status_code == 200 and page.json()["horizon_days"] == 14
    assert {r["agreement_id"] for r in page.json()["items"]} >= {w.agreement.id for w in worlds}
    body = one.json()
    assert len(body["days"]) == 56  # 8 weeks by default
    assert (body["on_hand"], body["in_transit"], body["min_level"]) == ("60.000000", "20.000000", "100.000000")
    assert body["first_below_min"] == body["days"][0]["day"] and body["run_out"] is None
    # due once the 3-day lead time allows; 220 up to max 300 in packs of 40 -> 5 packs (MOQ 150 met)
    assert body["suggestions"] == [{"due": body["earliest_due"], "quantity": "200.000000"}]


def test_a_supplier_sees_only_its_own_and_another_is_not_found(session, api_client, worlds):
    mine, theirs = worlds
    supplier = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=mine.supplier))

    listed = api_client.get(URL, headers=supplier)
    hidden = api_client.get(f"{URL}/{theirs.agreement.id}", headers=supplier)

    assert [r["agreement_id"] for r in listed.json()["items"]] == [mine.agreement.id]
    assert hidden.status_code == 404
    assert hidden.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("horizon", ["0", "183", "eight"])
def test_a_bad_horizon_is_a_field_problem(session, api_client, horizon):
    buyer = bearer(session, make_user(session, role=Role.BUYER))

    answer = api_client.get(URL, headers=buyer, params={"horizon_days": horizon})

    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["horizon_days"]


def test_a_draft_agreement_is_a_conflict(session, api_client):
    buyer = bearer(session, make_user(session, role=Role.BUYER))

    answer = api_client.get(f"{URL}/{make_vmi_agreement(session).id}", headers=buyer)

    assert answer.status_code == 409 and answer.json()["code"] == "agreement_not_active"


@pytest.mark.parametrize(("locale", "words"), [("en", ("Replenishment", "Suggested shipments", "Minimum level")),
                                                ("zh_CN", ("补货计划", "建议发货", "最低库存"))])
def test_the_board_and_the_chart_read_in_both_languages(session, portal, worlds, locale, words):
    low, _ = worlds
    portal.sign_in(make_user(session, role=Role.BUYER, locale=locale))

    board = portal.get("/vmi/replenishment")
    detail = portal.get(f"/vmi/replenishment/{low.agreement.id}", params={"horizon": 28})

    assert board.status_code == 200 and low.item.code in board.text and words[0] in board.text
    assert detail.status_code == 200 and "<svg" in detail.text and "<polyline" in detail.text
    assert all(word in detail.text for word in words)


def test_a_supplier_user_cannot_open_another_suppliers_chart(session, portal, worlds):
    mine, theirs = worlds
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=mine.supplier, locale="en"))

    assert portal.get(f"/vmi/replenishment/{theirs.agreement.id}").status_code == 404
    assert theirs.item.code not in portal.get("/vmi/replenishment").text


def test_the_buyer_calls_off_the_suggestions_in_one_action_and_a_supplier_may_not(session, api_client, worlds):
    low, _ = worlds
    buyer = bearer(session, make_user(session, role=Role.BUYER))
    supplier = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=low.supplier))
    expected = api_client.get(f"{URL}/{low.agreement.id}", headers=buyer).json()["suggestions"]

    refused = api_client.post(f"{URL}/call-offs", headers=supplier, json={"agreement_ids": [low.agreement.id]})
    created = api_client.post(f"{URL}/call-offs", headers=buyer, json={"agreement_ids": [low.agreement.id]})

    assert refused.status_code == 403
    assert created.status_code == 201
    [call_off] = created.json()
    assert call_off["state"] == "draft" and call_off["supplier_id"] == low.supplier.id
    assert [(line["due_date"], line["quantity"]) for line in call_off["lines"]] == [
        (s["due"], s["quantity"]) for s in expected]


def test_calling_off_an_agreement_that_is_not_active_or_needs_nothing_writes_nothing(session, api_client, worlds):
    _, enough = worlds
    buyer = bearer(session, make_user(session, role=Role.BUYER))
    draft = make_vmi_agreement(session)

    inactive = api_client.post(f"{URL}/call-offs", headers=buyer, json={"agreement_ids": [draft.id]})
    nothing = api_client.post(f"{URL}/call-offs", headers=buyer, json={"agreement_ids": [enough.agreement.id]})

    assert inactive.status_code == 422 and f"#{draft.id}" in inactive.json()["errors"][0]["message"]
    assert nothing.status_code == 422 and "nothing to call off" in nothing.json()["errors"][0]["message"]
    assert session.scalar(select(func.count()).select_from(CallOff)) == 0


def test_the_portal_button_drafts_the_call_off(session, portal, worlds):
    low, _ = worlds
    portal.sign_in(make_user(session, role=Role.BUYER, locale="en"))

    page = portal.get(f"/vmi/replenishment/{low.agreement.id}")
    done = portal.post(f"/vmi/replenishment/{low.agreement.id}/call-off")

    assert "Create a call-off from these suggestions" in page.text
    assert done.status_code == 200 and "drafted from the suggestions" in done.text and "Call-off #" in done.text


def test_stock_posted_into_the_vmi_store_through_the_api_resolves_its_under_min_alert_at_once(session, api_client,
                                                                                              worlds):
    low, _ = worlds  # 60 on hand, min 100
    admin = bearer(session, make_user(session, role=Role.ADMIN))
    sync_vmi_alerts(session, Wanted(), today=utcnow().date())
    origin = make_location(session, kind="virtual")

    posted = api_client.post("/api/v1/stock-moves", headers=admin, json={"moves": [{
        "item_id": low.item.id, "quantity": "100", "from_location_id": origin.id, "from_owner_id": low.supplier.id,
        "to_location_id": low.store.id, "to_owner_id": low.supplier.id, "kind": "receipt"}]})
    alerts = api_client.get("/api/v1/alerts", headers=admin, params={"kind": "vmi_under_min"}).json()["items"]

    assert posted.status_code == 201
    assert [(a["location_id"], a["status"]) for a in alerts if a["location_id"] == low.store.id] == [
        (low.store.id, "resolved")]
