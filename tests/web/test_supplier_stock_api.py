"""Supplier stock over HTTP: uploads with row-level problem+json, ETags, permissions, isolation."""
from decimal import Decimal

from openvmi.access import Role
from openvmi.supplier_stock.schemas import AvailabilityRead
from tests.builders import bearer, make_user
from tests.service.supplier_stock.world import make_world, stock_of
from tests.unit.supplier_stock.files import csv_bytes, xlsx_bytes

PROBLEM = "application/problem+json"
IMPORTS = "/api/v1/supplier-stock/imports"


def upload(client, headers, data, *, filename="stock.csv", **fields):
    return client.post(IMPORTS, headers=headers, files={"file": (filename, data, "application/octet-stream")},
                       data={k: str(v).lower() if isinstance(v, bool) else v for k, v in fields.items()})


def test_a_supplier_uploads_its_gbk_file_and_only_it_sees_the_lines(session, api_client):
    world = make_world(session)
    (bolt, nut, _), (site, _) = list(world.items), list(world.sites)
    supplier_user = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.supplier))
    other_user = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.other))
    buyer = bearer(session, make_user(session, role=Role.BUYER))
    data = csv_bytes([["物料编码", "仓库", "现存量", "可用量"], [bolt, site, 100, 80], [nut, site, 5, 5]], encoding="gbk")

    created = upload(api_client, supplier_user, data)

    assert created.status_code == 201, created.text
    assert created.json()["new_count"] == 2 and created.json()["encoding"] == "gb18030"
    mine = api_client.get("/api/v1/supplier-stock", headers=supplier_user).json()["items"]
    theirs = api_client.get("/api/v1/supplier-stock", headers=other_user).json()["items"]
    seen_by_buyer = api_client.get("/api/v1/supplier-stock", params={"supplier_id": world.supplier.id},
                                   headers=buyer).json()["items"]
    assert {(line["item_code"], Decimal(line["available"])) for line in mine} == {(bolt, 80), (nut, 5)}
    assert theirs == []
    assert len(seen_by_buyer) == 2
    assert api_client.get(f"/api/v1/supplier-stock/{mine[0]['id']}", headers=other_user).status_code == 404
    assert api_client.get(f"{IMPORTS}/{created.json()['id']}", headers=other_user).status_code == 404


def test_a_workbook_with_a_formula_and_a_broken_row_is_refused_row_by_row(session, api_client):
    world = make_world(session)
    (bolt, nut, cable), (site, _) = list(world.items), list(world.sites)
    supplier_user = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.supplier))
    workbook = xlsx_bytes([["Item code", "Site", "On hand", "Available"],
                           [bolt, site, 10, 5],
                           [nut, site, 20, "=C3*0.5"],
                           [cable, site, "twelve", 1]])

    refused = upload(api_client, supplier_user, workbook, filename="库存.xlsx")

    assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM
    body = refused.json()
    assert body["code"] == "invalid_import_file" and body["error_count"] == 2
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(3, "Available"), (4, "On hand")]
    assert stock_of(session, world.supplier) == {}
    report = api_client.get(f"{IMPORTS}/{body['import_id']}/errors", headers=supplier_user).json()
    assert report["status"] == "rejected" and [e["row"] for e in report["errors"]] == [3, 4]


def test_a_retried_upload_with_the_same_key_is_answered_from_the_first(session, api_client):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    headers = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.supplier))
    data = csv_bytes([["item", "site", "qty"], [bolt, site, 10]])

    preview = upload(api_client, headers, data, dry_run=True)
    first = upload(api_client, headers | {"Idempotency-Key": "erp-42"}, data)
    again = upload(api_client, headers | {"Idempotency-Key": "erp-42"}, data)

    assert preview.status_code == 200 and preview.json()["status"] == "previewed"
    assert [line["change"] for line in preview.json()["preview"]] == ["new"]
    assert first.status_code == 201
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]


def test_an_adjustment_needs_the_current_etag(session, api_client):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    headers = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.supplier))
    created = api_client.post("/api/v1/supplier-stock", headers=headers,
                              json={"item_code": bolt, "site_code": site, "on_hand": "10"})
    url = f"/api/v1/supplier-stock/{created.json()['id']}"

    changed = api_client.patch(url, headers=headers | {"If-Match": created.headers["ETag"]}, json={"on_hand": "7"})
    stale = api_client.patch(url, headers=headers | {"If-Match": created.headers["ETag"]}, json={"on_hand": "1"})
    blind = api_client.put(url, headers=headers, json={"on_hand": "1"})
    too_much = api_client.put(url, headers=headers | {"If-Match": changed.headers["ETag"]},
                              json={"on_hand": "1", "available": "2"})

    assert created.status_code == 201 and created.headers["ETag"] == '"1"'
    assert changed.status_code == 200 and changed.headers["ETag"] == '"2"'
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert blind.status_code == 428
    assert too_much.status_code == 422 and too_much.json()["errors"][0]["field"] == "available"
    assert Decimal(api_client.get(url, headers=headers).json()["on_hand"]) == 7


def test_roles_decide_who_imports_and_who_sets_thresholds(session, api_client):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    buyer = bearer(session, make_user(session, role=Role.BUYER))
    supplier_user = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.supplier))
    threshold = {"supplier_code": world.supplier.code, "item_code": bolt, "low_water": "50"}

    assert upload(api_client, buyer, csv_bytes([["item", "site", "qty"], [bolt, site, 1]]),
                  supplier=world.supplier.code).status_code == 403
    assert api_client.put("/api/v1/supplier-stock/thresholds", headers=supplier_user, json=threshold).status_code == 403

    assert api_client.put("/api/v1/supplier-stock/thresholds", headers=buyer, json=threshold).status_code == 200
    assert upload(api_client, supplier_user, csv_bytes([["item", "site", "qty"], [bolt, site, 20]])).status_code == 201
    alerts = api_client.get("/api/v1/alerts", params={"supplier_id": world.supplier.id}, headers=buyer).json()
    assert [(a["kind"], a["status"]) for a in alerts["items"]] == [("low_stock", "opened")]


def test_availability_for_a_buyer_and_for_a_supplier(session, api_client):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    supplier_user = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.supplier))
    other_user = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.other))
    buyer = bearer(session, make_user(session, role=Role.BUYER))
    upload(api_client, supplier_user, csv_bytes([["item", "site", "qty"], [bolt, site, 30]]))

    for_buyer = api_client.get("/api/v1/availability", params={"item_code": bolt}, headers=buyer).json()
    for_other = api_client.get("/api/v1/availability", params={"item_code": bolt}, headers=other_user).json()
    no_query = api_client.get("/api/v1/availability", headers=buyer)

    [item] = for_buyer["items"]
    assert [(line["supplier_code"], line["site_code"]) for line in item["lines"]] == [(world.supplier.code, site)]
    assert for_other["items"][0]["lines"] == []
    assert no_query.status_code == 422


def test_the_availability_body_is_the_documented_model_and_the_service_answer(session, api_client):
    # given a bolt with a published line and an unpublished supplier
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    supplier_user = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.supplier))
    buyer = bearer(session, make_user(session, role=Role.BUYER))
    upload(api_client, supplier_user, csv_bytes([["item", "site", "qty"], [bolt, site, "12.5"]]))

    # when a buyer asks over HTTP
    answer = api_client.get("/api/v1/availability", params={"item_code": bolt}, headers=buyer)

    # then the body, written without a model per line, is what AvailabilityRead would write
    assert answer.headers["content-type"] == "application/json"
    assert AvailabilityRead.model_validate_json(answer.content).model_dump_json().encode() == answer.content
    assert answer.json()["items"][0]["total_available"] == "12.500000"
    # and the schema still documents that model
    schema = api_client.get("/openapi.json").json()["paths"]["/api/v1/availability"]["get"]["responses"]["200"]
    assert schema["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/AvailabilityRead"}


def test_a_file_sent_with_respond_async_is_queued_and_its_status_followed(session, api_client, api_app):
    world = make_world(session)
    (bolt, nut, _), (site, _) = list(world.items), list(world.sites)
    supplier_user = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.supplier))
    other_user = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.other))
    data = csv_bytes([["物料编码", "仓库", "现存量"], [bolt, site, 100], [nut, site, "x"]])

    queued = upload(api_client, {**supplier_user, "Prefer": "respond-async"}, data)

    assert queued.status_code == 202, queued.text
    assert queued.headers["Preference-Applied"] == "respond-async"
    assert queued.json()["status"] == "queued"
    status_url = queued.headers["Location"]
    assert status_url.endswith(f"{IMPORTS}/{queued.json()['id']}")
    assert api_client.get(status_url, headers=other_user).status_code == 404  # another supplier's upload

    api_app.state.import_runner.run_pending()

    done = api_client.get(status_url, headers=supplier_user).json()
    assert (done["status"], done["error_count"], done["progress"]) == ("rejected", 1, None)
    errors = api_client.get(f"{status_url}/errors", headers=supplier_user).json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(3, "现存量")]
    assert stock_of(session, world.supplier) == {}


def test_the_api_keeps_row_reasons_in_english_whatever_the_portal_shows(session, api_client):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    supplier_user = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.supplier, locale="zh_CN"))

    refused = upload(api_client, supplier_user, csv_bytes([["物料编码", "仓库", "现存量"], [bolt, site, "1"],
                                                           [bolt, site, "2"]]))

    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"row": 3, "column": "物料编码", "value": None,
                                         "reason": "duplicate: the same item and site as row 2"}]
