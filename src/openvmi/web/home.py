"""The shell's own page: the role's home dashboard."""
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import Response

from openvmi.web.deps import DbSession
from openvmi.web.i18n import N_
from openvmi.web.portal import NavEntry, PortalFeature, portal_router
from openvmi.web.rendering import WORKSPACES, render
from openvmi.web.viewer import PortalActor

router = portal_router()


@router.get("/")
def home(request: Request, session: DbSession, actor: PortalActor) -> Response:
    """The role's workspace: what needs attention first, then where to go."""
    # Only what features contribute: no boxes for work that is not built yet or not the role's.
    visible = sorted((p for p in request.app.state.portal.panels if actor.role in p.roles),
                     key=lambda p: (p.order, p.key))
    panels = [(panel, panel.load(session, actor) if panel.load else {}) for panel in visible]
    shortcuts = sorted((e for e in request.app.state.portal.nav if e.href != "/" and e.visible_to(actor)),
                       key=lambda e: (e.order, e.href))
    today = datetime.now(ZoneInfo(request.app.state.settings.timezone)).date()
    return render(request, "home.html", title=WORKSPACES[actor.role], panels=panels, shortcuts=shortcuts,
                  today=today)


feature = PortalFeature(router=router, nav=[NavEntry(N_("Home"), "/", order=0)])
