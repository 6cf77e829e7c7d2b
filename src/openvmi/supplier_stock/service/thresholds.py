"""Low- and high-water marks of a supplier's items, and the hand-over of their state to the alerts
feature after every change of stock or thresholds. Caller commits."""
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from openvmi.alerts import service as alerts_service
from openvmi.catalog.models import Item, SupplierItem
from openvmi.db import quantize, utcnow
from openvmi.errors import FieldError, InvalidInput, NotFound, Reason
from openvmi.parties.models import Party
from openvmi.supplier_stock import queries
from openvmi.supplier_stock.models import StockThreshold
from openvmi.supplier_stock.schemas import ThresholdSet


def set_threshold(session: Session, request: ThresholdSet, *, actor_id: int | None,
                  now: datetime | None = None) -> StockThreshold:
    """Set the low-water (and optional high-water) mark of a supplier item. Caller commits."""
    supplier = session.scalars(select(Party).where(Party.code == request.supplier_code,
                                                   Party.kind == "supplier")).first()
    item = session.scalars(select(Item).where(Item.code == request.item_code)).first()
    errors = []
    if supplier is None:
        errors.append(FieldError("supplier_code", f"no such supplier: {request.supplier_code}"))
    if item is None:
        errors.append(FieldError("item_code", f"no such item: {request.item_code}"))
    elif supplier is not None and not session.scalar(select(exists().where(
            SupplierItem.supplier_id == supplier.id, SupplierItem.item_id == item.id))):
        # it could never fire: only the supplier's own items are published
        errors.append(FieldError("item_code", Reason("%(supplier)s does not supply %(item)s",
                                                     supplier=supplier.code, item=item.code)))
    if errors:
        raise InvalidInput(errors)
    assert supplier is not None and item is not None
    row = session.scalars(select(StockThreshold).where(StockThreshold.supplier_id == supplier.id,
                                                       StockThreshold.item_id == item.id)).first()
    if row is None:
        row = StockThreshold(supplier_id=supplier.id, item_id=item.id)
        session.add(row)
    row.low_water, row.high_water = quantize(request.low_water), (
        quantize(request.high_water) if request.high_water is not None else None)
    row.updated_by_id, row.updated_at = actor_id, now or utcnow()
    session.flush()
    sync_threshold_alerts(session, supplier.id, [item.id])
    return row


def delete_threshold(session: Session, threshold_id: int) -> None:
    """Remove a supplier item's own threshold (the item's default applies again). Caller commits."""
    row = session.scalars(select(StockThreshold).where(StockThreshold.id == threshold_id)).first()
    if row is None:
        raise NotFound(f"no such threshold: {threshold_id}")
    supplier_id, item_id = row.supplier_id, row.item_id
    session.delete(row)
    session.flush()
    sync_threshold_alerts(session, supplier_id, [item_id], include_unwatched=True)


def sync_item_alerts(session: Session, item_id: int) -> None:
    """The item's default low-water mark changed: open or resolve the alerts of every supplier that
    publishes stock of it, at once (the default may also have been removed). Caller commits."""
    signals = []
    for supplier_id in queries.suppliers_publishing(session, item_id):
        signals += queries.threshold_signals(session, supplier_id, [item_id], include_unwatched=True)
    if signals:
        alerts_service.sync_alerts(session, signals)


def sync_threshold_alerts(session: Session, supplier_id: int, item_ids: Any, *,
                          include_unwatched: bool = False) -> None:
    """Hand the current threshold state of these items to the alerts feature (edge-triggered there)."""
    if not include_unwatched and not queries.anything_watched(session, supplier_id):
        return  # no threshold anywhere: nothing can open, nothing is open
    signals = queries.threshold_signals(session, supplier_id, item_ids, include_unwatched=include_unwatched)
    if signals:
        alerts_service.sync_alerts(session, signals)
