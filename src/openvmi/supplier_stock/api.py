"""JSON API for supplier stock: lines (with ETags), file imports, thresholds, mappings, availability."""
import json
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Header, HTTPException, Query, Request, Response, UploadFile
from pydantic import ValidationError
from sqlalchemy.orm import Session

from openvmi.access import Actor
from openvmi.db import commit_refusal
from openvmi.errors import FieldError, InvalidImportFile, InvalidInput
from openvmi.fields import Code, Id, Search
from openvmi.supplier_stock import queries, site_names
from openvmi.supplier_stock.availability import availability_body
from openvmi.tabular.xlsx_archive import XlsxLimits
from openvmi.supplier_stock.models import SupplierStockImport
from openvmi.supplier_stock.schemas import (
    AVAILABILITY_PAGE, MAX_AVAILABILITY_PAGE, MAX_ITEMS, AvailabilityQuery, AvailabilityRead, ColumnMappingRead,
    ColumnMappingSet, HistoryRead, ImportErrors, ImportMode, ImportPage, ImportRead, ImportRequest, SiteAliasCreate,
    SiteAliasPage, SiteAliasRead, StockFilter, StockLineCreate, StockLineReplace, StockLineUpdate, SupplierStockPage,
    SupplierStockRead, ThresholdPage, ThresholdRead, ThresholdSet,
)
from openvmi.supplier_stock.rules import ZEROED_WARNING
from openvmi.supplier_stock.service import dry_runs, import_queue, imports, lines, site_aliases, thresholds
from openvmi.web.deps import BearerSecret, DbSession, IdempotencyKey, answer_as_caller, caller_checked_first, requires
from openvmi.web.guard import takes_upload
from openvmi.web.etags import etag, version_from_etag

router = APIRouter(tags=["supplier stock"])
Reader = Annotated[Actor, Depends(requires("supplier_stock.read"))]
Writer = Annotated[Actor, Depends(requires("supplier_stock.write"))]
ThresholdWriter = Annotated[Actor, Depends(requires("supplier_stock.thresholds"))]
AVAILABILITY_READ = "availability.read"
Limit = Annotated[int, Query(ge=1, le=500)]
IF_MATCH_REQUIRED: dict[int | str, dict] = {428: {"description": "If-Match is missing: send the ETag you read"}}


# Fixed paths first: "/supplier-stock/imports" must not be read as a line id.
@router.post("/supplier-stock/imports", status_code=201, response_model=ImportRead,
             responses={200: {"model": ImportRead, "description": "a dry run, or a replay of an earlier import"},
                        202: {"model": ImportRead,
                              "description": "queued (Prefer: respond-async); follow Location for its status"},
                        413: {"description": "the upload is larger than OPENVMI_MAX_UPLOAD_BYTES"},
                        422: {"description": "the file cannot be imported; every bad row is listed"}})
@takes_upload
def import_supplier_stock(
    request: Request, session: DbSession, actor: Writer, response: Response, idempotency_key: IdempotencyKey,
    file: Annotated[UploadFile, File(description="CSV (UTF-8, UTF-8 BOM, GBK/GB18030) or XLSX")],
    supplier: Annotated[str | None, Form(description="Supplier code; supplier users may leave it out")] = None,
    mode: Annotated[ImportMode, Form(description="full: a snapshot per site; delta: only these rows")] = ImportMode.FULL,
    dry_run: Annotated[bool, Form(description="Check and show the changes, write nothing")] = False,
    encoding: Annotated[str | None, Form(description="e.g. gbk; detected when left out")] = None,
    sheet: Annotated[str | None, Form(description="XLSX sheet name; the first sheet by default")] = None,
    mapping: Annotated[str | None, Form(description='JSON: field -> your header, e.g. {"on_hand": "Bestand"}')] = None,
    save_mapping: Annotated[bool, Form()] = False,
    prefer: Annotated[str | None, Header(description="respond-async: queue the file and answer 202 at once")] = None,
) -> ImportRead:
    """Upload a stock file. It is checked whole; a bad file changes nothing and lists every bad row.
    With `Prefer: respond-async` the file is queued: poll the import (Location) for its status."""
    try:
        wanted = ImportRequest(supplier_code=supplier or None, filename=file.filename or "upload", mode=mode,
                               dry_run=dry_run, encoding=encoding or None, sheet=sheet or None,
                               mapping=_parse_mapping(mapping), save_mapping=save_mapping)
    except ValidationError as error:
        raise InvalidInput([FieldError(".".join(str(p) for p in e["loc"]) or "mapping", e["msg"])
                            for e in error.errors()]) from None
    if prefer and "respond-async" in prefer.lower():
        return _queue(request, session, actor, response, wanted, file, idempotency_key)
    settings = request.app.state.settings
    with commit_refusal(session, InvalidImportFile):  # a rejected file keeps its record and error report
        if dry_run:  # kept, so that POST .../confirm applies what it showed
            outcome = dry_runs.check_file(session, wanted, stream=file.file, storage=settings.import_storage_dir,
                                          keep_for=settings.keep_checked,
                                          actor_id=actor.user_id, xlsx_limits=XlsxLimits.from_settings(settings))
        else:
            outcome = imports.import_supplier_stock(
                session, wanted, stream=file.file, actor_id=actor.user_id, idempotency_key=idempotency_key,
                xlsx_limits=XlsxLimits.from_settings(settings))
    session.commit()
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    if outcome.replayed or dry_run:
        response.status_code = 200
    return _import_read(outcome)


def _queue(request: Request, session: DbSession, actor: Actor, response: Response, wanted: ImportRequest,
           file: UploadFile, idempotency_key: str | None) -> ImportRead:
    batch = import_queue.queue_import(session, wanted, stream=file.file, actor_id=actor.user_id,
                                      storage=request.app.state.settings.import_storage_dir,
                                      idempotency_key=idempotency_key)
    session.commit()
    request.app.state.import_runner.wake()
    response.status_code = 202
    response.headers["Location"] = str(request.url_for("get_import", import_id=batch.id))
    response.headers["Preference-Applied"] = "respond-async"
    return _import_status(batch)


def _import_status(batch: SupplierStockImport) -> ImportRead:
    read = ImportRead.model_validate(batch)
    read.progress = import_queue.import_progress(batch)
    return read


@router.get("/supplier-stock/imports", response_model=ImportPage)
def list_imports(session: DbSession, _: Reader, supplier_id: Id | None = None, cursor: str | None = None,
                 limit: Limit = 50) -> ImportPage:
    return queries.list_imports(session, supplier_id=supplier_id, cursor=cursor, limit=limit)


@router.get("/supplier-stock/imports/{import_id}", response_model=ImportRead)
def get_import(import_id: Id, session: DbSession, _: Reader) -> ImportRead:
    """An import's outcome; while it is queued or running, its status (and how far it has read
    the file, when this server process runs it)."""
    return _import_status(queries.get_import(session, import_id))


@router.post("/supplier-stock/imports/{import_id}/confirm", response_model=ImportRead,
             responses={409: {"description": "already confirmed, expired, or the stock changed since the dry run"}})
def confirm_import(request: Request, import_id: Id, session: DbSession, actor: Writer) -> ImportRead:
    """Apply a dry run of yours as it was checked, without sending the file again (until its
    `kept_until`). Refused if the stock changed since the dry run: check the file again."""
    with commit_refusal(session, InvalidImportFile):
        outcome = dry_runs.confirm_dry_run(session, import_id, actor_id=actor.user_id,
                                           xlsx_limits=XlsxLimits.from_settings(request.app.state.settings))
    session.commit()
    return _import_read(outcome)


@router.get("/supplier-stock/imports/{import_id}/errors", response_model=ImportErrors)
def get_import_errors(import_id: Id, session: DbSession, _: Reader) -> ImportErrors:
    return queries.import_errors(session, import_id)


@router.get("/supplier-stock/site-aliases", response_model=SiteAliasPage)
def list_site_aliases(session: DbSession, _: Reader, supplier_id: Id | None = None, cursor: str | None = None,
                      limit: Limit = 100) -> SiteAliasPage:
    """The names suppliers' files may give their sites besides the site code (a supplier: its own)."""
    return site_names.list_site_aliases(session, supplier_id=supplier_id, cursor=cursor, limit=limit)


@router.post("/supplier-stock/site-aliases", status_code=201, response_model=SiteAliasRead)
def add_site_alias(body: SiteAliasCreate, session: DbSession, actor: Writer) -> SiteAliasRead:
    """Let a supplier's files name one of its sites as its ERP does (e.g. 主仓 for NB-WH1); matched
    like headers: case, full-width letters and spaces do not matter."""
    row = site_aliases.add_site_alias(session, body, actor_id=actor.user_id)
    session.commit()
    return site_names.describe_site_aliases(session, [row])[0]


@router.get("/supplier-stock/site-aliases/{alias_id}", response_model=SiteAliasRead)
def get_site_alias(alias_id: Id, session: DbSession, _: Reader) -> SiteAliasRead:
    return site_names.describe_site_aliases(session, [site_names.get_site_alias(session, alias_id)])[0]


@router.delete("/supplier-stock/site-aliases/{alias_id}", status_code=204)
def remove_site_alias(alias_id: Id, session: DbSession, _: Writer) -> Response:
    site_aliases.remove_site_alias(session, alias_id)
    session.commit()
    return Response(status_code=204)


@router.get("/supplier-stock/thresholds", response_model=ThresholdPage)
def list_thresholds(session: DbSession, _: Reader, supplier_id: Id | None = None, item_id: Id | None = None,
                    cursor: str | None = None, limit: Limit = 100) -> ThresholdPage:
    return queries.list_thresholds(session, supplier_id=supplier_id, item_id=item_id, cursor=cursor, limit=limit)


@router.put("/supplier-stock/thresholds", response_model=ThresholdRead)
def set_threshold(body: ThresholdSet, session: DbSession, actor: ThresholdWriter) -> ThresholdRead:
    """Set (or replace) the low-water and optional high-water mark of a supplier item."""
    row = thresholds.set_threshold(session, body, actor_id=actor.user_id)
    session.commit()
    return queries.describe_thresholds(session, [row])[0]


@router.delete("/supplier-stock/thresholds/{threshold_id}", status_code=204)
def delete_threshold(threshold_id: Id, session: DbSession, _: ThresholdWriter) -> Response:
    thresholds.delete_threshold(session, threshold_id)
    session.commit()
    return Response(status_code=204)


@router.get("/supplier-stock/column-mappings/{supplier_id}", response_model=ColumnMappingRead)
def get_column_mapping(supplier_id: Id, session: DbSession, _: Reader) -> ColumnMappingRead:
    return queries.column_mapping(session, supplier_id)


@router.put("/supplier-stock/column-mappings/{supplier_id}", response_model=ColumnMappingRead)
def set_column_mapping(supplier_id: Id, body: ColumnMappingSet, session: DbSession, _: Writer) -> ColumnMappingRead:
    """Remember which of the supplier's own headers holds which field."""
    imports.save_column_mapping(session, supplier_id, body.mapping)
    session.commit()
    return queries.column_mapping(session, supplier_id)


@router.get("/supplier-stock", response_model=SupplierStockPage)
def list_supplier_stock(session: DbSession, _: Reader, supplier_id: Id | None = None, item_id: Id | None = None,
                        location_id: Id | None = None, q: Search | None = None, cursor: str | None = None,
                        limit: Limit = 100) -> SupplierStockPage:
    filters = StockFilter(supplier_id=supplier_id, item_id=item_id, location_id=location_id, search=q)
    return queries.list_supplier_stock(session, filters, cursor=cursor, limit=limit)


@router.post("/supplier-stock", status_code=201, response_model=SupplierStockRead)
def create_supplier_stock(body: StockLineCreate, session: DbSession, actor: Writer,
                          response: Response) -> SupplierStockRead:
    """Publish a line that does not exist yet; change existing ones with PUT/PATCH and If-Match."""
    row = lines.create_supplier_stock(session, body, actor_id=actor.user_id, source="api")
    session.commit()
    response.headers["ETag"] = etag(row.version)
    return queries.describe_stock(session, [row])[0]


@router.get("/supplier-stock/{stock_id}", response_model=SupplierStockRead)
def get_supplier_stock(stock_id: Id, session: DbSession, _: Reader, response: Response) -> SupplierStockRead:
    row = queries.get_supplier_stock(session, stock_id)
    response.headers["ETag"] = etag(row.version)
    return queries.describe_stock(session, [row])[0]


@router.put("/supplier-stock/{stock_id}", response_model=SupplierStockRead, responses=IF_MATCH_REQUIRED)
def replace_supplier_stock(stock_id: Id, body: StockLineReplace, session: DbSession, actor: Writer,
                           response: Response, if_match: Annotated[str | None, Header()] = None) -> SupplierStockRead:
    """Set a line's figures; If-Match must carry the ETag you read (a stale one gets 409)."""
    changes = StockLineUpdate(**body.model_dump())  # every field given: what is left out is cleared
    return _adjust(session, stock_id, changes, actor, response, if_match)


@router.patch("/supplier-stock/{stock_id}", response_model=SupplierStockRead, responses=IF_MATCH_REQUIRED)
def patch_supplier_stock(stock_id: Id, body: StockLineUpdate, session: DbSession, actor: Writer,
                         response: Response, if_match: Annotated[str | None, Header()] = None) -> SupplierStockRead:
    """Change some of a line's figures; If-Match must carry the ETag you read (a stale one gets 409)."""
    return _adjust(session, stock_id, body, actor, response, if_match)


@router.get("/supplier-stock/{stock_id}/history", response_model=list[HistoryRead])
def get_supplier_stock_history(stock_id: Id, session: DbSession, _: Reader,
                               limit: Limit = 100) -> list[HistoryRead]:
    return queries.list_history(session, stock_id, limit=limit)


async def availability(request: Request, token: BearerSecret,
                       item_id: Annotated[list[Id], Query(max_length=MAX_ITEMS)] = [],  # noqa: B006 - FastAPI copies
                       item_code: Annotated[list[Code], Query(max_length=MAX_ITEMS)] = [],  # noqa: B006
                       q: Annotated[Search | None, Query(
                           description="Words, each in the item code or name, in any order: `螺栓 M10`")] = None,
                       cursor: Annotated[str | None, Query(max_length=400,
                                                           description="`next_cursor` of the page before")] = None,
                       limit: Annotated[int, Query(ge=1, le=MAX_AVAILABILITY_PAGE, description=(
                           f"Items per page, each with all its lines (default {AVAILABILITY_PAGE}, "
                           f"at most {MAX_AVAILABILITY_PAGE})"))] = AVAILABILITY_PAGE,
                       ) -> Response:
    """Who can deliver these items soonest: our VMI and in-transit stock, then suppliers' stock.
    Items come in code order, `limit` a page; while `next_cursor` is not null, pass it as `cursor`
    for the next page."""

    def read(session: Session) -> bytes:
        if not item_id and not item_code and not q:  # after the caller's check, as a dependency's would be
            raise InvalidInput([FieldError("q", "give item_id, item_code or q")])
        return availability_body(session, AvailabilityQuery(item_ids=item_id, item_codes=item_code, search=q,
                                                             cursor=cursor, limit=limit))

    # The caller's lookup and the answer in one worker thread (docs/decisions.md, "Availability over HTTP:
    # one thread hop"); written by the database and orjson: response_model only documents the shape.
    body = await answer_as_caller(request, token, AVAILABILITY_READ, read)
    return Response(body, media_type="application/json")


router.add_api_route("/availability", availability, methods=["GET"], response_model=AvailabilityRead,
                     route_class_override=caller_checked_first(AVAILABILITY_READ))


def _adjust(session: DbSession, stock_id: int, changes: StockLineUpdate, actor: Actor, response: Response,
            if_match: str | None) -> SupplierStockRead:
    if if_match is None:
        raise HTTPException(428, "If-Match is required: send the ETag of the line you read")
    row = lines.adjust_supplier_stock(session, stock_id, changes, expected_version=version_from_etag(if_match),
                                      actor_id=actor.user_id, source="api")
    session.commit()
    response.headers["ETag"] = etag(row.version)
    return queries.describe_stock(session, [row])[0]


def _import_read(outcome: imports.ImportOutcome) -> ImportRead:
    read = ImportRead.model_validate(outcome.batch)
    warnings = [ZEROED_WARNING % {"count": outcome.batch.zeroed_count}] if outcome.zeroed else []
    return read.model_copy(update={"replayed": outcome.replayed, "ignored_columns": outcome.ignored_columns,
                                   "preview": outcome.preview, "zeroed": outcome.zeroed, "warnings": warnings})


def _parse_mapping(text: str | None) -> dict[str, str] | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise InvalidInput([FieldError("mapping", "must be a JSON object: field -> header")]) from None
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise InvalidInput([FieldError("mapping", "must be a JSON object: field -> header")])
    return value
