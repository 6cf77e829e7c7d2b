"""Portal pages for replenishment: the board of active agreements and one agreement's chart and days."""
from fastapi import Request
from fastapi.responses import Response

from openvmi.db import utcnow
from openvmi.fields import Id
from openvmi.vmi.replenishment import chart, queries, rules
from openvmi.web.deps import DbSession
from openvmi.web.i18n import N_
from openvmi.web.portal import NavEntry, PortalFeature, portal_router
from openvmi.web.rendering import render
from openvmi.web.viewer import PortalActor

router = portal_router()
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


@router.get("/vmi/replenishment/{agreement_id}")
def replenishment_detail(request: Request, agreement_id: Id, session: DbSession, actor: PortalActor,
                         horizon: int | None = None) -> Response:
    projection = queries.project_agreement(session, agreement_id, today=utcnow().date(),
                                           horizon_days=_horizon(horizon))
    return render(request, "vmi/replenishment.html", title=N_("Replenishment of VMI agreement #%(id)s"),
                  title_params={"id": agreement_id}, r=projection, chart=chart.draw(projection), horizons=HORIZONS)


feature = PortalFeature(router=router, nav=[
    NavEntry(N_("Replenishment"), "/vmi/replenishment", roles=frozenset({"admin", "buyer", "warehouse", "supplier"}),
             order=61),
])
