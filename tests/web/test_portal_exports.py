"""A list exported from the portal opens safely in a spreadsheet (the rules: tests/unit/web/test_exports.py)."""
from io import BytesIO

import pytest
from openpyxl import load_workbook

from openvmi.access import Role
from tests.builders import make_party, make_user


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
