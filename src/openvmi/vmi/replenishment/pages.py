"""Portal pages for replenishment: the board of active agreements and one agreement's chart and days."""
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from openvmi.access import Actor
from openvmi.db import utcnow
from openvmi.errors import DomainError
from openvmi.fields import Id
from openvmi.vmi.replenishment import chart, queries, rules, service
from openvmi.vmi.replenishment.schemas import SuggestionsCallOff
from openvmi.web.deps import DbSession
from openvmi.web.forms import FormState, split_message
from openvmi.web.i18n import N_
from openvmi.web.portal import NavEntry, PortalFeature, portal_router
from openvmi.web.rendering import flash, redirect, render
from openvmi.web.viewer import PortalActor, page_requires

router = portal_router()
CallOffWriter = Annotated[Actor, Depends(page_requires("vmi_call_offs.write"))]
HORIZONS = (14, 28, 56, 91)  # the board's choices, in days


def _horizon(value: int | None) -> int:
    return value if value in HORIZONS else rules.DEFAULT_HORIZON_DAYS


@router.get("/vmi/replenishment")
def replenishment_board(request: Request, session: DbSession, actor: PortalActor, horizon: int | None = None,
                        cursor: str | None = None) -> Response:
    page = queries.project_agreements(session, queries.Wanted(), today=utcnow().date(),
                                      horizon_days=_horizon(horizon), cursor=cursor, limit=100)
    # Those that need action first: running out, then below min, soonest first.
    rows = sorted(page.items, key=lambda r: (r.run_out is None, r.run_out or r.first_below_min or page.today,
                                             r.first_below_min is None, r.agreement_id))
    return render(request, "vmi/replenishment_board.html", title=N_("Replenishment"), page=page, rows=rows,
                  horizons=HORIZONS)


def _detail(request: Request, session: DbSession, actor: Actor, agreement_id: int, horizon: int | None, *,
            refusal: FormState | None = None, status_code: int = 200) -> Response:
    projection = queries.project_agreement(session, agreement_id, today=utcnow().date(),
                                           horizon_days=_horizon(horizon))
    return render(request, "vmi/replenishment.html", title=N_("Replenishment of VMI agreement #%(id)s"),
                  title_params={"id": agreement_id}, r=projection, chart=chart.draw(projection), horizons=HORIZONS,
                  can_call_off=actor.can("vmi_call_offs.write"), refusal=refusal, status_code=status_code)


@router.get("/vmi/replenishment/{agreement_id}")
def replenishment_detail(request: Request, agreement_id: Id, session: DbSession, actor: PortalActor,
                         horizon: int | None = None) -> Response:
    return _detail(request, session, actor, agreement_id, horizon)


@router.post("/vmi/replenishment/{agreement_id}/call-off")
async def call_off_suggestions(request: Request, agreement_id: Id, session: DbSession, actor: CallOffWriter,
                               horizon: int | None = None) -> Response:
    """The board's one action: the suggestions shown become a draft call-off to the supplier."""
    try:
        rows = service.call_off_suggestions(session, SuggestionsCallOff(
            agreement_ids=[agreement_id], horizon_days=_horizon(horizon)), actor=actor, today=utcnow().date())
        session.commit()
    except DomainError as error:
        session.rollback()
        refusal = FormState()
        refusal.general.append(split_message(error.message))
        return _detail(request, session, actor, agreement_id, horizon, refusal=refusal, status_code=409)
    return flash(redirect(f"/vmi/call-offs/{rows[0].id}"), request,
                 N_("Call-off #%(id)s drafted from the suggestions; send it to the supplier from here."), id=rows[0].id)


feature = PortalFeature(router=router, nav=[
    # Everyone who reads agreements: a supplier plans its shipments from it, finance sees what is coming.
    NavEntry(N_("Replenishment"), "/vmi/replenishment", permission="vmi_agreements.read", order=61),
])
