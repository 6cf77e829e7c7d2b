"""Invoices as use cases: the supplier invoices its confirmed statement, finance matches it within its
tolerance (a mismatch keeps it invoiced and tells finance), only a matched statement is closed; ERS
statements are self-billed by finance. Every refusal changes nothing."""
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from sqlalchemy import func, select

from openvmi.alerts.models import InboxMessage, OutboxMessage
from openvmi.errors import Conflict, NotFound, PermissionDenied
from openvmi.settlement.invoices import pdf_files, queries, service
from openvmi.settlement.invoices.models import SettlementInvoice
from openvmi.settlement.invoices.schemas import InvoiceCreate, Rejection, SelfBill, ToleranceSet
from openvmi.settlement.invoices.service import (
    InvalidInvoice, InvoiceNumberTaken, StatementNotConfirmed, StatementNotMatched, StatementSelfBilled,
)
from openvmi.settlement.statements import queries as statement_queries
from openvmi.settlement.statements.models import StatementEvent
from openvmi.vmi.agreements.models import VmiAgreement
from openvmi.vmi.agreements.queries import self_billing
from tests.builders import make_party
from tests.invoice_world import as_supplier, confirmed_statement, tiny_pdf

D = Decimal


def invoice_of(statement_id, number="INV-0001", net="40.00", tax="5.20", gross="45.20", **extra):
    return InvoiceCreate(statement_id=statement_id, number=number, invoice_date=date(2026, 6, 2), net=D(net),
                         tax=D(tax), gross=D(gross), **extra)


def record(session, user, body, tmp_path, pdf=None, key=None):
    with as_supplier(session, user):
        return service.record_invoice(session, body, actor=user, self_billing_of=self_billing, pdf=pdf,
                                      storage_dir=tmp_path, idempotency_key=key)


def invoices(session):
    return session.scalar(select(func.count()).select_from(SettlementInvoice))


def test_an_invoice_is_recorded_with_its_pdf_matched_and_the_statement_closed(session, tmp_path):
    # given a confirmed statement of 40.00 net, 5.20 tax
    _, clerk, user, statement_id = confirmed_statement(session)
    pdf = tiny_pdf()

    # when the supplier records its invoice with the PDF
    invoice, replayed = record(session, user, invoice_of(statement_id), tmp_path, pdf=pdf)

    # then the statement is invoiced and the PDF is stored outside the database under its checksum
    assert not replayed and statement_queries.get_statement(session, statement_id).state == "invoiced"
    assert invoice.pdf_sha256 == pdf_files.checksum(pdf) and invoice.pdf_bytes == len(pdf)
    assert pdf_files.load_pdf(tmp_path, invoice.pdf_path, invoice.pdf_sha256) == pdf

    # when finance matches it and closes the statement
    assert service.match_invoice(session, statement_id, actor=clerk).state == "matched"
    assert service.close_statement(session, statement_id, actor=clerk).state == "closed"

    # then every change is in the statement's history, with who made it
    history = statement_queries.describe_statement(session, statement_id).history
    assert [(e.action, e.to_state, e.actor_name) for e in history][-3:] == [
        ("invoice", "invoiced", user.username), ("match", "matched", clerk.username),
        ("close", "closed", clerk.username)]


def test_a_mismatch_keeps_the_statement_invoiced_lists_the_differences_and_tells_finance(session, tmp_path):
    _, clerk, user, statement_id = confirmed_statement(session)
    inbox_before = session.scalar(select(func.count()).select_from(InboxMessage))
    # given the supplier's invoice says 5.25 tax where the statement says 5.20
    record(session, user, invoice_of(statement_id, tax="5.25", gross="45.25"), tmp_path)

    # when finance matches with no tolerance
    service.match_invoice(session, statement_id, actor=clerk)

    # then it stays invoiced, the differences are shown per tax rate and in total, finance is told
    assert statement_queries.get_statement(session, statement_id).state == "invoiced"
    read = queries.describe_invoice(session, queries.find_current_invoice(session, statement_id).id)
    assert not read.matches
    assert [(d.tax_rate_percent, d.figure, d.difference) for d in read.differences] == [
        (D(13), "tax", D("0.05")), (None, "tax", D("0.05")), (None, "gross", D("0.05"))]
    titles = session.scalars(select(InboxMessage.content).where(InboxMessage.event == "statement.invoice_mismatch"))
    assert [c["differences"] for c in titles] == [3]
    assert session.scalar(select(func.count()).select_from(InboxMessage)) > inbox_before
    assert session.scalar(select(func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.event == "statement.invoice_mismatch")) >= 1
    assert [e.action for e in statement_queries.describe_statement(session, statement_id).history][-1] == "mismatch"

    # when finance allows 0.10 and 1 % for CNY and matches again, it matches
    service.set_tolerance(session, "CNY", ToleranceSet(absolute_amount=D("0.10"), percent=D(1)), actor=clerk)
    assert service.match_invoice(session, statement_id, actor=clerk).state == "matched"


def test_a_rejected_invoice_sends_the_statement_back_for_a_corrected_one(session, tmp_path):
    _, clerk, user, statement_id = confirmed_statement(session)
    record(session, user, invoice_of(statement_id, net="41.00", gross="46.20"), tmp_path)
    service.reject_invoice(session, statement_id, Rejection(reason="net is 40.00"), actor=clerk)
    assert statement_queries.get_statement(session, statement_id).state == "confirmed"

    corrected, _ = record(session, user, invoice_of(statement_id, number="INV-0002"), tmp_path)
    assert queries.find_current_invoice(session, statement_id).id == corrected.id
    assert service.match_invoice(session, statement_id, actor=clerk).state == "matched"


@pytest.mark.parametrize("confirm", [False])
def test_invoicing_a_statement_that_is_not_confirmed_is_refused(session, tmp_path, confirm):
    _, _, user, statement_id = confirmed_statement(session, confirm=confirm)
    with pytest.raises(StatementNotConfirmed, match="issued: only a confirmed statement is invoiced"):
        record(session, user, invoice_of(statement_id), tmp_path, pdf=tiny_pdf())
    assert invoices(session) == 0 and list(tmp_path.iterdir()) == []
    assert statement_queries.get_statement(session, statement_id).state == "issued"


def test_an_invoice_number_is_the_suppliers_once(session, tmp_path):
    supplier = make_party(session)
    _, _, user, first = confirmed_statement(session, supplier=supplier, day=date(2026, 5, 5))
    _, _, _, second = confirmed_statement(session, supplier=supplier, day=date(2026, 6, 5))
    record(session, user, invoice_of(first), tmp_path)

    with pytest.raises(InvoiceNumberTaken, match="INV-0001 is used already"):
        record(session, user, invoice_of(second), tmp_path)
    assert statement_queries.get_statement(session, second).state == "confirmed" and invoices(session) == 1

    # another supplier may have an invoice with the same number
    _, _, other_user, other = confirmed_statement(session)
    record(session, other_user, invoice_of(other), tmp_path)
    assert invoices(session) == 2


def test_amounts_with_more_decimals_than_the_currency_name_every_field(session, tmp_path):
    _, _, user, statement_id = confirmed_statement(session)
    with pytest.raises(InvalidInvoice) as refused:
        record(session, user, invoice_of(statement_id, net="40.001", tax="5.199", gross="45.20"), tmp_path)
    assert [e.field for e in refused.value.errors] == ["net", "tax"]
    assert "CNY amounts have 2 decimal places" in str(refused.value.errors[0].message)
    with pytest.raises(InvalidInvoice) as refused:
        record(session, user, invoice_of(statement_id, gross="45.21"), tmp_path)
    assert [e.field for e in refused.value.errors] == ["gross"]
    assert invoices(session) == 0 and statement_queries.get_statement(session, statement_id).state == "confirmed"


def test_closing_a_statement_that_is_not_matched_is_refused(session, tmp_path):
    _, clerk, user, statement_id = confirmed_statement(session)
    with pytest.raises(StatementNotMatched, match="confirmed: only a matched statement is closed"):
        service.close_statement(session, statement_id, actor=clerk)
    record(session, user, invoice_of(statement_id), tmp_path)
    with pytest.raises(StatementNotMatched, match="invoiced"):
        service.close_statement(session, statement_id, actor=clerk)
    assert statement_queries.get_statement(session, statement_id).state == "invoiced"


def test_a_supplier_cannot_invoice_another_suppliers_statement(session, tmp_path):
    _, _, _, statement_id = confirmed_statement(session)
    _, _, stranger, _ = confirmed_statement(session)
    with pytest.raises(NotFound):
        record(session, stranger, invoice_of(statement_id), tmp_path)
    assert invoices(session) == 0


def test_a_retry_with_the_same_idempotency_key_answers_the_first_invoice(session, tmp_path):
    _, _, user, statement_id = confirmed_statement(session)
    first, _ = record(session, user, invoice_of(statement_id), tmp_path, key="k-1")
    again, replayed = record(session, user, invoice_of(statement_id), tmp_path, key="k-1")
    assert replayed and again.id == first.id and invoices(session) == 1
    assert session.scalar(select(func.count()).select_from(StatementEvent)
                          .where(StatementEvent.statement_id == statement_id, StatementEvent.action == "invoice")) == 1


def test_finance_self_bills_an_ers_statement_and_the_supplier_may_not_invoice_it(session, tmp_path):
    # given an agreement that says self-billing
    world, clerk, user, statement_id = confirmed_statement(session)
    session.get(VmiAgreement, world.agreement_id).self_billing = True
    session.flush()

    with pytest.raises(StatementSelfBilled):
        record(session, user, invoice_of(statement_id), tmp_path)
    with pytest.raises(PermissionDenied):
        service.self_bill(session, statement_id, SelfBill(number="ERS-1", invoice_date=date(2026, 6, 1)), actor=user,
                          self_billing_of=self_billing)

    # when finance self-bills it, the invoice carries the statement's amounts and matches exactly
    invoice = service.self_bill(session, statement_id, SelfBill(number="ERS-1", invoice_date=date(2026, 6, 1)),
                                actor=clerk, self_billing_of=self_billing)
    assert (invoice.source, invoice.net, invoice.tax, invoice.gross) == ("self_billed", D("40.00"), D("5.20"),
                                                                          D("45.20"))
    assert service.match_invoice(session, statement_id, actor=clerk).state == "matched"


def test_a_file_that_is_not_a_pdf_or_is_too_big_is_refused():
    with pytest.raises(pdf_files.NotAPdf):
        pdf_files.read_checked_pdf(BytesIO(b"PK\x03\x04 a zip"), max_bytes=1024)
    with pytest.raises(pdf_files.NotAPdf):
        pdf_files.read_checked_pdf(BytesIO(b"%PDF-1.7\n garbage, no objects"), max_bytes=1024)
    with pytest.raises(pdf_files.PdfTooLarge):
        pdf_files.read_checked_pdf(BytesIO(tiny_pdf()), max_bytes=100)
    assert pdf_files.read_checked_pdf(BytesIO(tiny_pdf()), max_bytes=10_000) == tiny_pdf()
