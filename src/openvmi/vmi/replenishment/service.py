"""Replenishment's use cases: call off the suggested shipments, and keep the VMI alerts (below min, above
max, run-out within the lead time) true to the current projection."""
from collections.abc import Collection
from datetime import date

from sqlalchemy.orm import Session

from openvmi.alerts import service as alerts_service
from openvmi.access import Actor
from openvmi.alerts.schemas import SyncResult
from openvmi.db import utcnow
from openvmi.errors import FieldError, InvalidInput, Reason
from openvmi.enums import N_
from openvmi.vmi.call_offs import service as call_offs_service
from openvmi.vmi.call_offs.models import CallOff
from openvmi.vmi.replenishment import queries
from openvmi.vmi.replenishment.schemas import SuggestionsCallOff


def sync_vmi_alerts(session: Session, wanted: queries.Wanted, *, today: date) -> SyncResult:
    """Open and resolve the VMI alerts of the active agreements wanted (all of them by default). A use case
    that moves VMI stock or promises it (receipt, consumption, call-off) calls this for the agreements it
    touched. Caller commits."""
    return alerts_service.sync_alerts(session, queries.alert_signals(session, wanted, today=today))


def sync_item_alerts(session: Session, item_ids: Collection[int]) -> None:
    """The ledger moved stock of these items: re-check the level alerts of their agreements (the
    reaction app.py wires into the stock-moves route). Caller commits."""
    if item_ids:
        sync_vmi_alerts(session, queries.Wanted(item_ids=tuple(sorted(item_ids))), today=utcnow().date())


def call_off_suggestions(session: Session, request: SuggestionsCallOff, *, actor: Actor, today: date) -> list[CallOff]:
    """Draft (or send) one call-off per supplier with the suggested shipments of the agreements named,
    as projected now; an agreement that is not active, or not the caller's to see, refuses them all.
    Caller commits."""
    wanted = queries.Wanted(agreement_ids=tuple(sorted(set(request.agreement_ids))))
    page = queries.project_agreements(session, wanted, today=today, horizon_days=request.horizon_days,
                                      limit=len(wanted.agreement_ids or ()))
    missing = sorted(set(request.agreement_ids) - {r.agreement_id for r in page.items})
    if missing:
        raise InvalidInput([FieldError("agreement_ids", Reason(N_("no active VMI agreement %(ids)s"),
                                                               ids=", ".join(f"#{i}" for i in missing)))])
    suggestions = [call_offs_service.Suggestion(agreement_id=r.agreement_id, due_date=s.due, quantity=s.quantity)
                   for r in page.items for s in r.suggestions]
    if not suggestions:
        raise InvalidInput([FieldError("agreement_ids", Reason(N_("nothing to call off: no shipment is suggested "
                                                                  "within the horizon")))])
    return call_offs_service.create_call_offs_from_suggestions(session, suggestions, actor=actor, send=request.send)
