"""The alert sweep: every feature that watches stock re-checks it, each in its own transaction."""
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from openvmi.alerts.schemas import SyncResult
from openvmi.db import utcnow
from openvmi.jobs.supplier_stock import sweep_alerts as sweep_supplier_stock_alerts
from openvmi.jobs.vmi import sweep_vmi_alerts


def sweep_every_alert(sessions: sessionmaker[Session], *, now: datetime | None = None) -> SyncResult:
    """Supplier stock (stale data, thresholds), then VMI (min, max, run-out); the counts added up."""
    now = now or utcnow()
    results = [sweep_supplier_stock_alerts(sessions, now=now), sweep_vmi_alerts(sessions, now=now)]
    return SyncResult(opened=sum(r.opened for r in results), resolved=sum(r.resolved for r in results),
                      unchanged=sum(r.unchanged for r in results))
