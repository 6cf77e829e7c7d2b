"""Hostile uploads for real: a 422 problem naming what is wrong (a workbook bomb, a codec that is
no text encoding), the same reason on the portal in the reader's language, and nothing written
but the rejected import's record."""
import pytest

from openvmi.access import Role
from openvmi.tabular.xlsx_archive import ENTITIES, MB
from tests.builders import bearer, make_user
from tests.service.supplier_stock.world import make_world, stock_of
from tests.unit.supplier_stock.hostile_xlsx import (
    BILLION_LAUGHS, HEADER_ROW, XXE, claiming, sheet_xml, workbook,
)
from tests.web.conftest import field_error
from tests.web.test_supplier_stock_api import PROBLEM, upload
from tests.web.test_supplier_stock_portal import upload as upload_in_portal

TEXT_ENCODING = "not a text encoding: choose one such as utf-8, gb18030 or big5"
HOSTILE = {
    "xxe": (workbook(strings_prolog=XXE, strings="&secret;"), ENTITIES),
    "billion-laughs": (workbook(strings_prolog=BILLION_LAUGHS, strings="&lol9;"), ENTITIES),
    "workbook-400mb": (claiming(workbook(), {"xl/workbook.xml": 400 * MB}),
                       "xl/workbook.xml inflates to 400 MB; the limit is 16 MB (OPENVMI_XLSX_MAX_PART_MB)"),
    "strings-200mb": (claiming(workbook(), {"xl/sharedStrings.xml": 200 * MB}),
                      "xl/sharedStrings.xml inflates to 200 MB; the limit is 32 MB (OPENVMI_XLSX_MAX_SHARED_STRINGS_MB)"),
    "sheet-1gb": (claiming(workbook(), {"xl/worksheets/sheet1.xml": 1024 * MB}),
                  "xl/worksheets/sheet1.xml inflates to 1024 MB; the limit is 512 MB (OPENVMI_XLSX_MAX_SHEET_MB)"),
    "rows": (workbook([sheet_xml(HEADER_ROW + '<row r="2000000"><c><v>1</v></c></row>')]),
             "sheet 'Sheet1' has more than 1048576 rows (OPENVMI_XLSX_MAX_ROWS)"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_workbook_gets_a_422_naming_the_problem_and_writes_no_stock(session, api_client, name):
    data, reason = HOSTILE[name]
    world = make_world(session)
    supplier_user = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.supplier))

    refused = upload(api_client, supplier_user, data, filename="stock.xlsx")

    assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM
    body = refused.json()
    assert body["code"] == "invalid_import_file"
    assert [(e["row"], e["reason"]) for e in body["errors"]] == [(None, reason)]
    assert stock_of(session, world.supplier) == {}
    report = api_client.get(f"/api/v1/supplier-stock/imports/{body['import_id']}/errors", headers=supplier_user)
    assert report.json()["status"] == "rejected"


def test_the_portal_shows_the_refusal_in_the_readers_language(session, portal):
    world = make_world(session)
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=world.supplier, locale="zh_CN"))

    entities = upload_in_portal(portal, HOSTILE["xxe"][0], filename="库存.xlsx")
    too_big = upload_in_portal(portal, HOSTILE["workbook-400mb"][0], filename="库存.xlsx")

    assert entities.status_code == 422 and "文件含有 XML 实体，不允许上传" in entities.text
    assert too_big.status_code == 422
    assert "xl/workbook.xml 解压后为 400 MB，上限为 16 MB（OPENVMI_XLSX_MAX_PART_MB）" in too_big.text
    assert stock_of(session, world.supplier) == {}


@pytest.mark.parametrize("encoding", ["zlib", "base64", "rot13", "hex", "no-such-codec", "idna"])
def test_an_encoding_that_is_no_text_encoding_is_a_422_on_the_encoding_field(session, api_client, encoding):
    world = make_world(session)
    supplier_user = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.supplier))

    refused = upload(api_client, supplier_user, b"item,qty\r\nBOLT,1\r\n", encoding=encoding)

    assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM
    assert refused.json()["errors"] == [{"field": "encoding", "message": TEXT_ENCODING}]


def test_the_portal_says_so_under_the_encoding_field(session, portal):
    world = make_world(session)
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=world.supplier, locale="zh_CN"))

    refused = upload_in_portal(portal, b"item,qty\r\nBOLT,1\r\n", encoding="zlib")

    assert refused.status_code == 422
    assert field_error(refused.text, "encoding") == "不是文本编码：请选择 utf-8、gb18030 或 big5 等编码"
