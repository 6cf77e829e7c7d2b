"""Entrypoints for supplier stock outside the web: a file import and the alert sweep. Each
commits once, at the end of its use case."""
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openvmi.alerts import service as alerts_service
from openvmi.alerts.schemas import SyncResult
from openvmi.db import commit_refusal, utcnow
from openvmi.errors import InvalidImportFile
from openvmi.supplier_stock import queries
from openvmi.supplier_stock.models import SupplierStock
from openvmi.tabular.xlsx_archive import XlsxLimits
from openvmi.supplier_stock.schemas import ImportRequest
from openvmi.supplier_stock.service import imports


def import_file(sessions: sessionmaker[Session], path: Path, request: ImportRequest, *,
                idempotency_key: str | None = None, progress: Callable[[int, int], None] | None = None,
                xlsx_limits: XlsxLimits | None = None) -> imports.ImportOutcome:
    """Import one stock file as an operator (no supplier boundary). A rejected file is recorded
    with its errors and re-raised; nothing else is written."""
    with sessions() as session, path.open("rb") as stream:
        with commit_refusal(session, InvalidImportFile):
            outcome = imports.import_supplier_stock(session, request, stream=stream, actor_id=None,
                                                    idempotency_key=idempotency_key, progress=progress,
                                                    xlsx_limits=xlsx_limits)
        session.commit()
        return outcome


def sweep_alerts(sessions: sessionmaker[Session], *, now: datetime | None = None) -> SyncResult:
    """Re-check every supplier's freshness and every watched item's thresholds (catching, e.g.,
    a changed item default), then open and resolve alerts in one transaction."""
    now = now or utcnow()
    with sessions() as session:
        signals = queries.stale_data_signals(session, now=now)
        supplier_ids = session.scalars(select(SupplierStock.supplier_id).distinct()).all()
        for supplier_id in supplier_ids:
            item_ids = select(SupplierStock.item_id).where(SupplierStock.supplier_id == supplier_id).distinct()
            signals += queries.threshold_signals(session, supplier_id, item_ids)
        result = alerts_service.sync_alerts(session, signals, now=now)
        session.commit()
        return result
