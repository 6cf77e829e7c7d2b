"""Invoice pages: the supplier records its invoice with a PDF, finance matches and closes; the
overview shows who is waiting for an invoice; the reconciliation report page lists the differences."""
from openvmi.access import Role
from openvmi.parties.models import Party
from tests.builders import make_user
from tests.invoice_world import confirmed_statement, tiny_pdf


def test_the_supplier_records_its_invoice_and_finance_matches_and_closes_it(session, portal):
    _, _, user, statement_id = confirmed_statement(session)
    party = session.get(Party, user.supplier_id)
    seller = make_user(session, role=Role.SUPPLIER, supplier=party)
    clerk = make_user(session, role=Role.FINANCE)

    portal.sign_in(clerk)
    overview = portal.get("/settlement/invoices")
    assert overview.status_code == 200 and f"/settlement/statements/{statement_id}/invoice" in overview.text

    portal.sign_in(seller)
    page = portal.get(f"/settlement/statements/{statement_id}/invoice")
    assert page.status_code == 200 and "Record your invoice" in page.text
    refused = portal.post(f"/settlement/statements/{statement_id}/invoice",
                          data={"number": "P-1", "invoice_date": "2026-06-02", "net": "40.001", "tax": "5.20",
                                "gross": "45.20"})
    assert refused.status_code == 422 and "CNY amounts have 2 decimal places" in refused.text
    recorded = portal.post(f"/settlement/statements/{statement_id}/invoice",
                           data={"number": "P-1", "invoice_date": "2026-06-02", "net": "40.00", "tax": "5.20",
                                 "gross": "45.20"}, files={"pdf": ("p-1.pdf", tiny_pdf(), "application/pdf")})
    assert recorded.status_code == 200 and "Invoice P-1" in recorded.text and "Invoice PDF" in recorded.text
    assert portal.get(f"/settlement/statements/{statement_id}/export.pdf").headers["content-type"] == "application/pdf"

    portal.sign_in(clerk)
    assert "Statement #" in portal.post(f"/settlement/statements/{statement_id}/match").text
    closed = portal.post(f"/settlement/statements/{statement_id}/close")
    assert closed.status_code == 200 and "Closed" in closed.text
    report = portal.get(f"/settlement/reconciliation-report?supplier_id={party.id}&since=2026-05-01&until=2026-05-31")
    assert report.status_code == 200 and "Moves, lines, statements and invoices agree." in report.text
    zh = portal.get(f"/settlement/statements/{statement_id}/invoice", headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 200
