"""Portal pages of consumption for the warehouse on a phone: scan what production took, return some of it,
and post a backflush file (checked first, then all lines or none). Quantities only: money is finance's."""
import uuid
from decimal import Decimal
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from openvmi.access import Actor
from openvmi.errors import DomainError, InsufficientStock, InvalidImportFile, NotFound
from openvmi.limits import counter
from openvmi.tabular.xlsx_archive import XlsxLimits
from openvmi.vmi.agreements import queries as agreement_queries
from openvmi.vmi.consumptions import queries, service
from openvmi.vmi.consumptions.rules import TEMPLATE_HEADERS
from openvmi.vmi.consumptions.schemas import ConsumptionCreate, ConsumptionUpload, ReversalCreate
from openvmi.web.deps import DbSession
from openvmi.web.exports import export_response
from openvmi.web.forms import FormState, Message, add_domain_error, chosen_file, form_values, parse, plain
from openvmi.web.guard import takes_upload
from openvmi.web.i18n import N_
from openvmi.web.portal import NavEntry, PortalFeature, portal_router
from openvmi.web.rendering import flash, redirect, render, request_locale
from openvmi.web.viewer import page_requires

router = portal_router()
Consumer = Annotated[Actor, Depends(page_requires("vmi_consumptions.write"))]
SCAN_FIELDS = ["item_code", "quantity", "location_id"]
UPLOAD_FIELDS = ["encoding", "sheet", "reference"]
LOCATION_COOKIE = "ovmi_consume_location"  # the VMI store a phone scans at, kept between scans
RECENT_LINES = 10
# Where a refusal of the one scanned line belongs on the form.
SCAN_NAMES = {f"lines{sep}{field}": field for sep in (".0.", "[0].") for field in SCAN_FIELDS}


def _one_time_key() -> str:
    """A fresh Idempotency-Key per rendered form: a double tap posts once."""
    return uuid.uuid4().hex


def _posted_key(posted: FormData) -> str | None:
    key = str(posted.get("idempotency_key", "")).strip()
    return key[:200] or None


def _shortfalls(error: InsufficientStock) -> list[Message]:
    """What is missing, line by line, in the reader's language."""
    return [Message(N_("Not enough stock of %(item)s at %(location)s: %(available)s there, %(requested)s wanted, "
                       "%(missing)s missing."),
                    {"item": s.item_code, "location": s.location_code, "available": plain(s.available),
                     "requested": plain(s.requested), "missing": plain(s.requested - s.available)})
            for s in error.shortfalls]


def _scan_page(request: Request, session: DbSession, form: FormState, *, return_errors=None,
               status_code: int = 200) -> Response:
    locations = agreement_queries.vmi_location_choices(session)
    chosen = form.values.get("location_id", "")
    location_id = next((row_id for row_id, _ in locations if str(row_id) == chosen), None)
    recent = queries.list_recent_lines(session, location_id=location_id, limit=RECENT_LINES)
    return render(request, "vmi/consume.html", title=N_("Scan consumption"), form=form, locations=locations,
                  recent=recent, return_errors=return_errors or {}, key=_one_time_key(), status_code=status_code)


@router.get("/vmi/consume")
def scan_page(request: Request, session: DbSession, _: Consumer) -> Response:
    form = FormState(values={"item_code": "", "quantity": "1",
                             "location_id": request.cookies.get(LOCATION_COOKIE, "")[:20]})
    return _scan_page(request, session, form)


@router.post("/vmi/consume")
async def consume(request: Request, session: DbSession, actor: Consumer) -> Response:
    """Post one scanned line; a repeated tap of the same form answers the first posting."""
    posted = await request.form()
    form = FormState(values=form_values(posted, SCAN_FIELDS))
    for name in ("item_code", "location_id"):
        if not form.values[name]:
            form.add(name, Message(N_("This field is required.")))
    body = None if form.invalid else parse(ConsumptionCreate, {"lines": [form.values]}, form, field_names=SCAN_NAMES)
    if body is not None:
        try:
            service.record_consumption(session, body, actor=actor, zone=request.app.state.settings.timezone,
                                       idempotency_key=_posted_key(posted))
            session.commit()
        except InsufficientStock as error:
            session.rollback()
            form.general += _shortfalls(error)
            return _scan_page(request, session, form, status_code=409)
        except DomainError as error:
            session.rollback()
            add_domain_error(form, error, field_names=SCAN_NAMES)
        else:
            line = body.lines[0]
            response = flash(redirect("/vmi/consume"), request, N_("Consumed %(quantity)s of %(item)s."),
                             quantity=plain(line.quantity), item=line.item_code)
            response.set_cookie(LOCATION_COOKIE, str(line.location_id), httponly=True, samesite="lax",
                                secure=request.app.state.settings.secure_cookies, path="/vmi/consume",
                                max_age=60 * 60 * 24 * 30)
            return response
    return _scan_page(request, session, form, status_code=422)


@router.post("/vmi/consume/return")
async def return_from_production(request: Request, session: DbSession, actor: Consumer) -> Response:
    """Bring a quantity of a posted line back from production into its VMI location."""
    posted = await request.form()
    values = form_values(posted, ["consumption_id", "line_id", "quantity", "location_id"])
    form = FormState(values={"item_code": "", "quantity": "1", "location_id": values["location_id"]})
    line_form = FormState(values={"quantity": values["quantity"]})
    body = parse(ReversalCreate, {"line_id": values["line_id"], "quantity": values["quantity"]}, line_form)
    consumption_id = counter(values["consumption_id"])
    status_code = 404 if body is not None and consumption_id is None else 422
    if body is not None and consumption_id is not None:
        try:
            reversal = service.reverse_consumption(session, consumption_id, body, actor=actor,
                                                   idempotency_key=_posted_key(posted))
            session.commit()
            return flash(redirect("/vmi/consume"), request, N_("%(quantity)s returned to the VMI location."),
                         quantity=plain(reversal.quantity))
        except DomainError as error:
            session.rollback()
            if isinstance(error, NotFound):
                status_code = 404
            explained = None if status_code == 404 else _left_to_return(session, consumption_id, body)
            if explained is not None:
                line_form.general.append(explained)
            else:
                add_domain_error(line_form, error)
    line_id = body.line_id if body is not None else values["line_id"]
    return _scan_page(request, session, form, return_errors={str(line_id): line_form},
                      status_code=status_code)


def _left_to_return(session: DbSession, consumption_id: int, body: ReversalCreate) -> Message | None:
    """Why a return was refused in the warehouse's words, when it asked for more than is left of the line."""
    line = next((line for line in queries.describe_consumption(session, consumption_id).lines
                 if line.id == body.line_id), None)
    if line is None or body.quantity <= line.quantity - line.returned_quantity:
        return None
    return Message(N_("At most %(left)s of %(item)s can come back: %(consumed)s taken, %(returned)s returned "
                      "already."), {"left": plain(line.quantity - line.returned_quantity), "item": line.item_code,
                                    "consumed": plain(line.quantity), "returned": plain(line.returned_quantity)})


def _upload_page(request: Request, form: FormState, *, checked=None, rejected: InvalidImportFile | None = None,
                 status_code: int = 200) -> Response:
    return render(request, "vmi/consume_upload.html", title=N_("Upload consumption"), form=form, checked=checked,
                  rejected=rejected, template_languages=TEMPLATE_HEADERS, key=_one_time_key(),
                  status_code=status_code)


@router.get("/vmi/consume/upload")
def upload_form(request: Request, _: Consumer) -> Response:
    return _upload_page(request, FormState(values={name: "" for name in UPLOAD_FIELDS}))


@router.post("/vmi/consume/upload")
@takes_upload
async def upload(request: Request, session: DbSession, actor: Consumer) -> Response:
    """Check a backflush file (the whole posting runs, then is rolled back) or post it, all lines or none."""
    posted = await request.form()
    form = FormState(values=form_values(posted, UPLOAD_FIELDS))
    post = posted.get("action") == "post"
    file = chosen_file(posted, form)
    if file is None:
        return _upload_page(request, form, status_code=422)
    body = parse(ConsumptionUpload, {"filename": file.filename, **form.values}, form)
    if body is None:
        return _upload_page(request, form, status_code=422)
    try:
        consumption_id, _ = service.record_consumption_file(
            session, body, stream=file.file, actor=actor, zone=request.app.state.settings.timezone,
            idempotency_key=_posted_key(posted) if post else None,
            xlsx_limits=XlsxLimits.from_settings(request.app.state.settings))
        checked = queries.describe_consumption(session, consumption_id)
    except InvalidImportFile as error:
        session.rollback()
        return _upload_page(request, form, rejected=error, status_code=422)
    except InsufficientStock as error:
        session.rollback()
        form.general += _shortfalls(error)
        return _upload_page(request, form, status_code=409)
    except DomainError as error:
        session.rollback()
        add_domain_error(form, error)
        return _upload_page(request, form, status_code=422)
    if not post:
        session.rollback()  # a check posts nothing (docs/decisions.md, Consumption pages)
        return _upload_page(request, form, checked=checked)
    session.commit()
    total = sum((line.quantity for line in checked.lines), Decimal(0))
    return flash(redirect("/vmi/consume"), request, N_("Backflush posted: %(lines)s lines, %(quantity)s in all."),
                 lines=len(checked.lines), quantity=plain(total))


@router.get("/vmi/consume/upload/template")
def upload_template(request: Request, _: Consumer, format: str = "xlsx", headers: str | None = None) -> Response:
    """An empty backflush file headed in either language."""
    language = headers if headers in TEMPLATE_HEADERS else ("zh_CN" if request_locale(request) == "zh_CN" else "en")
    return export_response("xlsx" if format == "xlsx" else "csv", filename=f"consumption-template-{language}",
                           headers=TEMPLATE_HEADERS[language], rows=[],
                           timezone=request.app.state.settings.timezone)


feature = PortalFeature(router=router, nav=[
    NavEntry(N_("Scan consumption"), "/vmi/consume", permission="vmi_consumptions.write", order=64),
    NavEntry(N_("Upload consumption"), "/vmi/consume/upload", permission="vmi_consumptions.write", order=65),
])
