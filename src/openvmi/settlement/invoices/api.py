"""JSON API for invoices: the supplier records its invoice (with its PDF); finance self-bills ERS
statements, matches, rejects, closes and sets the tolerance; the PDF only for its supplier and finance."""
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile

from openvmi.access import Actor
from openvmi.errors import NotFound
from openvmi.fields import Currency, Id
from openvmi.settlement.invoices import queries, report, service
from openvmi.settlement.invoices.uploads import invoice_pdf_response, read_invoice_form, record_from_upload
from openvmi.settlement.invoices.schemas import (
    InvoicePage, InvoiceRead, Rejection, ReportRead, SelfBill, ToleranceRead, ToleranceSet,
)
from openvmi.settlement.statements import queries as statement_queries
from openvmi.settlement.statements.schemas import StatementRead
from openvmi.web.deps import AppReactions, DbSession, IdempotencyKey, requires
from openvmi.web.guard import takes_upload

router = APIRouter(prefix="/settlement", tags=["settlement"])
Reader = Annotated[Actor, Depends(requires("settlement_invoices.read"))]
Supplier = Annotated[Actor, Depends(requires("settlement_invoices.record"))]
Finance = Annotated[Actor, Depends(requires("settlement_invoices.write"))]


@router.post("/invoices", status_code=201, response_model=InvoiceRead,
             responses={413: {"description": "the PDF is larger than OPENVMI_INVOICE_MAX_PDF_BYTES (10 MB)"}})
@takes_upload
def record_invoice(request: Request, session: DbSession, actor: Supplier, response: Response,
                   idempotency_key: IdempotencyKey,
                   statement_id: Annotated[str, Form()], number: Annotated[str, Form()],
                   invoice_date: Annotated[str, Form(description="YYYY-MM-DD")], net: Annotated[str, Form()],
                   tax: Annotated[str, Form()], gross: Annotated[str, Form()],
                   by_rate: Annotated[str | None, Form(description="JSON list of {tax_rate_percent, net, tax}")] = None,
                   pdf: Annotated[UploadFile | None, File(description="the invoice as a PDF, up to 10 MB")] = None,
                   ) -> InvoiceRead:
    """The supplier records its invoice for its confirmed statement (multipart form, optional PDF); the
    statement becomes invoiced. A retry with the same Idempotency-Key answers the first invoice (200)."""
    body = read_invoice_form(statement_id=statement_id, number=number, invoice_date=invoice_date, net=net, tax=tax,
                             gross=gross, by_rate=by_rate)
    invoice, replayed = record_from_upload(request, session, body, pdf, actor=actor, idempotency_key=idempotency_key)
    session.commit()
    if replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return queries.describe_invoice(session, invoice.id)


@router.get("/invoices", response_model=InvoicePage)
def list_invoices(session: DbSession, _: Reader, statement_id: Id | None = None) -> InvoicePage:
    """Invoices the caller may see (a supplier: its own), newest first, each with its differences."""
    return queries.list_invoices(session, statement_id=statement_id)


@router.get("/invoices/{invoice_id}", response_model=InvoiceRead)
def get_invoice(invoice_id: Id, session: DbSession, _: Reader) -> InvoiceRead:
    return queries.describe_invoice(session, invoice_id)


@router.get("/invoices/{invoice_id}/pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
def get_invoice_pdf(invoice_id: Id, request: Request, session: DbSession, _: Reader) -> Response:
    """The invoice's PDF, checked against its SHA-256 (404 when there is none or it is another supplier's)."""
    return invoice_pdf_response(request, session, invoice_id)


@router.post("/statements/{statement_id}/self-bill", status_code=201, response_model=InvoiceRead)
def self_bill(statement_id: Id, body: SelfBill, session: DbSession, actor: Finance,
              reactions: AppReactions) -> InvoiceRead:
    """Finance issues the invoice of a confirmed self-billing (ERS) statement from the statement's amounts."""
    invoice = service.self_bill(session, statement_id, body, actor=actor, self_billing_of=reactions.self_billing)
    session.commit()
    return queries.describe_invoice(session, invoice.id)


@router.post("/statements/{statement_id}/match", response_model=InvoiceRead)
def match_invoice(statement_id: Id, session: DbSession, actor: Finance) -> InvoiceRead:
    """Match the statement's invoice: `matches` true and the statement matched, or false with the
    differences beyond the tolerance, the statement still invoiced and finance notified. Matching a
    matched statement again answers its invoice as it is."""
    invoice = service.match_invoice(session, statement_id, actor=actor)
    session.commit()
    return queries.describe_invoice(session, invoice.id)


@router.post("/statements/{statement_id}/reject-invoice", response_model=InvoiceRead)
def reject_invoice(statement_id: Id, body: Rejection, session: DbSession, actor: Finance) -> InvoiceRead:
    """Send the invoice back: the statement is confirmed again and waits for a corrected invoice."""
    invoice = service.reject_invoice(session, statement_id, body, actor=actor)
    session.commit()
    return queries.describe_invoice(session, invoice.id)


@router.post("/statements/{statement_id}/close", response_model=StatementRead)
def close_statement(statement_id: Id, session: DbSession, actor: Finance) -> StatementRead:
    """Close a matched statement (409 statement_not_matched otherwise); closing a closed one again answers
    it as it is."""
    service.close_statement(session, statement_id, actor=actor)
    session.commit()
    return statement_queries.describe_statement(session, statement_id)


@router.get("/invoice-tolerances/{currency}", response_model=ToleranceRead)
def get_tolerance(currency: Currency, session: DbSession, _: Finance) -> ToleranceRead:
    return queries.describe_tolerance(session, currency.upper())


@router.put("/invoice-tolerances/{currency}", response_model=ToleranceRead)
def set_tolerance(currency: Currency, body: ToleranceSet, session: DbSession, actor: Finance) -> ToleranceRead:
    """Finance's tolerance for invoices in `currency`: a difference matches when within both limits."""
    service.set_tolerance(session, currency, body, actor=actor)
    session.commit()
    return queries.describe_tolerance(session, currency.upper())


@router.get("/reconciliation-report", response_model=ReportRead,
            responses={404: {"description": "no such supplier, or another supplier's (a supplier user)"}})
def reconciliation_report(request: Request, session: DbSession, actor: Reader, supplier_id: Id, since: date,
                          until: date) -> ReportRead:
    """A supplier's period (local days) from ownership moves to lines, statements and invoices, every
    difference listed. A supplier user sees only its own (404 for another)."""
    if actor.supplier_id is not None and actor.supplier_id != supplier_id:
        raise NotFound(f"no such supplier: {supplier_id}")
    return report.reconciliation_report(session, supplier_id, since=since, until=until,
                                        zone=request.app.state.settings.timezone)
