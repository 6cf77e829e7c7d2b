"""Keep the inbound alerts (call-off not answered in time, shipment overdue, receipt with differences)
true to the documents."""
from collections.abc import Collection
from datetime import datetime

from sqlalchemy.orm import Session

from openvmi.alerts import service as alerts_service
from openvmi.alerts.schemas import SyncResult
from openvmi.vmi.inbound_alerts import queries


def sync_inbound_alerts(session: Session, *, now: datetime, supplier_ids: Collection[int] | None = None) -> SyncResult:
    """Open and resolve the inbound alerts of every supplier with a VMI agreement (of those named: the
    call-off, shipment and receipt use cases name the supplier of the document they changed, so its alert
    opens or resolves in their transaction). Caller commits."""
    return alerts_service.sync_alerts(session, queries.inbound_signals(session, now=now, supplier_ids=supplier_ids),
                                      now=now)
