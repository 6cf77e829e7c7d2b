"""Portal pages for demand plans: the buyer's upload (check first, then publish) and, for everyone, the
current plan week by week with what changed since the version before (a supplier: its items only)."""
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from openvmi.access import Actor
from openvmi.db import utcnow
from openvmi.errors import DomainError, InvalidImportFile
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
SHOWN_WEEKS = 2000  # rows of the week table; the API lists them all
MOVED_WEEKS = 20_000  # changed weeks looked through for the sharp ones


@router.get("/demand-plans")
def plan_view(request: Request, session: DbSession, actor: Reader, changed: str | None = None) -> Response:
    """The current plan per item, plant and week, the previous version's figure beside it; sharp
    changes are listed first so a jump in demand is seen at once."""
    version = queries.find_current_version(session)
    changes = sharp = None
    if version is not None:
        today = utcnow().date()
        changes = queries.week_changes(session, version, only_changed=changed == "1", since=today,
                                       limit=SHOWN_WEEKS + 1)
        moved = queries.week_changes(session, version, only_changed=True, since=today, limit=MOVED_WEEKS)
        sharp = [c for c in moved.items if c.change in (Change.UP_SHARPLY, Change.DOWN_SHARPLY)]
    return render(request, "planning/plan.html", title=N_("Demand plan"), version=version, changes=changes,
                  sharp=sharp, only_changed=changed == "1", shown=SHOWN_WEEKS, labels=Change.labels(),
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
    try:
        publication = service.publish_plan_file(
            session, body, stream=file.file, actor=actor,
            xlsx_limits=XlsxLimits.from_settings(request.app.state.settings))
    except InvalidImportFile as error:
        session.rollback()
        return _upload_page(request, form, rejected=error, status_code=422)
    except DomainError as error:
        session.rollback()
        add_domain_error(form, error)
        return _upload_page(request, form, status_code=422)
    if not publish:
        return _upload_page(request, form, checked=publication.read())
    session.commit()
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
