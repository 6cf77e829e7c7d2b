"""Read models of receipts: one by id, and the one an Idempotency-Key already made."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from openvmi.db import get_by_id
from openvmi.vmi.receipts.models import Receipt, ReceiptLine
from openvmi.vmi.receipts.schemas import ReceiptLineRead, ReceiptRead
from openvmi.vmi.shipments.models import Shipment, ShipmentLine


def get_receipt(session: Session, receipt_id: int) -> Receipt:
    """The receipt; NotFound when there is none or it is of another supplier's shipment."""
    return get_by_id(session, Receipt, receipt_id, label="receipt")


def find_keyed_receipt(session: Session, caller_key: str, idempotency_key: str) -> Receipt | None:
    return session.scalars(select(Receipt).where(Receipt.caller_key == caller_key,
                                                 Receipt.idempotency_key == idempotency_key)).first()


def describe_receipt(session: Session, receipt_id: int, *, replayed: bool = False) -> ReceiptRead:
    row = get_receipt(session, receipt_id)
    number = session.scalar(select(Shipment.number).where(Shipment.id == row.shipment_id))
    lines = session.execute(select(ReceiptLine, ShipmentLine.item_id, ShipmentLine.quantity)
                            .join(ShipmentLine, ShipmentLine.id == ReceiptLine.shipment_line_id)
                            .where(ReceiptLine.receipt_id == row.id).order_by(ReceiptLine.id))
    return ReceiptRead(
        id=row.id, shipment_id=row.shipment_id, shipment_number=number or "", supplier_id=row.supplier_id,
        quarantine_location_id=row.quarantine_location_id, received_at=row.received_at,
        received_by_id=row.received_by_id, replayed=replayed,
        lines=[ReceiptLineRead(shipment_line_id=line.shipment_line_id, item_id=item_id, shipped=shipped,
                               accepted=line.accepted, short=line.short, over=line.over, damaged=line.damaged,
                               short_reason=line.short_reason, over_reason=line.over_reason,
                               damaged_reason=line.damaged_reason)
               for line, item_id, shipped in lines])
