"""The ledger over HTTP: the journal newest first and paged, balances, time filters."""
from datetime import timedelta
from decimal import Decimal

import pytest

from openvmi.access import Role
from openvmi.db import utcnow
from openvmi.ledger import queries
from openvmi.ledger.rules import DocumentKind
from tests.builders import (
    bearer, consume, document, make_buyer, make_item, make_location, make_party, make_user, receive,
)


@pytest.fixture
def journal(session):
    supplier, item, store = make_party(session), make_item(session), make_location(session)
    postings = [receive(session, item=item, location=store, owner=supplier, quantity=n) for n in (1, 2, 3)]
    headers = bearer(session, make_user(session, role=Role.BUYER))
    return item, store, [p.moves[0].id for p in postings], headers


def test_the_journal_lists_newest_first_page_by_page(api_client, journal):
    item, _, move_ids, headers = journal

    first = api_client.get("/api/v1/stock-moves", params={"item_id": item.id, "limit": 2}, headers=headers).json()
    rest = api_client.get("/api/v1/stock-moves", params={"item_id": item.id, "limit": 2,
                                                         "cursor": first["next_cursor"]}, headers=headers).json()

    assert [m["id"] for m in first["items"] + rest["items"]] == move_ids[::-1]
    assert rest["next_cursor"] is None


@pytest.mark.parametrize("since", ["2020-01-01", "2020-01-01T00:00:00", "2020-01-01T08:00:00+08:00"])
def test_a_time_filter_with_or_without_a_zone_is_understood(api_client, journal, since):
    item, _, move_ids, headers = journal

    answer = api_client.get("/api/v1/stock-moves", params={"item_id": item.id, "created_from": since},
                            headers=headers)

    assert answer.status_code == 200
    assert len(answer.json()["items"]) == len(move_ids)


def test_a_time_window_in_the_future_is_empty(api_client, journal):
    item, _, _, headers = journal
    tomorrow = (utcnow() + timedelta(days=1)).isoformat()

    answer = api_client.get("/api/v1/stock-moves", params={"item_id": item.id, "created_from": tomorrow},
                            headers=headers)

    assert answer.json()["items"] == []


def test_balances_show_what_is_on_hand(api_client, journal):
    item, store, _, headers = journal

    answer = api_client.get("/api/v1/stock-balances", params={"location_id": store.id, "nonzero": True},
                            headers=headers)

    assert [(b["item_id"], b["on_hand"], b["is_physical"]) for b in answer.json()["items"]] == [
        (item.id, "6.000000", True)]


def consumption_body(item, store, line, supplier, buyer, **changes):
    return {"moves": [{"item_id": item.id, "quantity": "1", "from_location_id": store.id, "from_owner_id": supplier.id,
                       "to_location_id": line.id, "to_owner_id": buyer.id, "kind": "consumption"} | changes]}


def test_the_raw_api_never_hands_a_suppliers_stock_to_the_buyer(session, api_client):
    # Only the consignment use cases (consumption, buyout) may: they write the settlement line with it.
    supplier, buyer, item = make_party(session), make_buyer(session), make_item(session)
    store, line = make_location(session, kind="vmi"), make_location(session, kind="production")
    receive(session, item=item, location=store, owner=supplier, quantity=5)
    headers = bearer(session, make_user(session, role=Role.ADMIN))

    for body in (consumption_body(item, store, line, supplier, buyer),
                 consumption_body(item, store, store, supplier, buyer, kind="buyout")):
        answer = api_client.post("/api/v1/stock-moves", headers=headers, json=body)

        assert answer.status_code == 422, answer.text
        assert [error["field"] for error in answer.json()["errors"]] == ["moves[0].to_owner_id"]
        assert "only through a consumption or a buyout" in answer.json()["detail"]
    assert queries.on_hand(session, item_id=item.id, location_id=store.id, owner_id=supplier.id) == Decimal(5)


def test_moves_are_found_by_their_document_and_name_it(session, api_client):
    supplier, buyer, item = make_party(session), make_buyer(session), make_item(session)
    store, line = make_location(session, kind="vmi"), make_location(session, kind="production")
    receive(session, item=item, location=store, owner=supplier, quantity=5)
    scan = document(DocumentKind.CONSUMPTION)
    consume(session, item=item, location=store, owner=supplier, quantity=2, sink=line, consumption=scan)
    consume(session, item=item, location=store, owner=supplier, quantity=1, sink=line)
    headers = bearer(session, make_user(session, role=Role.BUYER))

    answer = api_client.get("/api/v1/stock-moves", headers=headers,
                            params={"document_kind": "consumption", "document_id": scan.id})

    assert [(m["quantity"], m["document_kind"], m["document_id"]) for m in answer.json()["items"]] == [
        ("2.000000", "consumption", scan.id)]


def test_an_unknown_document_kind_is_refused_naming_the_parameter(api_client, session):
    headers = bearer(session, make_user(session, role=Role.BUYER))

    answer = api_client.get("/api/v1/stock-moves", headers=headers, params={"document_kind": "invoice"})

    assert answer.status_code == 422
    assert "document_kind" in answer.text


def test_integrators_can_read_which_moves_may_go_where(api_client, session):
    headers = bearer(session, make_user(session, role=Role.WAREHOUSE))

    routes = api_client.get("/api/v1/stock-moves/routes", headers=headers).json()

    consumption = [(route["from_kinds"], route["to_kinds"]) for route in routes if route["kind"] == "consumption"]
    assert consumption == [(["vmi", "warehouse"], ["production"])]
    assert all("supplier_site" not in route["from_kinds"] + route["to_kinds"] for route in routes)
