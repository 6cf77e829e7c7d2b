"""Portal pages for supplier stock: upload with a dry-run preview to confirm and an error report
(with a site alias added from it), templates, the stock list, one line's adjustment form with its
history, and the availability search."""
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from openvmi.access import Actor, Role
from openvmi.alerts.rules import AlertKind
from openvmi.db import commit_refusal, utcnow
from openvmi.errors import Conflict, DomainError, InvalidImportFile, InvalidInput, NotFound
from openvmi.fields import Id
from openvmi.limits import counter
from openvmi.parties import queries as parties_queries
from openvmi.supplier_stock import queries, site_names
from openvmi.supplier_stock.availability import list_availability
from openvmi.supplier_stock.rules import (
    TEMPLATE_HEADERS, UNFINISHED, UNKNOWN_SITE, ZEROED_WARNING, AvailabilitySource, ChangeKind, ImportMode,
    source_of,
)
from openvmi.supplier_stock.schemas import (
    AvailabilityQuery, ImportRequest, PreviewLine, SiteAliasCreate, StockFilter, StockLineUpdate,
)
from openvmi.supplier_stock.service import dry_runs, import_queue, imports, lines, site_aliases
from openvmi.tabular.kept import check_usable
from openvmi.tabular.xlsx_archive import XlsxLimits
from openvmi.web.deps import DbSession
from openvmi.web.exports import FORMATS, export_list, export_response
from openvmi.web.forms import FormState, Message, add_domain_error, chosen_file, form_values, parse, plain
from openvmi.web.guard import takes_upload
from openvmi.web.i18n import N_
from openvmi.web.listing import ListView, list_request, search_text
from openvmi.web.portal import NavEntry, PortalFeature, portal_router
from openvmi.web.rendering import flash, redirect, render, request_locale, translate
from openvmi.web.viewer import page_for, page_requires

router = portal_router()
# Who is offered each page in the navigation, and so may open it.
STOCK_ROLES = frozenset({Role.ADMIN, Role.BUYER, Role.WAREHOUSE, Role.SUPPLIER})
AVAILABILITY_ROLES = frozenset({Role.ADMIN, Role.BUYER, Role.WAREHOUSE})
Reader = Annotated[Actor, Depends(page_for(STOCK_ROLES))]
Writer = Annotated[Actor, Depends(page_requires("supplier_stock.write"))]
AvailabilityReader = Annotated[Actor, Depends(page_for(AVAILABILITY_ROLES))]
UPLOAD_FIELDS = ["file", "supplier_code", "mode", "dry_run", "encoding", "sheet"]
LINE_FIELDS = ["on_hand", "available", "next_available_date", "lead_time_days", "version"]
ENCODINGS = [("", N_("Detect automatically")), ("utf-8", "UTF-8"), ("gb18030", "GBK / GB18030"), ("big5", "Big5"),
             ("cp1252", "Windows-1252")]
MODES = ImportMode.labels()
STALE_MESSAGE = N_("Someone else changed this stock line after you opened it. Reload the page to see "
                   "the current figures, then make your change again.")


@router.get("/supplier-stock")
def stock_list(request: Request, session: DbSession, actor: Reader, format: str | None = None) -> Response:
    wanted, filters = list_request(request), _stock_filter(request)
    if format in FORMATS:
        rows = [(r.item_code, r.item_name, r.supplier_code, r.site_code, r[0].on_hand, r[0].available, r[0].unit,
                 r[0].next_available_date, r[0].lead_time_days, r[0].reported_at)
                for r in queries.export_stock(session, wanted, filters)]
        return export_list(request, format, filename="supplier-stock", rows=rows,
                           columns=(N_("Item"), N_("Item name"), N_("Supplier"), N_("Site"), N_("On hand"),
                                    N_("Available"), N_("Unit"), N_("Next available"), N_("Lead time (days)"),
                                    N_("Reported at")))
    view = ListView.of(request, queries.browse_stock(session, wanted, filters))
    return render(request, "supplier_stock/list.html", title=N_("Supplier stock"), view=view,
                  filtered=filters != StockFilter(), can_write=actor.can("supplier_stock.write"))


def _stock_filter(request: Request) -> StockFilter:
    """`?supplier=`, `?item=`, `?location=`: one of them by id, as the pages that link here name it."""
    params = request.query_params
    return StockFilter(supplier_id=counter(params.get("supplier", "")), item_id=counter(params.get("item", "")),
                       location_id=counter(params.get("location", "")))


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
    file = chosen_file(posted, form)
    if file is None:
        return _upload_page(request, session, actor, form, status_code=422)
    data = {"supplier_code": form.values["supplier_code"], "filename": file.filename, "mode": form.values["mode"],
            "dry_run": form.values["dry_run"] == "on", "encoding": form.values["encoding"],
            "sheet": form.values["sheet"]}
    body = parse(ImportRequest, data, form)
    if body is None:
        return _upload_page(request, session, actor, form, status_code=422)
    if actor.supplier_id is None and body.supplier_code is None:  # staff upload for a supplier they choose
        form.add("supplier_code", Message(N_("Choose the supplier whose stock this file is.")))
        return _upload_page(request, session, actor, form, status_code=422)
    settings = request.app.state.settings
    queued = (file.size or 0) > settings.import_background_bytes  # too big to keep the user waiting
    limits = XlsxLimits.from_settings(settings)
    try:
        with commit_refusal(session, InvalidImportFile):  # a rejected file keeps its record and error report
            if queued:
                batch = import_queue.queue_import(session, body, stream=file.file,
                                                  storage=settings.import_storage_dir, actor_id=actor.user_id)
            elif body.dry_run:  # kept, so that "Confirm" applies what it shows without the file
                outcome = dry_runs.check_file(session, body, stream=file.file, storage=settings.import_storage_dir,
                                              keep_for=request.app.state.settings.keep_checked, actor_id=actor.user_id, xlsx_limits=limits)
            else:
                outcome = imports.import_supplier_stock(session, body, stream=file.file, actor_id=actor.user_id,
                                                        xlsx_limits=limits)
    except InvalidImportFile as error:
        return _upload_page(request, session, actor, form, rejected=error, status_code=422,
                            kept=error.import_id if body.dry_run else None)
    except DomainError as error:
        session.rollback()
        add_domain_error(form, error, field_names={"supplier": "supplier_code"})
        return _upload_page(request, session, actor, form, status_code=422)
    session.commit()
    if queued:
        request.app.state.import_runner.wake()
        return redirect(f"/supplier-stock/imports/{batch.id}")
    return _upload_page(request, session, actor, form, outcome=outcome)


def _supplier_choices(request: Request, session: DbSession) -> list[tuple[str, str]]:
    """Staff pick the supplier: an empty first choice, never the first supplier preselected."""
    return [("", translate(request, N_("— choose a supplier —")))] + [
        (code, f"{code} · {name}") for _, code, name in parties_queries.supplier_choices(session)]


def _upload_page(request: Request, session: DbSession, actor: Actor, form: FormState, *, outcome=None,
                 rejected: InvalidImportFile | None = None, kept: int | None = None,
                 status_code: int = 200) -> Response:
    suppliers = _supplier_choices(request, session) if actor.supplier_id is None else None
    return render(request, "supplier_stock/upload.html", title=N_("Upload stock"), form=form, suppliers=suppliers,
                  encodings=[(value, translate(request, label) if value == "" else label) for value, label in ENCODINGS],
                  modes=[(value, translate(request, label)) for value, label in MODES.items()], outcome=outcome,
                  changes=ChangeKind.labels(), rejected=rejected, kept=kept, unknown_site=UNKNOWN_SITE,
                  zeroed_warning=ZEROED_WARNING, template_languages=TEMPLATE_HEADERS, status_code=status_code)


@router.get("/supplier-stock/upload/template")
def upload_template(request: Request, session: DbSession, actor: Writer, format: str = "xlsx",
                    headers: str | None = None, supplier: str | None = None) -> Response:
    """A stock file to fill in, headed in either language: the supplier's items and sites as they stand."""
    language = headers if headers in TEMPLATE_HEADERS else ("zh_CN" if request_locale(request) == "zh_CN" else "en")
    rows: list = []
    if actor.supplier_id is not None or supplier:
        owner = queries.get_publishing_supplier(session, None if actor.supplier_id is not None else supplier)
        rows = queries.template_lines(session, owner.id, today=utcnow().date())
    return export_response("xlsx" if format == "xlsx" else "csv", filename=f"stock-template-{language}",
                           headers=TEMPLATE_HEADERS[language], rows=rows,
                           timezone=request.app.state.settings.timezone)


NO_LONGER_KEPT = N_("This check can no longer be used (it was used or has expired). Upload the file again.")


@router.post("/supplier-stock/imports/{import_id}/confirm")
def confirm_import(request: Request, import_id: Id, session: DbSession, actor: Writer) -> Response:
    """Apply a dry run as it was shown, without the file."""
    try:
        with commit_refusal(session, InvalidImportFile):
            dry_runs.confirm_dry_run(session, import_id, actor_id=actor.user_id,
                                     xlsx_limits=XlsxLimits.from_settings(request.app.state.settings))
    except InvalidImportFile:
        return redirect(f"/supplier-stock/imports/{import_id}")  # the page says why, and offers to check again
    except Conflict:
        session.rollback()
        return flash(redirect(f"/supplier-stock/imports/{import_id}"), request, NO_LONGER_KEPT)
    session.commit()
    return flash(redirect(f"/supplier-stock/imports/{import_id}"), request, N_("The file was imported."))


@router.post("/supplier-stock/imports/{import_id}/check-again")
def check_again(request: Request, import_id: Id, session: DbSession, actor: Writer) -> Response:
    """Check a kept file again (after adding a site alias, say); the answer is a new check."""
    try:
        new_id = _check_again(request, session, actor, import_id)
    except Conflict:
        session.rollback()
        return flash(redirect(f"/supplier-stock/imports/{import_id}"), request, NO_LONGER_KEPT)
    return redirect(f"/supplier-stock/imports/{new_id}")


def _check_again(request: Request, session: DbSession, actor: Actor, import_id: int) -> int:
    """The id of the new check of a kept file, committed whether it passed or not."""
    settings = request.app.state.settings
    try:
        with commit_refusal(session, InvalidImportFile):
            outcome = dry_runs.check_again(session, import_id, actor_id=actor.user_id,
                                           storage=settings.import_storage_dir, keep_for=request.app.state.settings.keep_checked,
                                           xlsx_limits=XlsxLimits.from_settings(settings))
    except InvalidImportFile as error:
        assert error.import_id is not None
        return error.import_id
    session.commit()
    return outcome.batch.id


ALIAS_FIELDS = ["alias", "site_code", "supplier_code", "import_id"]


@router.get("/supplier-stock/site-aliases/new")
def alias_form(request: Request, session: DbSession, actor: Writer, alias: str = "",
               import_id: Id | None = None) -> Response:
    """Add a name the supplier's ERP writes for a site; opened from an error report's unknown site."""
    supplier_code = ""
    if import_id is not None:
        supplier_code = parties_queries.get_party(session, queries.get_import(session, import_id).supplier_id).code
    form = FormState(values={"alias": alias, "site_code": "", "supplier_code": supplier_code,
                             "import_id": "" if import_id is None else str(import_id)})
    return _alias_page(request, session, actor, form)


@router.post("/supplier-stock/site-aliases/new")
async def add_alias(request: Request, session: DbSession, actor: Writer) -> Response:
    """Add the alias; coming from a kept file's error report, check that file again at once."""
    form = FormState(values=form_values(await request.form(), ALIAS_FIELDS))
    body = parse(SiteAliasCreate, {k: v for k, v in form.values.items() if k != "import_id"}, form)
    if body is not None:
        try:
            site_aliases.add_site_alias(session, body, actor_id=actor.user_id)
            session.commit()
        except DomainError as error:
            session.rollback()
            add_domain_error(form, error, field_names={"supplier": "supplier_code"})
    if body is None or form.invalid:
        return _alias_page(request, session, actor, form, status_code=422)
    import_id = counter(form.values["import_id"])
    if import_id is None:
        return flash(redirect("/supplier-stock/upload"), request, N_("Alias %(alias)s added."), alias=body.alias)
    try:
        new_id = _check_again(request, session, actor, import_id)
    except (Conflict, NotFound):  # the file is no longer kept: the alias stands, the file comes again
        session.rollback()
        return flash(redirect("/supplier-stock/upload"), request,
                     N_("Alias %(alias)s added. Upload your file again."), alias=body.alias)
    return flash(redirect(f"/supplier-stock/imports/{new_id}"), request,
                 N_("Alias %(alias)s added; your file was checked again."), alias=body.alias)


def _alias_page(request: Request, session: DbSession, actor: Actor, form: FormState, *,
                status_code: int = 200) -> Response:
    code = form.values.get("supplier_code") or None
    sites: list[tuple[str, str]] = []
    if actor.supplier_id is not None or code:
        owner = parties_queries.find_party_by_code(session, code) if actor.supplier_id is None else None
        owner_id = actor.supplier_id if actor.supplier_id is not None else (owner.id if owner else None)
        if owner_id is not None:
            sites = [(site_code, site_code if name == site_code else f"{site_code} · {name}")
                     for _, site_code, name in site_names.list_sites(session, owner_id)]
    return render(request, "supplier_stock/alias_form.html", title=N_("Add a site alias"), form=form,
                  sites=[("", translate(request, N_("— choose a site —")))] + sites,
                  suppliers=_supplier_choices(request, session) if actor.supplier_id is None else None,
                  aliases=site_names.list_site_aliases(session, supplier_id=None, limit=500).items,
                  status_code=status_code)


@router.post("/supplier-stock/site-aliases/{alias_id}/remove")
def remove_alias(request: Request, alias_id: Id, session: DbSession, _: Writer) -> Response:
    """Files no longer name a site by this alias."""
    site_aliases.remove_site_alias(session, alias_id)
    session.commit()
    return flash(redirect("/supplier-stock/site-aliases/new"), request, N_("Alias removed."))


@router.get("/supplier-stock/imports/{import_id}")
def import_status(request: Request, import_id: Id, session: DbSession, actor: Reader) -> Response:
    """An import's outcome (a kept check: to confirm or check again); while it waits or runs, htmx
    fetches the page again every second and swaps in its status part."""
    batch = queries.get_import(session, import_id)
    kept = actor.can("supplier_stock.write") and batch.stored_file is not None and check_usable(
        kept_until=batch.kept_until, checked_by=batch.created_by_id, user_id=actor.user_id, now=utcnow())
    shown = {name: [PreviewLine.model_validate(line) for line in (batch.options or {}).get(name, [])] if kept else []
             for name in ("preview", "zeroed")}  # what the check showed when it was made
    return render(request, "supplier_stock/import.html", title=N_("Import of %(file)s"),
                  title_params={"file": batch.filename}, batch=batch, waiting=batch.status in UNFINISHED,
                  progress=import_queue.import_progress(batch), kept=batch.id if kept else None,
                  changes=ChangeKind.labels(), unknown_site=UNKNOWN_SITE, zeroed_warning=ZEROED_WARNING, **shown)


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
                  source_of=source_of, status_code=status_code)


@router.get("/availability")
def availability(request: Request, session: DbSession, _: AvailabilityReader, q: str | None = None,
                 item: str | None = None, cursor: str | None = None) -> Response:
    """Who has an item now and who can deliver it soonest: search by words, or one item by id (the
    item page links here); a page of items at a time."""
    search, item_id = search_text(q), counter(item or "")
    answer = None
    if search or item_id:
        wanted = AvailabilityQuery(search=search, item_ids=[item_id] if item_id else [], cursor=cursor or None)
        try:
            answer = list_availability(session, wanted)
        except InvalidInput:  # a cursor edited by hand: start again at the first page
            answer = list_availability(session, wanted.model_copy(update={"cursor": None}))
    pages = {"next": None, "first": None}
    if answer is not None and answer.next_cursor:
        pages["next"] = request.url.include_query_params(cursor=answer.next_cursor)
    if cursor:
        pages["first"] = request.url.remove_query_params("cursor")
    return render(request, "supplier_stock/availability.html", title=N_("Availability"), search=search or "",
                  answer=answer, pages=pages, sources=AvailabilitySource.labels(), alert_kinds=AlertKind.labels())


feature = PortalFeature(
    router=router,
    nav=[NavEntry(N_("Availability"), "/availability", roles=AVAILABILITY_ROLES, order=20),
         NavEntry(N_("Supplier stock"), "/supplier-stock", roles=STOCK_ROLES - {Role.SUPPLIER}, order=21),
         NavEntry(N_("My stock"), "/supplier-stock", roles=frozenset({Role.SUPPLIER}), order=20),
         NavEntry(N_("Upload stock"), "/supplier-stock/upload", permission="supplier_stock.write", order=22)],
)
