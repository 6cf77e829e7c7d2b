"""Settlement lines and reconciliation over HTTP and in the portal: filters, totals, exports with the
zone and no formulas, problems for bad input, and the supplier boundary."""
import csv
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete

from openvmi.access import Role
from openvmi.db import utcnow
from openvmi.settlement.rules import credit_row
from openvmi.settlement.service import record_lines
from openvmi.settlement.models import SettlementLine
from tests.builders import bearer, make_user
from tests.service.settlement.world import make_settled_world

LINES, RECONCILIATION = "/api/v1/settlement/lines", "/api/v1/settlement/reconciliation"


@pytest.fixture
def world(session):
    return make_settled_world(session)


@pytest.fixture
def today(world):
    return world.moves["consumed"].created_at.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()


def test_finance_lists_lines_with_totals_per_currency(session, api_client, world):
    finance = bearer(session, make_user(session, role=Role.FINANCE))

    answer = api_client.get(LINES, headers=finance, params={"supplier_id": world.a.id, "kind": "consumption"})

    assert answer.status_code == 200
    assert [line["id"] for line in answer.json()["items"]] == [world.lines["consumed"]]
    assert answer.json()["totals"] == [{"currency": "CNY", "lines": 1, "quantity": "4.000000", "net_amount": "4.60",
                                        "tax_amount": "0.60", "gross_amount": "5.20"}]


@pytest.mark.parametrize(("params", "field"), [({"from": "2026-12-02", "to": "2026-12-01"}, "to"),
                                               ({"kind": "gift"}, "kind"), ({"from": "yesterday"}, "from"),
                                               ({"format": "pdf"}, "format"), ({"supplier_id": "0"}, "supplier_id")])
def test_bad_filters_are_field_problems(session, api_client, world, params, field):
    finance = bearer(session, make_user(session, role=Role.FINANCE))

    answer = api_client.get(LINES, headers=finance, params=params)

    assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in answer.json()["errors"]] == [field]


def test_a_supplier_sees_its_own_lines_and_an_empty_list_for_another(session, api_client, world):
    supplier_b = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.b))

    own = api_client.get(LINES, headers=supplier_b).json()
    other = api_client.get(LINES, headers=supplier_b, params={"supplier_id": world.a.id}).json()

    assert [line["id"] for line in own["items"]] == [world.lines["b"]]
    assert (other["items"], other["totals"]) == ([], [])


def test_warehouse_staff_see_no_money(session, api_client, world):
    warehouse = bearer(session, make_user(session, role=Role.WAREHOUSE))

    assert api_client.get(LINES, headers=warehouse).status_code == 403


def test_the_csv_export_writes_times_with_their_offset_and_every_line(session, api_client, world):
    finance = bearer(session, make_user(session, role=Role.FINANCE))

    answer = api_client.get(LINES, headers=finance, params={"supplier_id": world.a.id, "format": "csv"})

    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert answer.headers["content-type"].startswith("text/csv")
    assert [row["id"] for row in rows] == [str(world.lines[k]) for k in ("bought", "returned", "consumed")]
    assert rows[1]["net_amount"] == "-1.15" and rows[1]["kind"] == "reversal"
    assert rows[0]["occurred_at (UTC+08:00)"].endswith("+08:00")


def test_the_portal_lists_lines_in_chinese_and_exports_xlsx_without_formulas(session, portal, world):
    world.item_a.name = "=HYPERLINK(\"http://evil\")"
    session.flush()
    portal.sign_in(make_user(session, role=Role.FINANCE, locale="zh_CN"))

    page = portal.get(f"/settlement/lines?supplier={world.a.id}")
    export = portal.get(f"/settlement/lines?supplier={world.a.id}&format=xlsx")

    assert page.status_code == 200 and "结算" in page.text and world.item_a.code in page.text
    sheet = load_workbook(io.BytesIO(export.content)).active
    names = [row[7] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["'=HYPERLINK(\"http://evil\")"] * 3
    assert "UTC+08:00" in sheet.cell(row=1, column=3).value


def test_a_supplier_user_page_shows_its_lines_only(session, portal, world):
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=world.b))

    page = portal.get("/settlement/lines")

    assert page.status_code == 200 and world.item_b.code in page.text and world.item_a.code not in page.text


def test_every_line_names_the_vmi_store_its_stock_left_or_came_back_to(session, api_client, world):
    supplier_a = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.a))

    listed = api_client.get(LINES, headers=supplier_a).json()["items"]
    exported = api_client.get(LINES, headers=supplier_a, params={"format": "csv"})

    # taken to production, returned from it, bought out where it lies: each is the store, never production
    assert [(line["kind"], line["location_code"]) for line in listed] == [
        ("buyout", world.store.code), ("reversal", world.store.code), ("consumption", world.store.code)]
    rows = csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig")))
    assert {row["location_code"] for row in rows} == {world.store.code}


def test_a_supplier_reads_the_store_of_each_line_on_its_page(session, portal, world):
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=world.b, locale="en"))

    page = portal.get("/settlement/lines")

    assert "VMI location" in page.text and world.store.code in page.text and world.production.code not in page.text


def test_a_credit_line_which_moves_nothing_is_listed_without_a_store(session, portal, world):
    consumed = session.get(SettlementLine, world.lines["consumed"])
    columns = {column.name: getattr(consumed, column.name) for column in SettlementLine.__table__.columns}
    record_lines(session, [credit_row(columns, line_id=consumed.id, amount=Decimal("1.00"), reason="damaged",
                                      occurred_at=utcnow())])
    portal.sign_in(make_user(session, role=Role.FINANCE, locale="en"))

    page = portal.get(f"/settlement/lines?supplier={world.a.id}&kind=credit")

    assert page.status_code == 200
    assert page.text.count("-CN¥1.00") == 2  # the line and its total
    assert world.store.code not in page.text


def test_reconciliation_over_http_names_the_move_without_a_line(session, api_client, world, today):
    finance = bearer(session, make_user(session, role=Role.FINANCE))
    session.execute(delete(SettlementLine).where(SettlementLine.id == world.lines["bought"]))

    answer = api_client.get(RECONCILIATION, headers=finance,
                            params={"supplier_id": world.a.id, "from": today, "to": today})

    assert answer.status_code == 200
    assert [(d["difference"], d["move_id"]) for d in answer.json()["differences"]] == [
        ("move_without_line", world.moves["bought"].id)]


def test_reconciliation_of_another_supplier_is_not_found_for_a_supplier(session, api_client, world, today):
    supplier_b = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.b))
    period = {"from": today, "to": today}

    own = api_client.get(RECONCILIATION, headers=supplier_b, params={"supplier_id": world.b.id} | period)
    other = api_client.get(RECONCILIATION, headers=supplier_b, params={"supplier_id": world.a.id} | period)

    assert (own.status_code, own.json()["differences"]) == (200, [])
    assert other.status_code == 404 and other.headers["content-type"] == "application/problem+json"


def test_reconciliation_needs_a_supplier_and_a_period(session, api_client, world):
    finance = bearer(session, make_user(session, role=Role.FINANCE))

    answer = api_client.get(RECONCILIATION, headers=finance, params={"supplier_id": world.a.id})

    assert answer.status_code == 422
    assert sorted(error["field"] for error in answer.json()["errors"]) == ["from", "to"]


def test_the_reconciliation_page_says_no_difference_in_both_languages(session, portal, world, today):
    portal.sign_in(make_user(session, role=Role.FINANCE, locale="en"))
    english = portal.get(f"/settlement/reconciliation?supplier={world.a.id}&from={today}&to={today}")
    portal.sign_in(make_user(session, role=Role.FINANCE, locale="zh_CN"))
    chinese = portal.get(f"/settlement/reconciliation?supplier={world.a.id}&from={today}&to={today}")

    assert english.status_code == chinese.status_code == 200
    assert "No difference" in english.text
    assert "No difference" not in chinese.text and "没有差异" in chinese.text
