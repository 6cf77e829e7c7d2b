"""Portal pages for supplier stock: upload with a dry-run preview and an error report, the stock
list, one line's adjustment form with its history, and the availability search."""
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from openvmi.access import Actor
from openvmi.db import commit_refusal
from openvmi.errors import DomainError, InvalidImportFile
from openvmi.fields import Id
from openvmi.limits import counter
from openvmi.parties import queries as parties_queries
from openvmi.supplier_stock import queries
from openvmi.supplier_stock.availability import list_availability
from openvmi.tabular.xlsx_archive import XlsxLimits
from openvmi.supplier_stock.rules import UNFINISHED, AvailabilitySource, ChangeKind, ImportMode
from openvmi.supplier_stock.schemas import AvailabilityQuery, ImportRequest, StockLineUpdate
from openvmi.supplier_stock.service import import_queue, imports, lines
from openvmi.web.deps import DbSession
from openvmi.web.exports import FORMATS, export_list
from openvmi.web.forms import FormState, Message, add_domain_error, form_values, parse, plain
from openvmi.web.guard import takes_upload
from openvmi.web.i18n import N_
from openvmi.web.listing import ListView, list_request, search_text
from openvmi.web.portal import NavEntry, PortalFeature, portal_router
from openvmi.web.rendering import flash, redirect, render, translate
from openvmi.web.viewer import page_requires

router = portal_router()
Reader = Annotated[Actor, Depends(page_requires("supplier_stock.read"))]
Writer = Annotated[Actor, Depends(page_requires("supplier_stock.write"))]
AvailabilityReader = Annotated[Actor, Depends(page_requires("availability.read"))]
UPLOAD_FIELDS = ["file", "supplier_code", "mode", "dry_run", "encoding", "sheet"]
LINE_FIELDS = ["on_hand", "available", "next_available_date", "lead_time_days", "version"]
ENCODINGS = [("", N_("Detect automatically")), ("utf-8", "UTF-8"), ("gb18030", "GBK / GB18030"), ("big5", "Big5"),
             ("cp1252", "Windows-1252")]
MODES = ImportMode.labels()
STALE_MESSAGE = N_("Someone else changed this stock line after you opened it. Reload the page to see "
                   "the current figures, then make your change again.")


@router.get("/supplier-stock")
def stock_list(request: Request, session: DbSession, actor: Reader, format: str | None = None) -> Response:
    wanted = list_request(request)
    if format in FORMATS:
        rows = [(r.item_code, r.item_name, r.supplier_code, r.site_code, r[0].on_hand, r[0].available, r[0].unit,
                 r[0].next_available_date, r[0].lead_time_days, r[0].reported_at)
                for r in queries.export_stock(session, wanted)]
        return export_list(request, format, filename="supplier-stock", rows=rows,
                           columns=(N_("Item"), N_("Item name"), N_("Supplier"), N_("Site"), N_("On hand"),
                                    N_("Available"), N_("Unit"), N_("Next available"), N_("Lead time (days)"),
                                    N_("Reported at")))
    view = ListView.of(request, queries.browse_stock(session, wanted))
    return render(request, "supplier_stock/list.html", title=N_("Supplier stock"), view=view,
                  can_write=actor.can("supplier_stock.write"))


@router.get("/supplier-stock/upload")
def upload_form(request: Request, session: DbSession, actor: Writer) -> Response:
    empty = {name: "" for name in ("file", "supplier_code", "encoding", "sheet")}
    form = FormState(values={"mode": ImportMode.FULL.value, "dry_run": "on", **empty})
    return _upload_page(request, session, actor, form)


@router.post("/supplier-stock/upload")
@takes_upload
async def upload(request: Request, session: DbSession, actor: Writer) -> Response:
    """Check (dry run) or import a file; the form stays on the page with the answer under it."""
    posted = await request.form()
    form = FormState(values={**form_values(posted, UPLOAD_FIELDS), "file": ""})
    file = posted.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        form.add("file", Message(N_("Choose a CSV or Excel file.")))
        return _upload_page(request, session, actor, form, status_code=422)
    data = {"supplier_code": form.values["supplier_code"], "filename": file.filename, "mode": form.values["mode"],
            "dry_run": form.values["dry_run"] == "on", "encoding": form.values["encoding"],
            "sheet": form.values["sheet"]}
    body = parse(ImportRequest, data, form)
    if body is None:
        return _upload_page(request, session, actor, form, status_code=422)
    settings = request.app.state.settings
    queued = (file.size or 0) > settings.import_background_bytes  # too big to keep the user waiting
    try:
        with commit_refusal(session, InvalidImportFile):  # a rejected file keeps its record and error report
            if queued:
                batch = import_queue.queue_import(session, body, stream=file.file,
                                                  storage=settings.import_storage_dir, actor_id=actor.user_id)
            else:
                outcome = imports.import_supplier_stock(session, body, stream=file.file, actor_id=actor.user_id,
                                                        xlsx_limits=XlsxLimits.from_settings(settings))
    except InvalidImportFile as error:
        return _upload_page(request, session, actor, form, rejected=error, status_code=422)
    except DomainError as error:
        session.rollback()
        add_domain_error(form, error, field_names={"supplier": "supplier_code"})
        return _upload_page(request, session, actor, form, status_code=422)
    session.commit()
    if queued:
        request.app.state.import_runner.wake()
        return redirect(f"/supplier-stock/imports/{batch.id}")
    return _upload_page(request, session, actor, form, outcome=outcome)


def _upload_page(request: Request, session: DbSession, actor: Actor, form: FormState, *, outcome=None,
                 rejected: InvalidImportFile | None = None, status_code: int = 200) -> Response:
    suppliers = None
    if actor.supplier_id is None:
        suppliers = [(code, f"{code} · {name}") for _, code, name in parties_queries.supplier_choices(session)]
    return render(request, "supplier_stock/upload.html", title=N_("Upload stock"), form=form, suppliers=suppliers,
                  encodings=[(value, translate(request, label) if value == "" else label) for value, label in ENCODINGS],
                  modes=[(value, translate(request, label)) for value, label in MODES.items()], outcome=outcome,
                  changes=ChangeKind.labels(), rejected=rejected, status_code=status_code)


@router.get("/supplier-stock/imports/{import_id}")
def import_status(request: Request, import_id: Id, session: DbSession, _: Reader) -> Response:
    """A queued import's status; while it waits or runs, htmx fetches the page again every second
    and swaps in its status part."""
    batch = queries.get_import(session, import_id)
    return render(request, "supplier_stock/import.html", title=N_("Import of %(file)s"),
                  title_params={"file": batch.filename}, batch=batch, waiting=batch.status in UNFINISHED,
                  progress=import_queue.import_progress(import_id))


@router.get("/supplier-stock/{stock_id}")
def stock_line(request: Request, stock_id: Id, session: DbSession, actor: Reader) -> Response:
    row = queries.get_supplier_stock(session, stock_id)
    values = {"on_hand": plain(row.on_hand), "available": plain(row.available),
              "next_available_date": row.next_available_date.isoformat() if row.next_available_date else "",
              "lead_time_days": "" if row.lead_time_days is None else str(row.lead_time_days),
              "version": str(row.version)}
    return _line_page(request, session, actor, row, FormState(values=values))


@router.post("/supplier-stock/{stock_id}")
async def adjust_line(request: Request, stock_id: Id, session: DbSession, actor: Writer) -> Response:
    """Set one line's figures; a version read before someone else's change is refused."""
    row = queries.get_supplier_stock(session, stock_id)
    form = FormState(values=form_values(await request.form(), LINE_FIELDS))
    data = {k: v for k, v in form.values.items() if k != "version"}
    body = parse(StockLineUpdate, data, form)
    version = counter(form.values["version"])
    if body is not None and version is not None:
        changes = StockLineUpdate(**body.model_dump())  # every field as posted: an empty one is cleared
        try:
            lines.adjust_supplier_stock(session, stock_id, changes, expected_version=version,
                                        actor_id=actor.user_id, source="portal")
            session.commit()
            return flash(redirect(f"/supplier-stock/{stock_id}"), request, N_("Stock line saved."))
        except lines.StaleVersion:
            session.rollback()
            form.add(None, Message(STALE_MESSAGE))
        except DomainError as error:
            session.rollback()
            add_domain_error(form, error)
        row = queries.get_supplier_stock(session, stock_id)
    elif body is not None:
        form.add(None, Message(STALE_MESSAGE))
    return _line_page(request, session, actor, row, form, status_code=422)


def _line_page(request: Request, session: DbSession, actor: Actor, row, form: FormState, *,
               status_code: int = 200) -> Response:
    line = queries.describe_stock(session, [row])[0]
    return render(request, "supplier_stock/line.html", title=N_("Stock of %(item)s at %(site)s"),
                  title_params={"item": line.item_code, "site": line.site_code}, line=line, form=form,
                  history=queries.list_history(session, row.id, limit=50), can_write=actor.can("supplier_stock.write"),
                  status_code=status_code)


@router.get("/availability")
def availability(request: Request, session: DbSession, _: AvailabilityReader, q: str | None = None) -> Response:
    """Who has an item now and who can deliver it soonest."""
    search = search_text(q)
    answer = list_availability(session, AvailabilityQuery(search=search, limit_items=20)) if search else None
    return render(request, "supplier_stock/availability.html", title=N_("Availability"), search=search or "",
                  answer=answer, sources=AvailabilitySource.labels())


feature = PortalFeature(
    router=router,
    nav=[NavEntry(N_("Availability"), "/availability", roles=frozenset({"admin", "buyer", "warehouse"}), order=20),
         NavEntry(N_("Supplier stock"), "/supplier-stock", roles=frozenset({"admin", "buyer", "warehouse"}),
                  order=21),
         NavEntry(N_("My stock"), "/supplier-stock", roles=frozenset({"supplier"}), order=20),
         NavEntry(N_("Upload stock"), "/supplier-stock/upload", permission="supplier_stock.write", order=22)],
)
