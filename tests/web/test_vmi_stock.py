"""The VMI stock view over HTTP and in the portal: the buyer sees every agreement, a supplier its own,
filters and exports in both languages."""
import csv
import io
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from openvmi.access import Role
from openvmi.planning import service as planning_service
from openvmi.planning.schemas import PlanPublish
from tests.builders import bearer, make_user, settled_move
from tests.service.planning.world import line, make_plan_world
from tests.service.vmi.replenishment_world import make_vmi_world

URL = "/api/v1/vmi/stock"


def shown(page, world) -> bool:
    """Whether the page's table has the world's agreement (the filters list every item and place)."""
    return f'href="/vmi/agreements/{world.agreement.id}"' in page.text


def two_suppliers(session):
    plan = make_plan_world(session)
    mine = make_vmi_world(session, plan, on_hand=20, in_transit=5, per_day=0)
    settled_move(session, mine.agreement, 4)
    return mine, make_vmi_world(session, plan, on_hand=7, in_transit=0, per_day=0)


def test_the_buyer_sees_every_agreement_and_a_supplier_its_own(session, api_client):
    mine, theirs = two_suppliers(session)
    buyer = bearer(session, make_user(session, role=Role.BUYER))
    supplier = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=mine.supplier))

    everything = api_client.get(URL, headers=buyer)
    own = api_client.get(URL, headers=supplier)
    other = api_client.get(URL, headers=supplier, params={"supplier_id": theirs.supplier.id})

    assert everything.status_code == 200
    assert {r["agreement_id"] for r in everything.json()["items"]} >= {mine.agreement.id, theirs.agreement.id}
    (row,) = own.json()["items"]
    assert (row["agreement_id"], Decimal(row["supplier_owned"]), Decimal(row["in_transit"])) == (
        mine.agreement.id, 16, 5)
    assert [Decimal(c["quantity"]) for c in row["last_consumptions"]] == [4]
    assert (other.status_code, other.json()["items"]) == (200, [])


def test_a_bad_filter_is_a_field_problem(session, api_client):
    buyer = bearer(session, make_user(session, role=Role.BUYER))

    answer = api_client.get(URL, headers=buyer, params={"location_id": "x", "limit": 0})

    assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"
    assert sorted(e["field"] for e in answer.json()["errors"]) == ["limit", "location_id"]


def test_the_portal_page_filters_and_exports_in_the_readers_language(session, portal):
    mine, theirs = two_suppliers(session)
    portal.sign_in(make_user(session, role=Role.BUYER, locale="zh_CN"))

    page = portal.get(f"/vmi/stock?item={mine.item.id}")
    export = portal.get(f"/vmi/stock?supplier={mine.supplier.id}&format=csv")
    workbook = portal.get(f"/vmi/stock?location={theirs.store.id}&format=xlsx")

    assert page.status_code == 200 and "VMI 库存" in page.text
    assert shown(page, mine) and not shown(page, theirs)
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][0] == "协议" and [r[0] for r in rows[1:]] == [str(mine.agreement.id)]
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [theirs.agreement.id]


def test_a_supplier_user_page_shows_its_own_stock_only(session, portal):
    mine, theirs = two_suppliers(session)
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=theirs.supplier, locale="en"))

    page = portal.get("/vmi/stock")

    assert page.status_code == 200 and "VMI stock" in page.text
    assert shown(page, theirs) and not shown(page, mine)


def cover_cell(page, world) -> str:
    """The text of the days-of-cover cell in the world's agreement row."""
    row = next(r for r in page.text.split("<tr") if f'href="/vmi/agreements/{world.agreement.id}"' in r)
    return re.sub(r"<[^>]+>", "", re.findall(r'<td class="num">(.*?)</td>', row, flags=re.S)[4]).strip()


@pytest.mark.parametrize(("locale", "nothing", "days"), [("en", "no demand", "days"), ("zh_CN", "无需求", "天")])
def test_an_agreement_without_planned_demand_shows_no_demand_instead_of_days_of_cover(
        session, portal, locale, nothing, days):
    plan = make_plan_world(session)
    idle = make_vmi_world(session, plan, on_hand=0, in_transit=0, per_day=0)
    busy = make_vmi_world(session, plan, on_hand=30, in_transit=0, per_day=0)
    now = datetime.now(UTC)
    planning_service.publish_plan(session, PlanPublish(lines=[
        line(busy.item, plan.plants[0], 10, day=now.date() + timedelta(days=1))]), actor=plan.buyer,
        idempotency_key=None, now=now)
    portal.sign_in(make_user(session, role=Role.BUYER, locale=locale))

    page = portal.get("/vmi/stock")

    assert cover_cell(page, idle) == nothing
    assert days in cover_cell(page, busy) and nothing not in cover_cell(page, busy)
