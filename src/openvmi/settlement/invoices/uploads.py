"""Reading an invoice from a form and a PDF upload, and answering a stored PDF: shared by the API and the portal."""
import json

from fastapi import Request, Response, UploadFile
from pydantic import ValidationError
from sqlalchemy.orm import Session

from openvmi.access import Actor
from openvmi.errors import FieldError, InvalidInput, NotFound
from openvmi.settlement.invoices import pdf_files, queries, service
from openvmi.settlement.invoices.models import SettlementInvoice
from openvmi.settlement.invoices.schemas import InvoiceCreate


def read_invoice_form(*, statement_id: str, number: str, invoice_date: str, net: str, tax: str, gross: str,
                      by_rate: str | None) -> InvoiceCreate:
    """The invoice form's fields as an InvoiceCreate; InvalidInput naming every bad field (shared with the portal)."""
    try:
        rates = json.loads(by_rate) if by_rate else []
    except ValueError:
        raise InvalidInput([FieldError("by_rate", "not JSON: a list of {tax_rate_percent, net, tax}")]) from None
    try:
        return InvoiceCreate(statement_id=statement_id, number=number, invoice_date=invoice_date, net=net, tax=tax,
                             gross=gross, by_rate=rates)
    except ValidationError as error:
        raise InvalidInput([FieldError(".".join(str(p) for p in e["loc"]), e["msg"]) for e in error.errors()]) from None


def record_from_upload(request: Request, session: Session, body: InvoiceCreate, pdf: UploadFile | None, *,
                       actor: Actor, idempotency_key: str | None) -> tuple[SettlementInvoice, bool]:
    """Check the uploaded PDF (if any) and record the invoice; (invoice, replayed). Caller commits."""
    settings = request.app.state.settings
    data = None
    if pdf is not None and (pdf.filename or pdf.size):
        data = pdf_files.read_checked_pdf(pdf.file, max_bytes=settings.invoice_max_pdf_bytes)
    return service.record_invoice(session, body, actor=actor, pdf=data, storage_dir=settings.invoice_storage_dir,
                                  self_billing_of=request.app.state.reactions.self_billing,
                                  idempotency_key=idempotency_key)


def invoice_pdf_response(request: Request, session: Session, invoice_id: int) -> Response:
    """The invoice's PDF after its checksum held; NotFound when there is none or it is another supplier's."""
    invoice = queries.get_invoice(session, invoice_id)
    if invoice.pdf_path is None or invoice.pdf_sha256 is None:
        raise NotFound(f"invoice {invoice_id} has no PDF")
    data = pdf_files.load_pdf(request.app.state.settings.invoice_storage_dir, invoice.pdf_path, invoice.pdf_sha256)
    return Response(data, media_type="application/pdf", headers={
        "Content-Disposition": f"inline; filename=\"invoice-{invoice.id}.pdf\"", "Cache-Control": "private, no-store",
        "Digest": f"sha-256={invoice.pdf_sha256}"})
