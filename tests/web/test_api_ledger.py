"""The ledger over HTTP: the journal newest first and paged, balances, time filters."""
from datetime import timedelta

import pytest

from openvmi.access import Role
from openvmi.db import utcnow
from tests.builders import bearer, make_item, make_location, make_party, make_user, receive


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
