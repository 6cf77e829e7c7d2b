"""Entrypoints for VMI outside the web: the alert sweep of every active agreement and inbound document.
Commits once."""
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from openvmi.alerts.schemas import SyncResult
from openvmi.db import utcnow
from openvmi.vmi.adjustments.service import sync_adjustment_alerts
from openvmi.vmi.inbound_alerts.service import sync_inbound_alerts
from openvmi.vmi.replenishment import queries, service


def sweep_vmi_alerts(sessions: sessionmaker[Session], *, now: datetime | None = None) -> SyncResult:
    """Re-project every active agreement (stock, call-offs and the plan change without telling anyone),
    look at the call-offs, shipments, receipts and adjustments waiting on someone, and open or resolve their alerts in
    one transaction."""
    now = now or utcnow()
    with sessions() as session:
        levels = service.sync_vmi_alerts(session, queries.Wanted(), today=now.date())
        documents = sync_inbound_alerts(session, now=now)
        waiting = sync_adjustment_alerts(session, now=now)
        session.commit()
        results = (levels, documents, waiting)
        return SyncResult(opened=sum(r.opened for r in results), resolved=sum(r.resolved for r in results),
                          unchanged=sum(r.unchanged for r in results))
