"""Signals of the inbound documents, one per supplier and kind (active or not), each from one statement:
call-offs sent and not answered within their agreement's answer time, shipments past their expected
arrival and not received, received shipments with differences not yet closed."""
from collections import defaultdict
from collections.abc import Collection
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openvmi.alerts.rules import AlertKind
from openvmi.alerts.schemas import AlertSignal
from openvmi.parties.models import Party
from openvmi.supplier_stock.rules import plain_quantity as plain
from openvmi.vmi.agreements.models import VmiAgreement
from openvmi.vmi.call_offs.models import CallOff, CallOffLine
from openvmi.vmi.call_offs.rules import CallOffState
from openvmi.vmi.receipts.models import Receipt, ReceiptLine
from openvmi.vmi.shipments.models import Shipment
from openvmi.vmi.shipments.rules import ShipmentState


# A resolution's figures: none is waiting any more (figures at all, so the stored sentence is reworded).
NONE_LEFT = {"count": "0"}


def inbound_signals(session: Session, *, now: datetime,
                    supplier_ids: Collection[int] | None = None) -> list[AlertSignal]:
    """Every supplier with a VMI agreement (of those named; all by default) gets one signal of each kind,
    so an alert resolves once its documents are answered, received or closed."""
    with_agreements = select(VmiAgreement.supplier_id).distinct()
    if supplier_ids is not None:
        with_agreements = with_agreements.where(VmiAgreement.supplier_id.in_(sorted(supplier_ids)))
    suppliers = dict(session.execute(select(Party.id, Party.code).where(Party.id.in_(with_agreements))).all())
    found = {AlertKind.VMI_CALL_OFF_UNANSWERED: _unanswered(session, now),
             AlertKind.VMI_SHIPMENT_OVERDUE: _overdue(session, now),
             AlertKind.VMI_RECEIPT_DIFFERENCES: _differences(session)}
    return [AlertSignal(kind=kind, supplier_id=supplier_id, item_id=None, location_id=None,
                        active=supplier_id in by_supplier, numbers=by_supplier.get(supplier_id, NONE_LEFT),
                        subject={"supplier": code})
            for kind, by_supplier in found.items() for supplier_id, code in suppliers.items()]


def _unanswered(session: Session, now: datetime) -> dict[int, dict[str, Any]]:
    """Call-offs sent longer ago than the shortest answer time among their lines' agreements."""
    rows = session.execute(
        select(CallOff.id, CallOff.supplier_id, CallOff.changed_at, func.min(VmiAgreement.call_off_answer_hours))
        .join(CallOffLine, CallOffLine.call_off_id == CallOff.id)
        .join(VmiAgreement, VmiAgreement.id == CallOffLine.agreement_id)
        .where(CallOff.state == CallOffState.SENT)
        .group_by(CallOff.id, CallOff.supplier_id, CallOff.changed_at)
        .order_by(CallOff.changed_at, CallOff.id))
    late: dict[int, dict[str, Any]] = {}
    for call_off_id, supplier_id, sent_at, hours in rows:
        if sent_at + timedelta(hours=hours) >= now:  # UtcDateTime reads back aware
            continue
        if supplier_id in late:
            late[supplier_id]["count"] = str(int(late[supplier_id]["count"]) + 1)
        else:  # ordered oldest first: the first one is the oldest
            late[supplier_id] = {"count": "1", "oldest": f"#{call_off_id}", "hours": str(hours)}
    return late


def _overdue(session: Session, now: datetime) -> dict[int, dict[str, Any]]:
    rows = session.execute(
        select(Shipment.supplier_id, Shipment.number, Shipment.expected_arrival)
        .where(Shipment.state == ShipmentState.IN_TRANSIT, Shipment.expected_arrival < now.date())
        .order_by(Shipment.expected_arrival, Shipment.id))
    overdue: dict[int, dict[str, Any]] = {}
    for supplier_id, number, expected in rows:
        if supplier_id in overdue:
            overdue[supplier_id]["count"] = str(int(overdue[supplier_id]["count"]) + 1)
        else:
            overdue[supplier_id] = {"count": "1", "oldest": number, "expected": expected.isoformat()}
    return overdue


def _differences(session: Session) -> dict[int, dict[str, Any]]:
    """Shipments received with a short, over or damaged quantity that the buyer has not closed yet."""
    rows = session.execute(
        select(Receipt.supplier_id, Receipt.shipment_id, func.sum(ReceiptLine.short), func.sum(ReceiptLine.over),
               func.sum(ReceiptLine.damaged))
        .join(ReceiptLine, ReceiptLine.receipt_id == Receipt.id)
        .join(Shipment, Shipment.id == Receipt.shipment_id)
        .where(Shipment.state == ShipmentState.RECEIVED)
        .group_by(Receipt.supplier_id, Receipt.shipment_id))
    totals: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for supplier_id, _, short, over, damaged in rows:
        parts = [Decimal(str(value or 0)) for value in (short, over, damaged)]
        if any(parts):
            total = totals[supplier_id]
            total["count"] += 1
            for name, value in zip(("short", "over", "damaged"), parts, strict=True):
                total[name] += value
    return {supplier_id: {name: plain(value) for name, value in total.items()} for supplier_id, total in totals.items()}
