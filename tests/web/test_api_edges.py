"""Input that reached the database and answered 500 (issue 14) is refused at the edge with a 422
naming the field, on both databases, and changes nothing: NUL characters, lone surrogates, ids
past the integer columns, made-up cursors and ETags, too many items or too long a search,
quantities past what a double keeps exactly, and postings that would take a balance past that."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openvmi.access import Role
from openvmi.catalog.models import Item
from openvmi.ledger.models import StockMove
from openvmi.limits import MAX_ID, MAX_QUANTITY
from tests.builders import bearer, make_item, make_location, make_party, make_supplier_item, make_user, receive
from tests.service.supplier_stock.world import make_world
from tests.unit.supplier_stock.files import csv_bytes

PROBLEM = "application/problem+json"
BEYOND = MAX_ID + 1


@pytest.fixture
def admin(session):
    return bearer(session, make_user(session, role=Role.ADMIN))


def refused(answer) -> list[str]:
    """The fields a 422 problem names."""
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM
    return [error["field"] for error in answer.json()["errors"]]


def raw_json(document: str, headers: dict[str, str]) -> dict:
    """What a client sends that writes a JSON escape itself, e.g. a lone surrogate "\\ud800"."""
    return {"content": document.encode(), "headers": headers | {"content-type": "application/json"}}


def items_in(session) -> int:
    return session.scalar(select(func.count()).select_from(Item))


# --- text no database stores ---------------------------------------------------------------

def test_a_nul_character_in_any_text_field_is_refused_and_nothing_is_stored(session, api_client, admin):
    item = {"code": "EDGE-1", "name": "Hex bolt", "unit": "PCS", "category": "Fasteners"}
    before = items_in(session)

    named = {field: refused(api_client.post("/api/v1/items", json=item | {field: "a\x00b"}, headers=admin))
             for field in item}

    assert named == {field: [field] for field in item}
    assert items_in(session) == before  # SQLite would have kept them


def test_a_nul_character_in_a_search_is_refused(api_client, admin):
    paths = ["/api/v1/items", "/api/v1/suppliers", "/api/v1/parties", "/api/v1/supplier-items", "/api/v1/locations",
             "/api/v1/supplier-stock", "/api/v1/availability"]

    named = {path: refused(api_client.get(path, params={"q": "bolt\x00"}, headers=admin)) for path in paths}

    assert named == {path: ["q"] for path in paths}


def test_a_nul_character_in_a_filter_or_a_nested_field_is_refused(session, api_client, admin):
    item, store, origin, owner = make_item(session), make_location(session), make_location(session, kind="virtual"), \
        make_party(session)
    move = {"item_id": item.id, "quantity": "1", "from_location_id": origin.id, "from_owner_id": owner.id,
            "to_location_id": store.id, "to_owner_id": owner.id, "kind": "receipt", "reference": "ASN\x00-1"}

    assert refused(api_client.get("/api/v1/stock-moves", params={"reference": "\x00"}, headers=admin)) == ["reference"]
    assert refused(api_client.post("/api/v1/stock-moves", json={"moves": [move]}, headers=admin)) == \
        ["moves.0.reference"]


def test_a_nul_character_in_a_log_in_is_refused(api_client):
    answer = api_client.post("/api/v1/auth/token", data={"username": "admin\x00", "password": "secret-pass"})

    assert refused(answer) == ["username"]


@pytest.mark.parametrize("document,field", [
    ('{"code": "BOLT-\\ud800", "name": "Hex bolt", "unit": "PCS"}', "code"),
    ('{"code": "EDGE-2", "name": "\\udfff", "unit": "PCS"}', "name"),
])
def test_a_lone_surrogate_in_a_code_or_any_text_is_refused(session, api_client, admin, document, field):
    before = items_in(session)

    assert refused(api_client.post("/api/v1/items", **raw_json(document, admin))) == [field]
    assert items_in(session) == before


def test_a_lone_surrogate_in_a_mapping_key_is_named_without_breaking_the_answer(session, api_client, admin):
    supplier = make_party(session)

    answer = api_client.put(f"/api/v1/supplier-stock/column-mappings/{supplier.id}",
                            **raw_json('{"mapping": {"on_hand\\ud800": "Bestand"}}', admin))

    (field,) = refused(answer)
    assert field.startswith("mapping.on_hand") and field.endswith(".[key]")  # the key as near as UTF-8 gets


# --- ids --------------------------------------------------------------------------------------

def test_an_id_past_the_integer_column_or_below_one_is_refused(api_client, admin):
    expected = {
        f"/api/v1/items/{BEYOND}": "item_id", "/api/v1/items/0": "item_id", f"/api/v1/suppliers/{10**20}": "party_id",
        f"/api/v1/supplier-stock/{BEYOND}": "stock_id", f"/api/v1/supplier-stock/imports/{BEYOND}": "import_id",
        f"/api/v1/alerts/{BEYOND}": "alert_id", f"/api/v1/stock-moves?item_id={BEYOND}": "item_id",
        f"/api/v1/stock-balances?owner_id={BEYOND}": "owner_id", "/api/v1/alerts?item_id=-1": "item_id",
        f"/api/v1/supplier-items?supplier_id={BEYOND}": "supplier_id",
        f"/api/v1/availability?item_id={BEYOND}": "item_id.0"}

    named = {path: refused(api_client.get(path, headers=admin)) for path in expected}

    assert named == {path: [field] for path, field in expected.items()}


def test_an_id_past_the_integer_column_in_a_body_is_refused(api_client, admin):
    move = {"item_id": BEYOND, "quantity": "1", "from_location_id": 1, "from_owner_id": 1, "to_location_id": 2,
            "to_owner_id": 1, "kind": "transfer", "reverses_move_id": 10**20}

    assert refused(api_client.post("/api/v1/stock-moves", json={"moves": [move]}, headers=admin)) == \
        ["moves.0.item_id", "moves.0.reverses_move_id"]


def test_a_filter_time_with_no_utc_time_is_refused(api_client, admin):
    answer = api_client.get("/api/v1/stock-moves", params={"created_from": "0001-01-01T00:00:00+05:00",
                                                           "created_to": "9999-12-31T23:59:59-05:00"}, headers=admin)

    assert refused(answer) == ["created_from", "created_to"]


# --- cursors, ETags, page numbers -----------------------------------------------------------------

def test_a_cursor_that_this_api_never_gave_is_refused(api_client, admin):
    cursors = ["²", "١", "abc", "0", str(BEYOND), "9" * 5000]

    named = [refused(api_client.get("/api/v1/items", params={"cursor": cursor}, headers=admin)) for cursor in cursors]

    assert named == [["cursor"]] * len(cursors)


def test_an_if_match_that_is_no_version_is_refused_and_changes_nothing(session, api_client, admin):
    row = make_supplier_item(session)
    tags = ["²".encode("latin-1"), b'"\xb2"', b'"0"', str(BEYOND).encode()]

    named = [refused(api_client.patch(f"/api/v1/supplier-items/{row.id}", json={"lead_time_days": 99},
                                      headers=admin | {"If-Match": tag})) for tag in tags]

    assert named == [["If-Match"]] * len(tags)
    assert api_client.get(f"/api/v1/supplier-items/{row.id}", headers=admin).json()["lead_time_days"] == 7


# --- how much one question may ask ---------------------------------------------------------------

def test_more_than_200_items_on_availability_is_refused(api_client, admin):
    answer = api_client.get("/api/v1/availability", params={"item_id": list(range(1, 202))}, headers=admin)

    assert refused(answer) == ["item_id"]


def test_a_search_of_50000_characters_is_refused(api_client, admin):
    paths = ["/api/v1/items", "/api/v1/supplier-stock", "/api/v1/availability"]

    named = {path: refused(api_client.get(path, params={"q": "x" * 50_000}, headers=admin)) for path in paths}

    assert named == {path: ["q"] for path in paths}


# --- quantities: the largest one kept exactly, anything past it refused --------------------------

def test_a_quantity_past_what_both_databases_keep_exactly_is_refused(session, api_client, admin):
    answer = api_client.post("/api/v1/items", json={"code": "EDGE-3", "name": "Bolt", "unit": "PCS",
                                                    "default_low_water": "999999999999.999999"}, headers=admin)

    assert refused(answer) == ["default_low_water"]


def test_the_largest_quantity_and_price_come_back_to_the_last_digit(session, api_client, admin):
    supplier, item = make_party(session), make_item(session, code="EDGE-MAX")
    created = api_client.post("/api/v1/supplier-items", headers=admin, json={
        "supplier_code": supplier.code, "item_code": item.code, "supplier_part_number": "MAX-1",
        "moq": str(MAX_QUANTITY), "prices": [{"price": "999999999999.999999", "currency": "CNY",
                                             "valid_from": "2026-01-01"}]})
    assert created.status_code == 201, created.text

    read = api_client.get(f"/api/v1/supplier-items/{created.json()['id']}", headers=admin).json()

    assert Decimal(read["moq"]) == MAX_QUANTITY
    assert Decimal(read["prices"][0]["price"]) == Decimal("999999999999.999999")


def test_the_largest_quantity_comes_back_exactly_from_a_line_and_from_a_file(session, api_client, admin):
    world = make_world(session)
    (bolt, nut, cable), (site, _) = list(world.items), list(world.sites)
    created = api_client.post("/api/v1/supplier-stock", headers=admin, json={
        "supplier_code": world.supplier.code, "item_code": bolt, "site_code": site, "on_hand": str(MAX_QUANTITY)})
    assert created.status_code == 201, created.text
    largest = str(MAX_QUANTITY)  # read by the file check's fast path for plain numbers
    file = csv_bytes([["Item code", "Site", "On hand", "Available"], [nut, site, largest, largest],
                      [cable, site, "999,999,999.999999", "1,000"]])  # and by its full check

    imported = api_client.post("/api/v1/supplier-stock/imports", headers=admin, data={
        "supplier": world.supplier.code, "mode": "delta"}, files={"file": ("stock.csv", file, "text/csv")})

    assert imported.status_code == 201, imported.text
    lines = api_client.get("/api/v1/supplier-stock", params={"supplier_id": world.supplier.id}, headers=admin)
    figures = {line["item_code"]: (Decimal(line["on_hand"]), Decimal(line["available"]))
               for line in lines.json()["items"]}
    assert figures[bolt][0] == figures[nut][0] == figures[nut][1] == figures[cable][0] == MAX_QUANTITY
    assert figures[cable][1] == 1000


def test_a_file_quantity_past_the_largest_is_a_row_error(session, api_client, admin):
    world = make_world(session)
    (bolt, _, _), (site, _) = list(world.items), list(world.sites)
    file = csv_bytes([["Item code", "Site", "On hand"], [bolt, site, "1000000000"], [bolt, site, "1,000,000,000.5"]])

    answer = api_client.post("/api/v1/supplier-stock/imports", headers=admin, data={"supplier": world.supplier.code},
                             files={"file": ("stock.csv", file, "text/csv")})

    assert answer.status_code == 422, answer.text
    assert {(e["row"], e["reason"]) for e in answer.json()["errors"]} == {
        (2, "quantity too large: at most 999,999,999.999999"), (3, "quantity too large: at most 999,999,999.999999")}


def test_a_receipt_that_would_overfill_a_balance_is_refused_and_writes_nothing(session, api_client, admin):
    item, owner = make_item(session), make_party(session)
    store, origin = make_location(session), make_location(session, kind="virtual")
    receive(session, item=item, location=store, owner=owner, quantity=MAX_QUANTITY, origin=origin)
    session.commit()
    move = {"item_id": item.id, "quantity": "0.000001", "from_location_id": origin.id, "from_owner_id": owner.id,
            "to_location_id": store.id, "to_owner_id": owner.id, "kind": "receipt"}
    moves_before = session.scalar(select(func.count()).select_from(StockMove))

    answer = api_client.post("/api/v1/stock-moves", json={"moves": [move]}, headers=admin)

    assert refused(answer) == ["moves[0].quantity", "moves[0].quantity"]  # the origin below, the store above
    assert session.scalar(select(func.count()).select_from(StockMove)) == moves_before
    balances = api_client.get("/api/v1/stock-balances", params={"item_id": item.id}, headers=admin).json()["items"]
    assert sorted(Decimal(b["on_hand"]) for b in balances) == [-MAX_QUANTITY, MAX_QUANTITY]
