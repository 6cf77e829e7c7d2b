"""Keep the inbound alerts (call-off not answered in time, shipment overdue, receipt with differences)
true to the documents."""
from datetime import datetime

from sqlalchemy.orm import Session

from openvmi.alerts import service as alerts_service
from openvmi.alerts.schemas import SyncResult
from openvmi.vmi.inbound_alerts import queries


def sync_inbound_alerts(session: Session, *, now: datetime) -> SyncResult:
    """Open and resolve the inbound alerts of every supplier with a VMI agreement. Caller commits."""
    return alerts_service.sync_alerts(session, queries.inbound_signals(session, now=now), now=now)
