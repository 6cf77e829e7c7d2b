"""Invoices and statement exports over HTTP: the supplier records its invoice with a PDF only it and
finance may fetch, finance matches and closes; every refusal is a specific problem+json and writes
nothing; the statement PDF, XLSX and CSV say what the statement says, formulas neutralised."""
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from openvmi.access import Role
from openvmi.catalog.models import Item
from openvmi.parties.models import Party
from openvmi.settlement.invoices.models import SettlementInvoice
from tests.builders import bearer, make_user
from tests.invoice_world import confirmed_statement, tiny_pdf

PROBLEM = "application/problem+json"
INVOICES = "/api/v1/settlement/invoices"
STATEMENTS = "/api/v1/settlement/statements"
FORM = {"number": "8800123", "invoice_date": "2026-06-02", "net": "40.00", "tax": "5.20", "gross": "45.20"}


@pytest.fixture
def app_settings():
    return {"invoice_max_pdf_bytes": 4096}


def _headers(session, statement_user, clerk_role=Role.FINANCE):
    party = session.get(Party, statement_user.supplier_id)
    supplier = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=party))
    return supplier, bearer(session, make_user(session, role=clerk_role))


def _invoices(session):
    return session.scalar(select(func.count()).select_from(SettlementInvoice))


def test_the_supplier_records_its_invoice_with_a_pdf_finance_matches_and_closes(session, api_client, tmp_path):
    _, _, user, statement_id = confirmed_statement(session)
    supplier, finance = _headers(session, user)
    pdf = tiny_pdf()

    recorded = api_client.post(INVOICES, data={**FORM, "statement_id": statement_id},
                               files={"pdf": ("invoice.pdf", pdf, "application/pdf")},
                               headers={**supplier, "Idempotency-Key": "inv-1"})
    assert recorded.status_code == 201, recorded.text
    invoice = recorded.json()
    assert (invoice["statement_state"], invoice["matches"], invoice["has_pdf"]) == ("invoiced", True, True)
    retried = api_client.post(INVOICES, data={**FORM, "statement_id": statement_id},
                              files={"pdf": ("invoice.pdf", pdf, "application/pdf")},
                              headers={**supplier, "Idempotency-Key": "inv-1"})
    assert (retried.status_code, retried.json()["id"]) == (200, invoice["id"]) and _invoices(session) == 1

    # the PDF: to its supplier and finance, never to another supplier or a buyer
    for headers in (supplier, finance):
        fetched = api_client.get(f"{INVOICES}/{invoice['id']}/pdf", headers=headers)
        assert (fetched.status_code, fetched.content) == (200, pdf)
    _, _, stranger_user, _ = confirmed_statement(session)
    stranger, _ = _headers(session, stranger_user)
    assert api_client.get(f"{INVOICES}/{invoice['id']}/pdf", headers=stranger).status_code == 404
    buyer = bearer(session, make_user(session, role=Role.BUYER))
    assert api_client.get(f"{INVOICES}/{invoice['id']}/pdf", headers=buyer).status_code == 403

    matched = api_client.post(f"{STATEMENTS}/{statement_id}/match", headers=finance)
    assert (matched.status_code, matched.json()["state"]) == (200, "matched")
    # a client that lost the answer sends it again: the same answer, nothing recorded twice
    assert api_client.post(f"{STATEMENTS}/{statement_id}/match", headers=finance).json() == matched.json()
    closed = api_client.post(f"{STATEMENTS}/{statement_id}/close", headers=finance)
    assert (closed.status_code, closed.json()["state"]) == (200, "closed")
    again = api_client.post(f"{STATEMENTS}/{statement_id}/close", headers=finance)
    assert (again.status_code, again.json()) == (200, closed.json())
    assert [e["action"] for e in closed.json()["history"]][-3:] == ["invoice", "match", "close"]


def test_bad_invoices_are_specific_problems_and_write_nothing(session, api_client):
    _, _, user, statement_id = confirmed_statement(session)
    _, _, issued_user, issued_id = confirmed_statement(session, confirm=False)
    supplier, finance = _headers(session, user)
    issued_supplier, _ = _headers(session, issued_user)

    def post(data, headers=supplier, pdf=None):
        files = {"pdf": ("invoice.pdf", pdf, "application/pdf")} if pdf is not None else None
        return api_client.post(INVOICES, data=data, files=files, headers=headers)

    cases = [
        (post({**FORM, "statement_id": issued_id}, headers=issued_supplier), 409, "statement_not_confirmed"),
        (post({**FORM, "statement_id": statement_id, "net": "40.001", "gross": "45.201"}), 422, "invoice_invalid"),
        (post({**FORM, "statement_id": statement_id}, pdf=b"GIF89a not a pdf"), 422, "invoice_pdf_invalid"),
        (post({**FORM, "statement_id": statement_id}, pdf=tiny_pdf() + b"%" * 5000), 413, "invoice_pdf_too_large"),
        (api_client.post(f"{STATEMENTS}/{statement_id}/close", headers=finance), 409, "statement_not_matched"),
    ]
    for answer, status, code in cases:
        assert (answer.status_code, answer.headers["content-type"], answer.json()["code"]) == (status, PROBLEM, code), \
            answer.text
    assert [e["field"] for e in cases[1][0].json()["errors"]] == ["net", "gross"]
    assert _invoices(session) == 0

    assert post({**FORM, "statement_id": statement_id}).status_code == 201
    _, _, _, next_month = confirmed_statement(session, supplier=session.get(Party, user.supplier_id),
                                              day=date(2026, 6, 5))
    again = post({**FORM, "statement_id": next_month})
    assert (again.status_code, again.json()["code"]) == (409, "invoice_number_taken") and _invoices(session) == 1


def test_the_statement_pdf_in_chinese_holds_the_chinese_names_and_the_totals(session, api_client):
    world, _, user, statement_id = confirmed_statement(session)
    party = session.get(Party, world.supplier_id)
    party.name = "苏州精密五金有限公司"
    session.flush()
    supplier, finance = _headers(session, user)

    answer = api_client.get(f"{STATEMENTS}/{statement_id}/export.pdf",
                            headers={**supplier, "Accept-Language": "zh-CN"})
    assert (answer.status_code, answer.headers["content-type"]) == (200, "application/pdf")
    reader = PdfReader(BytesIO(answer.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "苏州精密五金有限公司" in text and "对账单" in text
    assert all(total in text for total in ("40.00 CNY", "5.20 CNY", "45.20 CNY"))
    fonts = [font["/BaseFont"] for page in reader.pages for font in page["/Resources"]["/Font"].values()]
    descendant = [font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()]
    assert fonts and all("/FontFile2" in d["/DescendantFonts"][0].get_object()["/FontDescriptor"] for d in descendant)


def test_the_xlsx_and_the_erp_csv_neutralise_formulas(session, api_client):
    world, _, user, statement_id = confirmed_statement(session)
    session.get(Item, world.item_id).name = "=HYPERLINK(\"http://evil.example\")"
    session.flush()
    _, finance = _headers(session, user)

    csv = api_client.get(f"{STATEMENTS}/{statement_id}/export.csv", headers=finance)
    assert csv.status_code == 200
    rows = csv.content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("statement_id,supplier_code,period_start") and len(rows) == 3
    assert "'=HYPERLINK" in rows[1] and ",40.00," not in rows[1]  # net per line: 30.00 and 10.00

    sheet = load_workbook(BytesIO(api_client.get(f"{STATEMENTS}/{statement_id}/export.xlsx",
                                                 headers=finance).content)).active
    cells = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "'=HYPERLINK(\"http://evil.example\")" in cells and Decimal("45.20") in [
        Decimal(str(v)) for v in cells if isinstance(v, (int, float))]


def test_finance_sets_a_tolerance_and_a_mismatch_then_matches(session, api_client):
    _, _, user, statement_id = confirmed_statement(session)
    supplier, finance = _headers(session, user)
    assert api_client.post(INVOICES, data={**FORM, "statement_id": statement_id, "tax": "5.25", "gross": "45.25"},
                           headers=supplier).status_code == 201

    mismatch = api_client.post(f"{STATEMENTS}/{statement_id}/match", headers=finance)
    assert (mismatch.status_code, mismatch.json()["matches"], mismatch.json()["statement_state"]) == (
        200, False, "invoiced")
    too_fine = api_client.put("/api/v1/settlement/invoice-tolerances/CNY",
                              json={"absolute_amount": "0.001", "percent": "1"}, headers=finance)
    assert (too_fine.status_code, too_fine.json()["code"]) == (422, "invoice_invalid")
    assert api_client.put("/api/v1/settlement/invoice-tolerances/CNY", json={"absolute_amount": "0.10", "percent": "1"},
                          headers=supplier).status_code == 403
    set_ = api_client.put("/api/v1/settlement/invoice-tolerances/CNY", json={"absolute_amount": "0.10", "percent": "1"},
                          headers=finance)
    assert set_.status_code == 200 and Decimal(set_.json()["absolute_amount"]) == Decimal("0.10")
    matched = api_client.post(f"{STATEMENTS}/{statement_id}/match", headers=finance)
    assert (matched.json()["matches"], matched.json()["statement_state"]) == (True, "matched")
