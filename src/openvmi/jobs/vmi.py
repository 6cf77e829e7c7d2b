"""Entrypoints for VMI outside the web: the alert sweep of every active agreement. Commits once."""
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from openvmi.alerts.schemas import SyncResult
from openvmi.db import utcnow
from openvmi.vmi.replenishment import queries, service


def sweep_vmi_alerts(sessions: sessionmaker[Session], *, now: datetime | None = None) -> SyncResult:
    """Re-project every active agreement (stock, call-offs and the plan change without telling anyone)
    and open or resolve its VMI alerts in one transaction."""
    now = now or utcnow()
    with sessions() as session:
        result = service.sync_vmi_alerts(session, queries.Wanted(), today=now.date())
        session.commit()
        return result
