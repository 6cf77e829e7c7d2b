"""Demand plans over HTTP: publish by lines and by file, specific problem+json, retries, who sees what."""
from datetime import date, timedelta

from openvmi.access import Role
from tests.builders import bearer, make_user
from tests.service.planning.world import make_plan_world
from tests.unit.supplier_stock.files import csv_bytes

PROBLEM = "application/problem+json"
PLANS = "/api/v1/demand-plans"


def next_monday() -> date:
    today = date.today()
    return today + timedelta(days=7 - today.weekday())


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def test_the_buyer_publishes_twice_and_the_supplier_sees_the_jump_in_its_items_only(session, api_client):
    world = make_plan_world(session)
    bolt, nut, gear = world.items
    plant = world.plants[0].code
    buyer = bearer(session, make_user(session, role=Role.BUYER))
    supplier = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.supplier))
    other = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.other))
    week = week_of(next_monday())

    def plan(bolt_quantity: int) -> dict:
        return {"lines": [{"item_code": bolt.code, "plant_code": plant, "week": week, "quantity": str(bolt_quantity)},
                          {"item_code": gear.code, "plant_code": plant, "week": week, "quantity": "7"}]}

    first = api_client.post(PLANS, json=plan(100), headers=buyer)
    second = api_client.post(PLANS, json=plan(500), headers=buyer)

    assert first.status_code == second.status_code == 201, second.text
    assert second.json()["version"]["number"] == first.json()["version"]["number"] + 1
    changes = api_client.get(f"{PLANS}/current/changes", headers=supplier).json()
    assert [(c["item_code"], c["previous"], c["current"], c["change"]) for c in changes["items"]] == [
        (bolt.code, "100.000000", "500.000000", "up_sharply")]
    lines = api_client.get(f"{PLANS}/current/lines", headers=other).json()["items"]
    assert [entry["item_code"] for entry in lines] == [gear.code]
    assert all(c["item_code"] != bolt.code for c in
               api_client.get(f"{PLANS}/current/changes", headers=other).json()["items"])
    assert nut.code not in {entry["item_code"] for entry in lines}


def test_a_supplier_may_not_publish(session, api_client):
    world = make_plan_world(session)
    supplier = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.supplier))
    body = {"lines": [{"item_code": world.items[0].code, "plant_code": world.plants[0].code,
                       "week": week_of(next_monday()), "quantity": "1"}]}

    refused = api_client.post(PLANS, json=body, headers=supplier)

    assert refused.status_code == 403 and refused.headers["content-type"] == PROBLEM


def test_bad_lines_answer_a_problem_naming_each_and_publish_nothing(session, api_client):
    world = make_plan_world(session)
    buyer = bearer(session, make_user(session, role=Role.BUYER))
    item, plant = world.items[0].code, world.plants[0].code
    body = {"lines": [{"item_code": "NOPE", "plant_code": plant, "day": next_monday().isoformat(), "quantity": "1"},
                      {"item_code": item, "plant_code": plant, "week": "2026-X", "quantity": "1"}]}

    refused = api_client.post(PLANS, json=body, headers=buyer)
    not_numbers = api_client.post(PLANS, headers=buyer, json={"lines": [
        {"item_code": item, "plant_code": plant, "week": week_of(next_monday()), "quantity": "-3"}]})

    assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM
    assert [e["field"] for e in refused.json()["errors"]] == ["lines[0].item_code", "lines[1].week"]
    assert not_numbers.status_code == 422 and "quantity" in not_numbers.text
    assert api_client.get(f"{PLANS}/current", headers=buyer).status_code == 404


def test_an_upload_is_checked_by_a_dry_run_then_published_once_under_its_key(session, api_client):
    world = make_plan_world(session)
    buyer = bearer(session, make_user(session, role=Role.BUYER))
    data = csv_bytes([["物料编码", "工厂", "周", "数量"],
                      [world.items[0].code, world.plants[0].code, week_of(next_monday()), 40]], encoding="gbk")

    def send(dry_run: bool, key: str | None = None):
        headers = buyer | ({"Idempotency-Key": key} if key else {})
        return api_client.post(f"{PLANS}/uploads", headers=headers, data={"dry_run": str(dry_run).lower()},
                               files={"file": ("plan.csv", data, "text/csv")})

    checked = send(True)
    published = send(False, "k-1")
    replayed = send(False, "k-1")

    assert checked.status_code == 200 and checked.json()["version"] is None and checked.json()["line_count"] == 1
    assert published.status_code == 201 and published.json()["version"]["number"] == 1
    assert replayed.status_code == 200 and replayed.headers["Idempotent-Replayed"] == "true"
    assert [v["number"] for v in api_client.get(PLANS, headers=buyer).json()["items"]] == [1]


def test_a_bad_upload_lists_its_rows(session, api_client):
    world = make_plan_world(session)
    buyer = bearer(session, make_user(session, role=Role.BUYER))
    data = csv_bytes([["item", "plant", "date", "qty"], [world.items[0].code, "ELSEWHERE", "2020-01-01", "x"]])

    refused = api_client.post(f"{PLANS}/uploads", headers=buyer, files={"file": ("plan.csv", data, "text/csv")})

    assert refused.status_code == 422 and refused.json()["code"] == "invalid_import_file"
    assert [(e["row"], e["column"]) for e in refused.json()["errors"]] == [(2, "date"), (2, "plant"), (2, "qty")]
