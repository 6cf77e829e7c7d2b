"""A list exported from the portal opens safely in a spreadsheet (the rules: tests/unit/web/test_exports.py),
and its times are those the page shows."""
import csv
import re
from datetime import UTC, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from openvmi.access import Role
from openvmi.supplier_stock.schemas import StockLineCreate
from openvmi.supplier_stock.service import lines
from openvmi.web.i18n import Formatter
from tests.builders import make_item, make_location, make_party, make_supplier_item, make_user


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_a_supplier_named_like_a_formula_is_exported_as_text(session, portal, format):
    make_party(session, code="S-EVIL", name="=HYPERLINK(\"http://evil.example.com\",\"click\")")
    portal.sign_in(make_user(session, role=Role.BUYER))

    answer = portal.get(f"/suppliers?q=S-EVIL&format={format}")

    assert answer.status_code == 200
    assert "attachment" in answer.headers["content-disposition"]
    if format == "csv":
        rows = answer.content.decode("utf-8-sig").splitlines()
        assert rows[1].startswith("S-EVIL,\"'=HYPERLINK(")
    else:
        sheet = load_workbook(BytesIO(answer.content)).active
        assert sheet["B2"].value.startswith("'=HYPERLINK") and sheet["B2"].data_type == "s"
        assert sheet["A1"].value == "Code"


def test_an_exported_time_is_the_time_the_page_shows_for_the_same_row(session, portal):
    # given a stock line reported at 10:05 UTC, shown in Shanghai time (18:05) on the page
    supplier, item = make_party(session, code="S-TIME"), make_item(session, code="TIME-BOLT")
    make_supplier_item(session, supplier=supplier, item=item)
    site = make_location(session, kind="supplier_site", supplier_code=supplier.code)
    reported = datetime(2026, 11, 30, 10, 5, 7, tzinfo=UTC)
    lines.create_supplier_stock(session, StockLineCreate(supplier_code=supplier.code, item_code=item.code,
                                                         site_code=site.code, on_hand=Decimal(5)),
                                actor_id=None, source="api", now=reported)
    portal.sign_in(make_user(session, role=Role.BUYER, locale="en"))

    # when the list is shown and exported as CSV and XLSX
    page = portal.get("/supplier-stock", params={"q": "TIME-BOLT"}).text
    header, row = list(csv.reader(portal.get("/supplier-stock", params={"q": "TIME-BOLT", "format": "csv"})
                                  .content.decode("utf-8-sig").splitlines()))
    sheet = load_workbook(BytesIO(portal.get("/supplier-stock", params={"q": "TIME-BOLT", "format": "xlsx"})
                                  .content)).active

    # then the CSV time carries the zone's offset and reads as the page's time
    exported = datetime.fromisoformat(row[header.index("Reported at (UTC+08:00)")])
    assert exported == reported and exported.utcoffset().total_seconds() == 8 * 3600
    shown = Formatter("en", "Asia/Shanghai").datetime(exported)
    assert re.search(re.escape(shown), page)
    # and the spreadsheet cell is the same wall-clock time, its offset named in the header
    headers = [cell.value for cell in sheet[1]]
    column = headers.index("Reported at (UTC+08:00)")
    assert sheet.cell(row=2, column=column + 1).value == datetime(2026, 11, 30, 18, 5, 7)
