"""The shell's own page: the role's home dashboard."""
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import Response

from openvmi.access import Role
from openvmi.web.deps import DbSession
from openvmi.web.i18n import N_
from openvmi.web.portal import DashboardPanel, NavEntry, PortalFeature, portal_router
from openvmi.web.rendering import WORKSPACES, render
from openvmi.web.viewer import PortalActor

router = portal_router()


def _placeholder(key: str, title: str, roles: set[Role], empty: str, hint: str, order: int) -> DashboardPanel:
    return DashboardPanel(key=key, title=title, template="panel_placeholder.html", roles=frozenset(roles),
                          load=lambda _session, _actor: {"empty": empty, "hint": hint}, order=order)


# What each role must see first. A feature replaces a placeholder by contributing a
# DashboardPanel with the same key (docs/portal.md).
PLACEHOLDER_PANELS = (
    _placeholder("alerts", N_("Open alerts"), {Role.BUYER, Role.SUPPLIER, Role.ADMIN},
                 N_("No open alerts."),
                 N_("Alerts appear here when stock falls below its threshold or a supplier's data goes stale."), 10),
    _placeholder("call_offs", N_("Call-offs to confirm"), {Role.SUPPLIER, Role.BUYER},
                 N_("No call-offs waiting for confirmation."),
                 N_("Call-offs issued from the demand plan appear here until the supplier confirms them."), 20),
    _placeholder("receipts", N_("Receipts to post"), {Role.WAREHOUSE},
                 N_("No shipments waiting to be received."),
                 N_("Shipments (ASNs) the suppliers confirm appear here until they are received."), 20),
    _placeholder("statements", N_("Statements to confirm"), {Role.FINANCE, Role.SUPPLIER},
                 N_("No settlement statements waiting."),
                 N_("Statements appear here once issued, until they are confirmed and closed."), 30),
)


@router.get("/")
def home(request: Request, session: DbSession, actor: PortalActor) -> Response:
    """The role's workspace: what needs attention first, then where to go."""
    by_key = {panel.key: panel for panel in PLACEHOLDER_PANELS}
    by_key.update({panel.key: panel for panel in request.app.state.portal.panels})
    visible = sorted((p for p in by_key.values() if actor.role in p.roles), key=lambda p: (p.order, p.key))
    panels = [(panel, panel.load(session, actor) if panel.load else {}) for panel in visible]
    shortcuts = sorted((e for e in request.app.state.portal.nav if e.href != "/" and e.visible_to(actor)),
                       key=lambda e: (e.order, e.href))
    today = datetime.now(ZoneInfo(request.app.state.settings.timezone)).date()
    return render(request, "home.html", title=WORKSPACES[actor.role], panels=panels, shortcuts=shortcuts,
                  today=today)


feature = PortalFeature(router=router, nav=[NavEntry(N_("Home"), "/", order=0)])
