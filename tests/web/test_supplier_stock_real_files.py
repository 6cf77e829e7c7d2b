"""The sample files made by real programs (tests/fixtures/supplier_stock), uploaded the way a
supplier does: through the API and through the portal's upload form."""
from decimal import Decimal

from openvmi.access import Role
from tests.builders import bearer, make_user
from tests.service.supplier_stock.world import fixture_bytes, make_fixture_world, stock_of
from tests.web.conftest import CSRF_VALUE

IMPORTS = "/api/v1/supplier-stock/imports"


def api_upload(client, headers, name: str):
    return client.post(IMPORTS, headers=headers, data={"mode": "full"},
                       files={"file": (name, fixture_bytes(name), "application/octet-stream")})


def portal_upload(portal, name: str):
    return portal.client.post("/supplier-stock/upload", data={"mode": "full", "csrf_token": CSRF_VALUE},
                              files={"file": (name, fixture_bytes(name), "application/octet-stream")})


def test_a_libreoffice_workbook_uploaded_through_the_api_publishes_what_it_shows(session, api_client):
    world = make_fixture_world(session)
    supplier = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.supplier))

    created = api_upload(api_client, supplier, "calc_workbook.xlsx")

    assert created.status_code == 201, created.text
    assert (created.json()["new_count"], created.json()["file_format"]) == (5, "xlsx")
    assert stock_of(session, world.supplier)[("FX-BOLT-M8", "NB-WH1")] == (Decimal(1200), Decimal(1000))


def test_a_workbook_with_formula_errors_is_refused_through_the_api_row_by_row(session, api_client):
    world = make_fixture_world(session)
    supplier = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.supplier))

    refused = api_upload(api_client, supplier, "calc_broken.xlsx")

    assert refused.status_code == 422
    assert [(e["row"], e["column"], e["value"]) for e in refused.json()["errors"]] == [
        (5, "On hand", "#DIV/0!"), (6, "On hand", "twelve"), (7, "On hand", "-3"), (8, "Available", "#REF!")]
    assert stock_of(session, world.supplier) == {}


def test_a_kingdee_export_uploaded_in_the_portal_is_imported(session, portal):
    world = make_fixture_world(session)
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=world.supplier, locale="en"))

    answer = portal_upload(portal, "kingdee_gbk.csv")

    assert answer.status_code == 200 and "Imported" in answer.text
    assert stock_of(session, world.supplier)[("FX-NUT-M8", "NB-WH1")] == (Decimal(120), Decimal(80))


def test_a_broken_erp_export_uploaded_in_the_portal_shows_its_rows_and_changes_nothing(session, portal):
    world = make_fixture_world(session)
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=world.supplier, locale="zh_CN"))

    answer = portal_upload(portal, "erp_broken_gbk.csv")

    assert answer.status_code == 422
    for row, column in ((5, "现存量"), (6, "现存量"), (7, "现存量"), (8, "物料编码"), (9, "预计可用日期")):
        assert f'<td class="num">{row}</td><td>{column}</td>' in answer.text
    assert '<td class="num">10</td>' not in answer.text  # the 合计 row is no stock line
    assert stock_of(session, world.supplier) == {}


def test_a_file_refused_as_a_whole_says_why_without_a_row_through_the_api(session, api_client):
    # every other sample file is read at the service tier (tests/service/supplier_stock/test_real_files.py)
    world = make_fixture_world(session)
    supplier = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.supplier))

    refused = api_upload(api_client, supplier, "calc_native.ods")

    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    [error] = refused.json()["errors"]
    assert (error["row"], error["column"]) == (None, None) and "save it as .xlsx or CSV" in error["reason"]
    assert stock_of(session, world.supplier) == {}
