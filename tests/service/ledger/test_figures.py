"""Whole-set read models (ledger.figures) answer what the journal and the layers say, on both
databases: recomputed here row by row in Python from the same data."""
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from openvmi.ledger import figures, service
from openvmi.ledger.figures import Period
from openvmi.ledger.models import ReceiptLayer, StockMove
from openvmi.ledger.rules import DocumentKind
from openvmi.ledger.schemas import MoveCreate, PostingCreate
from openvmi.locations.rules import LocationKind
from tests.builders import document, make_buyer, make_item, make_location, make_party

ZONE = "Asia/Shanghai"
T0 = datetime(2026, 9, 27, 15, 30, tzinfo=UTC)  # Sunday 23:30 in Shanghai: days, weeks and months turn soon


@pytest.fixture
def shop(session, monkeypatch):
    clock = [T0]
    monkeypatch.setattr(service, "utcnow", lambda: clock[0])
    places = {name: make_location(session, kind=kind) for name, kind in (
        ("origin", "virtual"), ("store", "vmi"), ("warehouse", "warehouse"), ("quarantine", "quarantine"),
        ("line", "production"))}
    owners = {"supplier": make_party(session), "buyer": make_buyer(session)}
    items = [make_item(session), make_item(session)]

    def post(at, kind, source, target, quantity, *, item=0, owner="supplier", to_owner=None, document_kind=None):
        clock[0] = at
        move = MoveCreate(item_id=items[item].id, quantity=Decimal(quantity), kind=kind,
                          from_location_id=places[source].id, from_owner_id=owners[owner].id,
                          to_location_id=places[target].id, to_owner_id=owners[to_owner or owner].id)
        service.post_moves(session, PostingCreate(moves=[move]), actor=None,
                           document=document(document_kind or DocumentKind.RECEIPT))

    return post, places, owners, items


def test_on_hand_by_kind_sums_physical_stock_per_place_kind_and_owner(session, shop):
    post, _, owners, items = shop
    post(T0, "receipt", "origin", "store", 10)
    post(T0, "receipt", "origin", "quarantine", 2)
    post(T0, "receipt", "origin", "warehouse", 5, owner="buyer")
    post(T0, "consumption", "store", "line", 4, to_owner="buyer", document_kind=DocumentKind.CONSUMPTION)

    rows = figures.on_hand_by_kind(session, item_ids=[items[0].id])

    assert {(row.location_kind, row.owner_id, row.on_hand) for row in rows} == {
        (LocationKind.VMI, owners["supplier"].id, Decimal(6)),
        (LocationKind.QUARANTINE, owners["supplier"].id, Decimal(2)),
        (LocationKind.WAREHOUSE, owners["buyer"].id, Decimal(5))}  # production and virtual are not physical


def test_layers_are_bucketed_by_the_age_of_their_receipt(session, shop):
    post, _, _, items = shop
    now = T0 + timedelta(days=100)
    for days_old, quantity in ((100, 3), (45, 4), (31, 5), (1, 6)):
        post(now - timedelta(days=days_old), "receipt", "origin", "store", quantity)

    rows = figures.layers_by_age(session, now=now, item_ids=[items[0].id])

    assert [(row.bucket, row.quantity) for row in rows] == [
        (0, Decimal(6)), (30, Decimal(9)), (90, Decimal(3))]


def test_on_hand_at_names_places_and_owners_largest_first(session, shop):
    post, places, owners, items = shop
    post(T0, "receipt", "origin", "store", 3)
    post(T0, "receipt", "origin", "store", 7, owner="buyer")
    post(T0, "receipt", "origin", "quarantine", 9)

    rows = figures.on_hand_at(session, item_ids=[items[0].id], kinds=[LocationKind.VMI])

    assert [(row.location_code, row.owner_code, row.on_hand) for row in rows] == [
        (places["store"].code, owners["buyer"].code, Decimal(7)),
        (places["store"].code, owners["supplier"].code, Decimal(3))]


moments = st.lists(st.tuples(st.integers(0, 60 * 24 * 70), st.integers(1, 40), st.booleans()),
                   min_size=1, max_size=25)


@pytest.mark.parametrize("period", list(Period))
def test_moves_by_period_agree_with_the_journal_read_in_the_zone(session, shop, period):
    post, _, _, items = shop
    zone = ZoneInfo(ZONE)

    @settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(moments)
    def agree(postings):
        example = session.begin_nested()
        try:
            post(T0 - timedelta(days=1), "receipt", "origin", "store", 10_000, item=1)
            for minutes, quantity, consumed in postings:
                at = T0 + timedelta(minutes=minutes)
                if consumed:
                    post(at, "consumption", "store", "line", quantity, item=1, to_owner="buyer",
                         document_kind=DocumentKind.CONSUMPTION)
                else:
                    post(at, "receipt", "origin", "store", quantity, item=1)
            start, end = T0, T0 + timedelta(days=71)

            rows = figures.moves_by_period(session, period=period, start=start, end=end, zone=ZONE,
                                           item_ids=[items[1].id])

            expected: dict[tuple[date, str], list[Decimal]] = defaultdict(list)
            for move in session.scalars(select(StockMove).where(
                    StockMove.item_id == items[1].id, StockMove.created_at >= start, StockMove.created_at < end)):
                expected[(first_day(move.created_at.astimezone(zone).date(), period), move.kind)].append(move.quantity)
            assert {(row.period_start, row.kind): (row.quantity, row.moves) for row in rows} == {
                key: (sum(quantities), len(quantities)) for key, quantities in expected.items()}
        finally:
            example.rollback()

    agree()


def first_day(day: date, period: Period) -> date:
    if period is Period.DAY:
        return day
    if period is Period.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def test_layers_by_age_agree_with_the_layers_read_one_by_one(session, shop):
    post, _, _, items = shop
    now = T0 + timedelta(days=200)
    for days_old in (0, 5, 29, 30, 31, 59, 60, 89, 90, 179, 180, 199):
        post(now - timedelta(days=days_old, hours=1), "receipt", "origin", "warehouse", days_old + 1, item=1)

    rows = figures.layers_by_age(session, now=now, item_ids=[items[1].id])

    expected: dict[int, Decimal] = defaultdict(Decimal)
    for layer in session.scalars(select(ReceiptLayer).where(ReceiptLayer.item_id == items[1].id)):
        age = now - layer.received_at
        expected[max(days for days in (0, 30, 60, 90, 180) if age >= timedelta(days=days))] += layer.quantity_left
    assert {row.bucket: row.quantity for row in rows} == dict(expected)
