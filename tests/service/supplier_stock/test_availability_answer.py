"""The availability answer, field by field and in order, for varied random stock: what the API
sends and what the portal shows must not change when the way it is computed does."""
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from openvmi.alerts.models import Alert
from openvmi.ledger import figures
from openvmi.parties.models import Party
from openvmi.supplier_stock import rules
from openvmi.supplier_stock.availability import (
    BUYER_SIDE_KINDS, availability_body, availability_json, list_availability,
)
from openvmi.supplier_stock.models import SupplierStock
from openvmi.supplier_stock.schemas import AvailabilityQuery
from tests.builders import make_item, make_location, make_party, make_supplier_item, receive, unique

NOW = datetime(2026, 11, 30, 9, 30, 15, 250000, tzinfo=UTC)
TODAY = NOW.date()
SIX_PLACES = Decimal("0.000001")


@dataclass
class Line:
    on_hand: Decimal
    available_share: int  # percent of on_hand that is available
    next_in_days: int | None
    lead_time_days: int | None
    age_minutes: int  # negative: a clock ahead of ours
    age_micros: int  # 250000 leaves a reported time without microseconds (NOW has .25 s)


@dataclass
class Supplier:
    code: str  # compared by code point: "-" before "0" before "B" before "a"
    name: str  # with what JSON must escape
    stale_after_days: int
    active: bool
    catalogue: str  # "none", "active" or "inactive": its supplier item for the item
    item_lead_time: int
    lines: list[Line]


lead_times = st.none() | st.integers(0, 40)
lines = st.builds(Line, on_hand=st.decimals(0, 999_999_999, places=6), available_share=st.sampled_from([0, 40, 100]),
                  next_in_days=st.none() | st.integers(-5, 30), lead_time_days=lead_times,
                  age_minutes=st.integers(-30, 60 * 24 * 20) | st.sampled_from([-9, 3, 9, 15, 21]),  # ties at 0.05 h
                  age_micros=st.sampled_from([0, 250000, 123457]))
codes = st.builds(str.__add__, st.sampled_from("aBzZ0"), st.text("aB._-0", max_size=3))
suppliers = st.builds(Supplier, code=codes,
                      name=st.text('ab "\\\t\n\x01螺\u2028', min_size=1, max_size=8),
                      stale_after_days=st.integers(1, 10), active=st.booleans(),
                      catalogue=st.sampled_from(["none", "active", "inactive"]), item_lead_time=st.integers(0, 40),
                      lines=st.lists(lines, max_size=2))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=st.lists(suppliers, min_size=1, max_size=6), buyer_side=st.integers(0, 50))
def test_availability_answers_every_field_in_order(session, world, buyer_side):
    # given one item with varied supplier stock, catalogue entries and perhaps our own VMI stock
    item = make_item(session)
    expected = []
    for spec in world:
        supplier = make_party(session, code=f"{spec.code}.{unique('')}", stale_after_days=spec.stale_after_days)
        # straight into the row: names from older imports may hold what the API refuses today
        session.execute(update(Party).where(Party.id == supplier.id).values(name=spec.name))
        supplier.name = spec.name
        if spec.catalogue != "none":
            entry = make_supplier_item(session, supplier=supplier, item=item, lead_time_days=spec.item_lead_time)
            entry.active = spec.catalogue == "active"
        for line in spec.lines:
            site = make_location(session, kind="supplier_site", supplier_code=supplier.code)
            available = (line.on_hand * line.available_share / 100).quantize(SIX_PLACES)
            next_date = TODAY + timedelta(days=line.next_in_days) if line.next_in_days is not None else None
            reported_at = NOW - timedelta(minutes=line.age_minutes, microseconds=line.age_micros)
            session.add(SupplierStock(supplier_id=supplier.id, item_id=item.id, location_id=site.id,
                                      on_hand=line.on_hand, available=available, next_available_date=next_date,
                                      lead_time_days=line.lead_time_days, unit=item.unit, reported_at=reported_at,
                                      source="api"))
            lead_time = line.lead_time_days if line.lead_time_days is not None else (
                spec.item_lead_time if spec.catalogue != "none" else None)
            expected.append(_supplier_line(supplier, site.id, site.code, on_hand=line.on_hand.quantize(SIX_PLACES),
                                           available=available, next_date=next_date, lead_time=lead_time,
                                           reported_at=reported_at))
        if not spec.lines and spec.catalogue == "active" and spec.active:
            expected.append(_supplier_line(supplier, None, None, on_hand=Decimal(0), available=Decimal(0),
                                           next_date=None, lead_time=spec.item_lead_time, reported_at=None))
        if not spec.active:
            session.execute(update(Party).where(Party.id == supplier.id).values(active=False))
    if buyer_side:
        receive(session, item=item, location=make_location(session, kind="vmi"), owner=make_party(session),
                quantity=buyer_side)
    session.flush()
    for stock in figures.on_hand_at(session, item_ids=[item.id], kinds=BUYER_SIDE_KINDS):
        expected.append(_line(source=stock.location_kind.value, supplier_id=stock.owner_id,
                              supplier_code=stock.owner_code, supplier_name=stock.owner_name,
                              location_id=stock.location_id, site_code=stock.location_code, on_hand=stock.on_hand,
                              available=stock.on_hand, next_available_date=None, lead_time_days=None,
                              deliverable_on=TODAY, reported_at=stock.updated_at, age_hours=None, stale=False))

    # when a buyer asks for it
    answer = list_availability(session, AvailabilityQuery(item_ids=[item.id]), now=NOW)

    # then the API's JSON is exactly this: soonest first, our own stock first on a day, more before
    # less, fresh before old, and the supplier and site codes settling the rest
    expected.sort(key=lambda line: (line["deliverable_on"], rules.SOURCE_RANK[line["source"]], -line["available"],
                                    line["age_hours"] or timedelta(0), line["supplier_code"], line["site_code"] or ""))
    for line in expected:
        line["age_hours"] = rules.age_hours(line["age_hours"]) if line["age_hours"] is not None else None
    supplier_total = sum((ln["available"] for ln in expected if ln["source"] == "supplier"), Decimal(0))
    ours = sum((ln["available"] for ln in expected if ln["source"] != "supplier"), Decimal(0))
    wanted = {"items": [{"item_id": item.id, "item_code": item.code, "item_name": item.name, "unit": item.unit,
                         "total_available": supplier_total, "buyer_side": ours, "lines": expected}],
              "next_cursor": None}
    assert json.loads(availability_json(answer)) == json.loads(json.dumps(wanted, default=_jsonable))
    # and the API's body, each supplier line written by the database, has exactly the same bytes
    assert availability_body(session, AvailabilityQuery(item_ids=[item.id]), now=NOW) == availability_json(answer)

    # and the portal reads the same figures from the same answer
    shown = answer.items[0]
    assert (shown["total_available"], shown["buyer_side"]) == (supplier_total, ours)
    assert [(line["deliverable_on"], line["supplier_code"], line["available"], line["stale"])
            for line in shown["lines"]] == [
        (line["deliverable_on"], line["supplier_code"], line["available"], line["stale"]) for line in expected]


def test_a_page_of_several_items_gives_each_item_its_own_lines_in_the_same_bytes(session):
    # given three items with stock at two suppliers each, and a fourth that no supplier has
    items = [make_item(session) for _ in range(4)]
    for rank, item in enumerate(items[:3]):
        for supplier in (make_party(session), make_party(session)):
            site = make_location(session, kind="supplier_site", supplier_code=supplier.code)
            session.add(SupplierStock(supplier_id=supplier.id, item_id=item.id, location_id=site.id,
                                      on_hand=Decimal(rank + 5), available=Decimal(rank + 1), unit=item.unit,
                                      reported_at=NOW - timedelta(hours=rank), source="api"))
    session.flush()

    # when a buyer asks for all four in one page
    query = AvailabilityQuery(item_ids=[item.id for item in items])
    body = availability_body(session, query, now=NOW)

    # then the API's body, its lines joined by the database item by item, is the portal's answer
    # byte for byte, and each item holds its own suppliers' lines only
    assert body == availability_json(list_availability(session, query, now=NOW))
    lines = {answer["item_id"]: [line["available"] for line in answer["lines"]] for answer in json.loads(body)["items"]}
    assert lines == {items[0].id: ["1.000000"] * 2, items[1].id: ["2.000000"] * 2, items[2].id: ["3.000000"] * 2,
                     items[3].id: []}


def _supplier_line(supplier, location_id, site_code, *, on_hand, available, next_date, lead_time, reported_at):
    age_hours = NOW - reported_at if reported_at is not None else None
    return _line(source="supplier", supplier_id=supplier.id, supplier_code=supplier.code,
                 supplier_name=supplier.name, location_id=location_id, site_code=site_code, on_hand=on_hand,
                 available=available, next_available_date=next_date if available == 0 else None,
                 lead_time_days=lead_time,
                 deliverable_on=rules.deliverable_on(source="supplier", available=available,
                                                     next_available_date=next_date, lead_time_days=lead_time,
                                                     today=TODAY),
                 reported_at=reported_at, age_hours=age_hours,
                 stale=rules.is_stale(reported_at, now=NOW, stale_after_days=supplier.stale_after_days))


def _line(**fields):
    return fields | {"alert_id": None, "alert_kind": None}


def _jsonable(value):
    """What the API writes for these types: a Decimal as its string, dates in ISO 8601, UTC as Z."""
    if isinstance(value, Decimal):
        return str(value)
    return value.isoformat().replace("+00:00", "Z")


def test_open_alerts_sit_on_published_and_unpublished_lines_alike(session):
    # given an item's supplier with stock and one with only a catalogue entry, each with an open
    # low-stock alert, and a third without one
    item = make_item(session)
    published, unpublished, quiet = (make_party(session) for _ in range(3))
    for supplier in (published, unpublished, quiet):
        make_supplier_item(session, supplier=supplier, item=item, lead_time_days=3)
    site = make_location(session, kind="supplier_site", supplier_code=published.code)
    session.add(SupplierStock(supplier_id=published.id, item_id=item.id, location_id=site.id, on_hand=Decimal(5),
                              available=Decimal(5), unit=item.unit, reported_at=NOW, source="api"))
    alerts = {supplier.id: Alert(kind="low_stock", supplier_id=supplier.id, item_id=item.id, status="opened",
                                 open_key=f"low_stock:{supplier.id}:{item.id}", message="low", numbers={})
              for supplier in (published, unpublished)}
    session.add_all(alerts.values())
    session.flush()

    # when a buyer asks for it
    query = AvailabilityQuery(item_ids=[item.id])
    body = availability_body(session, query, now=NOW)

    # then each line carries its supplier's alert, as the portal's answer has it, byte for byte
    assert body == availability_json(list_availability(session, query, now=NOW))
    lines = {line["supplier_id"]: line for line in json.loads(body)["items"][0]["lines"]}
    assert {supplier_id: (line["alert_id"], line["alert_kind"]) for supplier_id, line in lines.items()} == {
        published.id: (alerts[published.id].id, "low_stock"), unpublished.id: (alerts[unpublished.id].id, "low_stock"),
        quiet.id: (None, None)}
