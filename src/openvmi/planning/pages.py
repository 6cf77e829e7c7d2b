"""Portal pages for demand plans: the buyer's upload (check first, then publish) and, for everyone, the
current plan week by week with what changed since the version before (a supplier: its items only)."""
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from openvmi.access import Actor
from openvmi.db import utcnow
from openvmi.errors import DomainError, InvalidImportFile, InvalidInput
from openvmi.fields import Id
from openvmi.planning import queries, service
from openvmi.planning.rules import Change, Source
from openvmi.planning.schemas import PlanUploadRequest
from openvmi.tabular.xlsx_archive import XlsxLimits
from openvmi.web.deps import DbSession
from openvmi.web.forms import FormState, add_domain_error, chosen_file, form_values, parse
from openvmi.web.guard import takes_upload
from openvmi.web.i18n import N_
from openvmi.web.portal import NavEntry, PortalFeature, portal_router
from openvmi.web.rendering import flash, redirect, render
from openvmi.web.viewer import page_requires

router = portal_router()
Reader = Annotated[Actor, Depends(page_requires("demand_plans.read"))]
Publisher = Annotated[Actor, Depends(page_requires("demand_plans.publish"))]
UPLOAD_FIELDS = ["encoding", "sheet"]
SHOWN_WEEKS = 500  # rows of the week table on one page; "Next weeks" shows the following ones
MOVED_WEEKS = 20_000  # changed weeks looked through for the sharp ones


@router.get("/demand-plans")
def plan_view(request: Request, session: DbSession, actor: Reader, changed: str | None = None,
              cursor: str | None = None) -> Response:
    """The current plan per item, plant and week, the previous version's figure beside it, a page of
    weeks at a time; sharp changes are listed first so a jump in demand is seen at once."""
    version = queries.find_current_version(session)
    changes = sharp = None
    if version is not None:
        today = utcnow().date()
        try:
            changes = queries.week_changes(session, version, only_changed=changed == "1", since=today,
                                           limit=SHOWN_WEEKS, cursor=cursor)
        except InvalidInput:  # a cursor from an old bookmark or typed by hand: start at the first week
            changes = queries.week_changes(session, version, only_changed=changed == "1", since=today,
                                           limit=SHOWN_WEEKS)
        moved = queries.week_changes(session, version, only_changed=True, since=today, limit=MOVED_WEEKS)
        sharp = [c for c in moved.items if c.change in (Change.UP_SHARPLY, Change.DOWN_SHARPLY)]
    return render(request, "planning/plan.html", title=N_("Demand plan"), version=version, changes=changes,
                  sharp=sharp, only_changed=changed == "1", first_page=not cursor, labels=Change.labels(),
                  sources=Source.labels(), can_publish=actor.can("demand_plans.publish"))


@router.get("/demand-plans/upload")
def upload_form(request: Request, _: Publisher) -> Response:
    return _upload_page(request, FormState(values={"encoding": "", "sheet": ""}))


@router.post("/demand-plans/upload")
@takes_upload
async def upload(request: Request, session: DbSession, actor: Publisher) -> Response:
    """Check a plan file (nothing is published) or publish it as the next version."""
    posted = await request.form()
    form = FormState(values=form_values(posted, UPLOAD_FIELDS))
    publish = posted.get("action") == "publish"
    file = chosen_file(posted, form)
    if file is None:
        return _upload_page(request, form, status_code=422)
    body = parse(PlanUploadRequest, {"filename": file.filename, "dry_run": not publish,
                                     "encoding": form.values["encoding"], "sheet": form.values["sheet"]}, form)
    if body is None:
        return _upload_page(request, form, status_code=422)
    settings = request.app.state.settings
    try:
        if publish:
            publication = service.publish_plan_file(session, body, stream=file.file, actor=actor,
                                                    xlsx_limits=XlsxLimits.from_settings(settings))
        else:  # a good file is kept: "Publish this plan" publishes it without choosing it again
            publication = service.check_plan_file(session, body, stream=file.file, actor=actor,
                                                  storage=settings.import_storage_dir,
                                                  keep_for=settings.keep_checked,
                                                  xlsx_limits=XlsxLimits.from_settings(settings))
    except InvalidImportFile as error:
        session.rollback()
        return _upload_page(request, form, rejected=error, status_code=422)
    except DomainError as error:
        session.rollback()
        add_domain_error(form, error)
        return _upload_page(request, form, status_code=422)
    session.commit()
    if not publish:
        return _upload_page(request, form, checked=publication.read())
    return _published(request, publication)


@router.post("/demand-plans/checks/{check_id}/publish")
def publish_checked(request: Request, check_id: Id, session: DbSession, actor: Publisher) -> Response:
    """Publish the file just checked, without choosing it again."""
    try:
        publication = service.publish_checked_plan(session, check_id, actor=actor,
                                                   xlsx_limits=XlsxLimits.from_settings(request.app.state.settings))
    except InvalidImportFile as error:  # an item or plant went away since the check
        session.rollback()
        return _upload_page(request, FormState(values={"encoding": "", "sheet": ""}), rejected=error,
                            status_code=422)
    except service.PlanCheckNotKept:
        session.rollback()
        return flash(redirect("/demand-plans/upload"), request, N_("This check can no longer be used (it was used or "
                                                                   "has expired). Choose the file again."))
    session.commit()
    return _published(request, publication)


def _published(request: Request, publication: service.Publication) -> Response:
    assert publication.version is not None
    return flash(redirect("/demand-plans"), request, N_("Demand plan version %(number)s published."),
                 number=publication.version.number)


def _upload_page(request: Request, form: FormState, *, checked=None, rejected: InvalidImportFile | None = None,
                 status_code: int = 200) -> Response:
    return render(request, "planning/upload.html", title=N_("Upload demand plan"), form=form, checked=checked,
                  rejected=rejected, status_code=status_code)


feature = PortalFeature(
    router=router,
    nav=[NavEntry(N_("Demand plan"), "/demand-plans", permission="demand_plans.read", order=24),
         NavEntry(N_("Upload plan"), "/demand-plans/upload", permission="demand_plans.publish", order=25)],
)
