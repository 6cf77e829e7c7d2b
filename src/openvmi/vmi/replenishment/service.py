"""Replenishment's one use case that writes: VMI alerts (below min, above max, run-out within the lead
time) opened and resolved from the current projection."""
from datetime import date

from sqlalchemy.orm import Session

from openvmi.alerts import service as alerts_service
from openvmi.alerts.schemas import SyncResult
from openvmi.vmi.replenishment import queries


def sync_vmi_alerts(session: Session, wanted: queries.Wanted, *, today: date) -> SyncResult:
    """Open and resolve the VMI alerts of the active agreements wanted (all of them by default). A use case
    that moves VMI stock or promises it (receipt, consumption, call-off) calls this for the agreements it
    touched. Caller commits."""
    return alerts_service.sync_alerts(session, queries.alert_signals(session, wanted, today=today))
