"""JSON API for demand plans: publish (lines or a file), versions, the current plan and its changes."""
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from pydantic import ValidationError

from openvmi.access import Actor
from openvmi.errors import FieldError, InvalidInput
from openvmi.fields import Id
from openvmi.planning import queries, service
from openvmi.planning.schemas import (
    PlanChangesRead, PlanCheckRead, PlanLinePage, PlanPublish, PlanUploadRequest, PlanVersionPage, PlanVersionRead,
)
from openvmi.tabular.xlsx_archive import XlsxLimits
from openvmi.web.deps import DbSession, IdempotencyKey, requires
from openvmi.web.guard import takes_upload

router = APIRouter(tags=["demand plans"])
Reader = Annotated[Actor, Depends(requires("demand_plans.read"))]
Publisher = Annotated[Actor, Depends(requires("demand_plans.publish"))]
Limit = Annotated[int, Query(ge=1, le=500)]
NO_PLAN: dict[int | str, dict] = {404: {"description": "No demand plan has been published yet"}}
PUBLISHED = {200: {"model": PlanCheckRead, "description": "a replay of an earlier publication (Idempotency-Key)"},
             422: {"description": "the plan cannot be published; every bad line is listed"}}


@router.post("/demand-plans", status_code=201, response_model=PlanCheckRead, responses=PUBLISHED)
@takes_upload  # a whole plan is as big as a file
def publish_plan(plan: PlanPublish, session: DbSession, actor: Publisher, response: Response,
                 idempotency_key: IdempotencyKey) -> PlanCheckRead:
    """Publish a whole plan as the next version: it replaces the current one for everyone at once.
    A bad line (unknown item or plant, bad date or week, a duplicate) publishes nothing."""
    publication = service.publish_plan(session, plan, actor=actor, idempotency_key=idempotency_key)
    session.commit()
    return _answer(publication, response)


@router.post("/demand-plans/uploads", status_code=201, response_model=PlanCheckRead,
             responses={**PUBLISHED, 413: {"description": "the upload is larger than OPENVMI_MAX_UPLOAD_BYTES"}})
@takes_upload
def upload_plan(request: Request, session: DbSession, actor: Publisher, response: Response,
                idempotency_key: IdempotencyKey,
                file: Annotated[UploadFile, File(description="CSV (UTF-8, UTF-8 BOM, GBK/GB18030) or XLSX")],
                dry_run: Annotated[bool, Form(description="Check the file and say what it holds, publish nothing")]
                = False,
                encoding: Annotated[str | None, Form(description="e.g. gbk; detected when left out")] = None,
                sheet: Annotated[str | None, Form(description="XLSX sheet name; the first sheet by default")] = None,
                ) -> PlanCheckRead:
    """Publish a plan file (columns item, plant, date or ISO week, quantity) as the next version. It is
    checked whole; a bad file publishes nothing and lists every bad row."""
    try:
        wanted = PlanUploadRequest(filename=file.filename or "upload", dry_run=dry_run, encoding=encoding or None,
                                   sheet=sheet or None)
    except ValidationError as error:
        raise InvalidInput([FieldError(".".join(str(p) for p in e["loc"]), e["msg"]) for e in error.errors()]) from None
    settings = request.app.state.settings
    if dry_run:  # a good file is kept, so that POST .../checks/{check_id}/publish publishes what it showed
        publication = service.check_plan_file(session, wanted, stream=file.file, actor=actor,
                                              storage=settings.import_storage_dir, keep_for=settings.keep_checked,
                                              xlsx_limits=XlsxLimits.from_settings(settings))
    else:
        publication = service.publish_plan_file(session, wanted, stream=file.file, actor=actor,
                                                idempotency_key=idempotency_key,
                                                xlsx_limits=XlsxLimits.from_settings(settings))
    session.commit()
    answer = _answer(publication, response)
    if dry_run:
        response.status_code = 200
    return answer


@router.post("/demand-plans/checks/{check_id}/publish", status_code=201, response_model=PlanCheckRead,
             responses={404: {"description": "no such check, or another user's"},
                        409: {"description": "the check was used or has expired: upload the file again"},
                        422: {"description": "the kept file no longer passes its check; every bad row is listed"}})
def publish_checked(request: Request, check_id: Id, session: DbSession, actor: Publisher) -> PlanCheckRead:
    """Publish a file you checked (`dry_run`) as the next version without sending it again, until the
    check's `kept_until`. It is checked again as it is published; a second call publishes nothing (409)."""
    publication = service.publish_checked_plan(session, check_id, actor=actor,
                                               xlsx_limits=XlsxLimits.from_settings(request.app.state.settings))
    session.commit()
    return publication.read()


def _answer(publication: service.Publication, response: Response) -> PlanCheckRead:
    if publication.replayed:
        response.headers["Idempotent-Replayed"] = "true"
        response.status_code = 200
    return publication.read()


@router.get("/demand-plans", response_model=PlanVersionPage)
def list_versions(session: DbSession, _: Reader, cursor: str | None = None, limit: Limit = 50) -> PlanVersionPage:
    """Every published version, newest first."""
    return queries.list_versions(session, cursor=cursor, limit=limit)


@router.get("/demand-plans/current", response_model=PlanVersionRead, responses=NO_PLAN)
def current_version(session: DbSession, _: Reader) -> PlanVersionRead:
    return PlanVersionRead.model_validate(queries.get_current_version(session))


@router.get("/demand-plans/current/lines", response_model=PlanLinePage, responses=NO_PLAN)
def current_lines(session: DbSession, _: Reader, item_id: Id | None = None, plant_id: Id | None = None,
                  since: date | None = None, until: date | None = None, cursor: str | None = None,
                  limit: Limit = 500) -> PlanLinePage:
    """The current plan's lines (a supplier: those of the items it supplies)."""
    return queries.list_lines(session, queries.get_current_version(session),
                              queries.LineFilter(item_id, plant_id, since, until), cursor=cursor, limit=limit)


@router.get("/demand-plans/current/changes", response_model=PlanChangesRead, responses=NO_PLAN)
def current_changes(session: DbSession, _: Reader, only_changed: bool = False, since: date | None = None,
                    cursor: str | None = None, limit: Limit = 500) -> PlanChangesRead:
    """Per item, plant and ISO week: the current quantity, the previous version's, and how it moved
    (`up_sharply` when it rose by 30% or more), in week, item and plant order, a page at a time
    (`next_cursor`). A supplier sees its own items only."""
    return queries.week_changes(session, queries.get_current_version(session), only_changed=only_changed,
                                since=since, cursor=cursor, limit=limit)


@router.get("/demand-plans/{number}", response_model=PlanVersionRead)
def get_version(number: Id, session: DbSession, _: Reader) -> PlanVersionRead:
    return PlanVersionRead.model_validate(queries.get_version(session, number))


@router.get("/demand-plans/{number}/lines", response_model=PlanLinePage)
def version_lines(number: Id, session: DbSession, _: Reader, item_id: Id | None = None, plant_id: Id | None = None,
                  since: date | None = None, until: date | None = None, cursor: str | None = None,
                  limit: Limit = 500) -> PlanLinePage:
    return queries.list_lines(session, queries.get_version(session, number),
                              queries.LineFilter(item_id, plant_id, since, until), cursor=cursor, limit=limit)
