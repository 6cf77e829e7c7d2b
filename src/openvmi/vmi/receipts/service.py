"""Use case of receipts: take a shipment in, every difference with its reason, stock into VMI or quarantine. Caller commits."""
import hashlib
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from openvmi.access import Actor
from openvmi.db import quantize, utcnow
from openvmi.errors import Conflict, FieldError, IdempotencyMismatch, InvalidInput, NotFound, Reason
from openvmi.ledger import service as ledger
from openvmi.ledger.rules import DocumentKind, MoveKind
from openvmi.ledger.schemas import DocumentRef, MoveCreate, PostingCreate
from openvmi.locations.models import Location
from openvmi.locations.rules import LocationKind
from openvmi.vmi.agreements.models import VmiAgreement
from openvmi.vmi.call_offs.models import CallOffLine
from openvmi.vmi.receipts import queries, rules
from openvmi.vmi.receipts.models import Receipt, ReceiptLine
from openvmi.vmi.receipts.schemas import ReceiptCreate, ReceiptLineCreate
from openvmi.vmi.shipments import locks
from openvmi.vmi.shipments import queries as shipment_queries
from openvmi.vmi.shipments import service as shipments_service
from openvmi.vmi.shipments.models import Shipment, ShipmentLine
from openvmi.vmi.shipments.rules import RECEIVABLE_STATES, ShipmentState, normalised_number


class UnknownShipment(NotFound):
    code = "unknown_shipment"


class ShipmentAlreadyReceived(Conflict):
    code = "shipment_already_received"


class ShipmentNotReceivable(Conflict):
    code = "shipment_not_receivable"


class BadCount(InvalidInput):
    code = "receipt_count_invalid"


def receive_shipment(session: Session, request: ReceiptCreate, *, actor: Actor,
                     idempotency_key: str | None = None) -> tuple[Receipt, bool]:
    """Receive the shipment with this number: accepted stock from transit into the agreement's VMI
    location, damaged into quarantine, both still the supplier's; what is short stays in transit
    until the buyer closes the shipment. Returns (receipt, replayed): with an Idempotency-Key a
    retry gets the first receipt and changes nothing. Caller commits."""
    request_hash = hashlib.sha256(request.model_dump_json().encode()).hexdigest()
    replay = _replay(session, actor, idempotency_key, request_hash)
    if replay is not None:
        return replay, True
    shipment = locks.lock_shipment(session, number=normalised_number(request.shipment_number))
    if shipment is None:
        raise UnknownShipment(Reason("no shipment has the number %(number)s", number=request.shipment_number))
    replay = _replay(session, actor, idempotency_key, request_hash)  # the same retry may have won the lock first
    if replay is not None:
        return replay, True
    _refuse_unreceivable(shipment)
    shipment_lines = list(session.scalars(select(ShipmentLine).where(ShipmentLine.shipment_id == shipment.id)
                                          .order_by(ShipmentLine.id)))
    counted = _counted(shipment_lines, request.lines)
    stores = dict(session.execute(
        select(ShipmentLine.id, VmiAgreement.location_id)
        .join(CallOffLine, CallOffLine.id == ShipmentLine.call_off_line_id)
        .join(VmiAgreement, VmiAgreement.id == CallOffLine.agreement_id)
        .where(ShipmentLine.shipment_id == shipment.id)).all())
    quarantine = None
    if any(line.damaged > 0 for line in request.lines):
        quarantine = _quarantine(session, request.quarantine_location_id, store_id=next(iter(stores.values())))
    row = Receipt(shipment_id=shipment.id, supplier_id=shipment.supplier_id,
                  quarantine_location_id=quarantine.id if quarantine else None, received_at=utcnow(),
                  received_by_id=actor.user_id, caller_key=actor.caller_key, idempotency_key=idempotency_key,
                  request_hash=request_hash)
    session.add(row)
    session.flush()
    moves = []
    for shipment_line, line in counted:
        part = rules.split(_count(shipment_line, line))
        for quantity, source, target in (
                (part.accepted_from_transit, shipment.in_transit_location_id, stores[shipment_line.id]),
                (part.damaged_from_transit, shipment.in_transit_location_id, quarantine.id if quarantine else None),
                (part.accepted_from_origin, shipment.origin_location_id, stores[shipment_line.id]),
                (part.damaged_from_origin, shipment.origin_location_id, quarantine.id if quarantine else None)):
            if quantity > 0 and target is not None:
                moves.append(MoveCreate(item_id=shipment_line.item_id, quantity=quantity, from_location_id=source,
                                        from_owner_id=shipment.supplier_id, to_location_id=target,
                                        to_owner_id=shipment.supplier_id, kind=MoveKind.RECEIPT,
                                        reference=shipment.number))
        session.add(ReceiptLine(receipt_id=row.id, shipment_line_id=shipment_line.id, supplier_id=shipment.supplier_id,
                                accepted=quantize(line.accepted), short=quantize(line.short), over=quantize(line.over),
                                damaged=quantize(line.damaged), short_reason=line.short_reason,
                                over_reason=line.over_reason, damaged_reason=line.damaged_reason))
    if moves:
        ledger.post_moves(session, PostingCreate(moves=moves), actor=actor,
                          document=DocumentRef(kind=DocumentKind.RECEIPT, id=row.id))
    # Nothing short: nothing left in transit for the buyer to settle, so the shipment is done.
    short = any(line.short > 0 for _, line in counted)
    shipment.state = ShipmentState.RECEIVED if short else ShipmentState.CLOSED
    if not short:
        shipment.closed_at = row.received_at
    session.flush()
    shipments_service.sync_shipment_alerts(session, shipment)
    return row, False


def _replay(session: Session, actor: Actor, idempotency_key: str | None, request_hash: str) -> Receipt | None:
    if idempotency_key is None:
        return None
    found = queries.find_keyed_receipt(session, actor.caller_key, idempotency_key)
    if found is not None and found.request_hash != request_hash:
        raise IdempotencyMismatch("this Idempotency-Key was used for another receipt")
    return found


def _refuse_unreceivable(shipment: Shipment) -> None:
    if shipment.state in RECEIVABLE_STATES:
        return
    if shipment.state in (ShipmentState.RECEIVED, ShipmentState.CLOSED):
        raise ShipmentAlreadyReceived(Reason("shipment %(number)s has already been received", number=shipment.number))
    raise ShipmentNotReceivable(Reason("shipment %(number)s is %(state)s: it cannot be received",
                                       number=shipment.number, state=shipment.state))


def _counted(shipment_lines: Sequence[ShipmentLine],
             lines: Sequence[ReceiptLineCreate]) -> list[tuple[ShipmentLine, ReceiptLineCreate]]:
    """Each shipment line with its count, or BadCount naming every line that is missing, extra or does not add up."""
    by_id = {line.id: line for line in shipment_lines}
    errors, seen, pairs = [], set(), []
    for index, line in enumerate(lines):
        shipment_line = by_id.get(line.shipment_line_id)
        if shipment_line is None or line.shipment_line_id in seen:
            errors.append(FieldError(f"lines[{index}].shipment_line_id", Reason(
                "line %(id)s is not a line of this shipment, or is counted twice", id=line.shipment_line_id)))
            continue
        seen.add(line.shipment_line_id)
        pairs.append((shipment_line, line))
        errors += [FieldError(f"lines[{index}].{field}", message)
                   for field, message in rules.count_problems(_count(shipment_line, line))]
    for shipment_line in shipment_lines:
        if shipment_line.id not in seen:
            errors.append(FieldError("lines", Reason("shipment line %(id)s is not counted", id=shipment_line.id)))
    if errors:
        raise BadCount(errors)
    return pairs


def _count(shipment_line: ShipmentLine, line: ReceiptLineCreate) -> rules.Count:
    return rules.Count(shipped=shipment_line.quantity, accepted=line.accepted, short=line.short, over=line.over,
                       damaged=line.damaged, short_reason=line.short_reason, over_reason=line.over_reason,
                       damaged_reason=line.damaged_reason)


def _quarantine(session: Session, location_id: int | None, *, store_id: int) -> Location:
    if location_id is None:
        store = session.get(Location, store_id)
        return shipment_queries.default_place(session, LocationKind.QUARANTINE,
                                              plant_id=store.plant_id if store else None)
    found = session.scalars(select(Location).where(Location.id == location_id)).first()
    if found is None or found.kind != LocationKind.QUARANTINE or not found.active:
        raise InvalidInput([FieldError("quarantine_location_id", Reason(
            "location %(id)s is not an active quarantine location", id=location_id))])
    return found
