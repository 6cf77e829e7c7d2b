"""Portal pages for invoices: the invoice overview (waiting for an invoice, mismatched, matched), one
statement's invoice where the supplier records it with its PDF and finance matches, rejects, self-bills
or closes, and the reconciliation report."""
from datetime import date
from typing import Annotated, Literal

from fastapi import Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from openvmi.access import Actor, Role
from openvmi.errors import DomainError, NotFound
from openvmi.fields import Id
from openvmi.parties import queries as parties
from openvmi.settlement.invoices import queries, report, service
from openvmi.settlement.invoices.uploads import invoice_pdf_response, read_invoice_form, record_from_upload
from openvmi.settlement.invoices.rules import Figure, Finding, InvoiceSource, InvoiceState
from openvmi.settlement.invoices.schemas import Rejection, SelfBill
from openvmi.settlement.statements import queries as statements
from openvmi.settlement.statements.rules import StatementAction, StatementState
from openvmi.web.deps import DbSession, get_reactions
from openvmi.web.forms import FormState, add_domain_error, form_values, parse
from openvmi.web.guard import takes_upload
from openvmi.web.i18n import N_
from openvmi.web.portal import NavEntry, PortalFeature, portal_router
from openvmi.web.problems import status_of
from openvmi.web.rendering import flash, redirect, render
from openvmi.web.viewer import page_requires

router = portal_router()
Reader = Annotated[Actor, Depends(page_requires("settlement_invoices.read"))]
Supplier = Annotated[Actor, Depends(page_requires("settlement_invoices.record"))]
Finance = Annotated[Actor, Depends(page_requires("settlement_invoices.write"))]
# The overview's groups, in the order finance works through them.
OVERVIEW = (StatementState.CONFIRMED, StatementState.INVOICED, StatementState.MATCHED)
INVOICE_FIELDS = ["number", "invoice_date", "net", "tax", "gross"]


@router.get("/settlement/invoices")
def invoice_overview(request: Request, session: DbSession, actor: Reader) -> Response:
    groups = {state: statements.list_statements(session, state=state, supplier_id=None).items for state in OVERVIEW}
    mismatched = {row.id for row in groups[StatementState.INVOICED]
                  if (invoice := queries.find_current_invoice(session, row.id)) is not None
                  and not queries.describe_invoice(session, invoice.id).matches}
    return render(request, "settlement/invoice_overview.html", title=N_("Invoices"), groups=groups,
                  mismatched=mismatched, states=StatementState.labels())


def _statement_page(request: Request, session: DbSession, actor: Actor, statement_id: int, *,
                    form: FormState | None = None, status_code: int = 200) -> Response:
    statement = statements.describe_statement(session, statement_id)
    current = queries.find_current_invoice(session, statement_id)
    invoices = queries.list_invoices(session, statement_id=statement_id).items
    finance = actor.can("settlement_invoices.write")
    self_billed = service.statement_is_self_billed(session, statement_id,
                                                   self_billing_of=get_reactions(request).self_billing)
    confirmed, invoiced = statement.state == StatementState.CONFIRMED, statement.state == StatementState.INVOICED
    return render(request, "settlement/invoice.html", title=N_("Invoice of statement #%(id)s"),
                  title_params={"id": statement.id}, s=statement, invoices=invoices,
                  current_id=current.id if current else None, states=StatementState.labels(),
                  invoice_states=InvoiceState.labels(), sources=InvoiceSource.labels(), figures=Figure.labels(),
                  can_record=actor.can("settlement_invoices.record") and confirmed and not self_billed,
                  can_self_bill=finance and confirmed and self_billed, can_match=finance and invoiced,
                  can_close=finance and statement.state == StatementState.MATCHED, self_billed=self_billed,
                  form=form or FormState(values={"invoice_date": date.today().isoformat()}), status_code=status_code)


@router.get("/settlement/statements/{statement_id}/invoice")
def statement_invoice(request: Request, statement_id: Id, session: DbSession, actor: Reader) -> Response:
    return _statement_page(request, session, actor, statement_id)


def _refused(request: Request, session: DbSession, actor: Actor, statement_id: int, error: DomainError,
             form: FormState | None = None) -> Response:
    session.rollback()
    form = form or FormState(values={})
    add_domain_error(form, error)
    return _statement_page(request, session, actor, statement_id, form=form, status_code=status_of(error))


def _done(request: Request, statement_id: int) -> Response:
    return flash(redirect(f"/settlement/statements/{statement_id}/invoice"), request,
                 N_("Statement #%(id)s updated."), id=statement_id)


@router.post("/settlement/statements/{statement_id}/invoice")
@takes_upload
async def record_invoice(request: Request, statement_id: Id, session: DbSession, actor: Supplier) -> Response:
    posted = await request.form()
    form = FormState(values=form_values(posted, INVOICE_FIELDS))
    pdf = posted.get("pdf")
    try:
        body = read_invoice_form(statement_id=str(statement_id), by_rate=None, **form.values)
        record_from_upload(request, session, body, pdf if isinstance(pdf, UploadFile) and pdf.filename else None,
                           actor=actor, idempotency_key=None)
        session.commit()
    except DomainError as error:
        return _refused(request, session, actor, statement_id, error, form)
    return _done(request, statement_id)


@router.post("/settlement/statements/{statement_id}/self-bill")
async def self_bill(request: Request, statement_id: Id, session: DbSession, actor: Finance) -> Response:
    form = FormState(values=form_values(await request.form(), ["number", "invoice_date"]))
    body = parse(SelfBill, form.values, form)
    if body is None:
        return _statement_page(request, session, actor, statement_id, form=form, status_code=422)
    try:
        service.self_bill(session, statement_id, body, actor=actor, self_billing_of=get_reactions(request).self_billing)
        session.commit()
    except DomainError as error:
        return _refused(request, session, actor, statement_id, error, form)
    return _done(request, statement_id)


@router.post("/settlement/statements/{statement_id}/{action}")
async def finance_action(request: Request, statement_id: Id, action: Literal["match", "reject", "close"],
                         session: DbSession,
                         actor: Finance) -> Response:
    """Match, reject (with a reason) or close: one button each on the invoice page."""
    try:
        if action == StatementAction.MATCH:
            service.match_invoice(session, statement_id, actor=actor)
        elif action == StatementAction.REJECT:
            reason = str((await request.form()).get("reason", "")).strip()
            service.reject_invoice(session, statement_id, Rejection(reason=reason or "-"), actor=actor)
        else:
            service.close_statement(session, statement_id, actor=actor)
        session.commit()
    except DomainError as error:
        return _refused(request, session, actor, statement_id, error)
    return _done(request, statement_id)


@router.get("/settlement/invoices/{invoice_id}/pdf")
def invoice_pdf(request: Request, invoice_id: Id, session: DbSession, _: Reader) -> Response:
    return invoice_pdf_response(request, session, invoice_id)


@router.get("/settlement/reconciliation-report")
def reconciliation_page(request: Request, session: DbSession, actor: Reader, supplier_id: str | None = None,
                        since: str | None = None, until: str | None = None) -> Response:
    choices = [(party_id, f"{code} · {name}") for party_id, code, name in
               ([] if actor.supplier_id is not None else parties.supplier_choices(session))]
    form = FormState(values={"supplier_id": supplier_id or (str(actor.supplier_id) if actor.supplier_id else ""),
                             "since": since or "", "until": until or ""})
    found = None
    try:
        chosen = int(form.values["supplier_id"]) if form.values["supplier_id"] else None
        start = date.fromisoformat(since) if since else None
        end = date.fromisoformat(until) if until else None
    except ValueError:
        chosen = start = end = None
        form.general.append(N_("Choose a supplier and two days."))
    if chosen is not None and start and end:
        if actor.supplier_id is not None and chosen != actor.supplier_id:
            raise NotFound(f"no such supplier: {chosen}")
        found = report.reconciliation_report(session, chosen, since=start, until=end,
                                             zone=request.app.state.settings.timezone)
    return render(request, "settlement/reconciliation_report.html", title=N_("Reconciliation report"), form=form,
                  choices=choices, report=found, findings=Finding.labels(), figures=Figure.labels(),
                  states=StatementState.labels(), supplier_fixed=actor.role is Role.SUPPLIER)


feature = PortalFeature(router=router, nav=[
    NavEntry(N_("Invoices"), "/settlement/invoices", permission="settlement_invoices.read", order=81),
    NavEntry(N_("Reconciliation report"), "/settlement/reconciliation-report", permission="settlement_invoices.read",
             order=82),
])
