"""Demand plans over HTTP: publish by lines and by file, specific problem+json, retries, who sees what."""
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update

from openvmi.access import Role
from openvmi.planning.models import DemandPlanCheck
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


def plan_csv(world, quantity: int = 40) -> bytes:
    return csv_bytes([["物料编码", "工厂", "周", "数量"],
                      [world.items[0].code, world.plants[0].code, week_of(next_monday()), quantity]], encoding="gbk")


def check(api_client, headers, data: bytes):
    return api_client.post(f"{PLANS}/uploads", headers=headers, data={"dry_run": "true"},
                           files={"file": ("plan.csv", data, "text/csv")})


def test_a_checked_file_is_published_by_its_check_without_sending_it_again_and_only_once(session, api_client):
    world = make_plan_world(session)
    buyer = bearer(session, make_user(session, role=Role.BUYER))
    checked = check(api_client, buyer, plan_csv(world))
    check_id = checked.json()["check_id"]

    published = api_client.post(f"{PLANS}/checks/{check_id}/publish", headers=buyer)
    again = api_client.post(f"{PLANS}/checks/{check_id}/publish", headers=buyer)

    assert checked.status_code == 200 and checked.json()["kept_until"] and checked.json()["version"] is None
    assert published.status_code == 201, published.text
    assert published.json()["version"]["number"] == 1 and published.json()["line_count"] == 1
    assert again.status_code == 409 and again.json()["code"] == "plan_check_not_kept"
    lines = api_client.get(f"{PLANS}/current/lines", headers=buyer).json()["items"]
    assert [(entry["item_code"], entry["quantity"]) for entry in lines] == [(world.items[0].code, "40.000000")]
    assert [v["number"] for v in api_client.get(PLANS, headers=buyer).json()["items"]] == [1]


def test_another_buyer_cannot_publish_my_check_and_an_expired_one_publishes_nothing(session, api_client):
    world = make_plan_world(session)
    me, colleague = (bearer(session, make_user(session, role=Role.BUYER)) for _ in range(2))
    mine = check(api_client, me, plan_csv(world)).json()["check_id"]
    expired = check(api_client, me, plan_csv(world, 50)).json()["check_id"]
    session.execute(update(DemandPlanCheck).where(DemandPlanCheck.id == expired)
                    .values(kept_until=datetime(2020, 1, 1, tzinfo=UTC)))
    session.commit()

    theirs = api_client.post(f"{PLANS}/checks/{mine}/publish", headers=colleague)
    too_late = api_client.post(f"{PLANS}/checks/{expired}/publish", headers=me)

    assert theirs.status_code == 404 and theirs.headers["content-type"] == PROBLEM
    assert too_late.status_code == 409 and too_late.json()["code"] == "plan_check_not_kept"
    assert api_client.get(PLANS, headers=me).json()["items"] == []


def test_the_week_changes_come_a_page_at_a_time_in_week_order(session, api_client):
    world = make_plan_world(session)
    buyer = bearer(session, make_user(session, role=Role.BUYER))
    mondays = [next_monday() + timedelta(weeks=i) for i in range(5)]
    body = {"lines": [{"item_code": item.code, "plant_code": world.plants[0].code, "week": week_of(monday),
                       "quantity": "10"} for monday in mondays for item in world.items[:2]]}
    assert api_client.post(PLANS, json=body, headers=buyer).status_code == 201

    seen, cursor, pages = [], None, 0
    while True:
        page = api_client.get(f"{PLANS}/current/changes", headers=buyer,
                              params={"limit": 3} | ({"cursor": cursor} if cursor else {})).json()
        seen += [(c["week"], c["item_code"]) for c in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    bad = api_client.get(f"{PLANS}/current/changes", headers=buyer, params={"cursor": "2026-13-01.1.1"})

    assert pages == 4
    assert seen == [(week_of(monday), item.code) for monday in mondays
                    for item in sorted(world.items[:2], key=lambda i: i.id)]
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"
