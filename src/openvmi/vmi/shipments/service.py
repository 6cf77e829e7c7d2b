"""Use cases of shipments: announce (ASN, stock into transit), cancel before receipt, close after it. Caller commits."""
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from openvmi.access import Actor
from openvmi.catalog.models import SupplierItem
from openvmi.db import quantize, utcnow
from openvmi.errors import Conflict, FieldError, InvalidInput, NotFound, Reason
from openvmi.ledger import service as ledger
from openvmi.ledger.rules import DocumentKind, MoveKind
from openvmi.ledger.schemas import DocumentRef, MoveCreate, PostingCreate
from openvmi.locations.models import Location
from openvmi.locations.rules import LocationKind
from openvmi.vmi.agreements.models import VmiAgreement
from openvmi.vmi.call_offs import queries as call_off_queries
from openvmi.vmi.call_offs import service as call_offs
from openvmi.vmi.call_offs.models import CallOff, CallOffLine
from openvmi.vmi.call_offs.rules import SHIPPABLE_STATES, CallOffState
from openvmi.vmi.inbound_alerts.service import sync_inbound_alerts
from openvmi.vmi.receipts.models import ReceiptLine
from openvmi.vmi.replenishment import service as replenishment
from openvmi.vmi.replenishment.queries import Wanted
from openvmi.vmi.shipments import locks, queries, rules
from openvmi.vmi.shipments.models import Shipment, ShipmentLine
from openvmi.vmi.shipments.rules import ShipmentState
from openvmi.vmi.shipments.schemas import ShipmentCreate

_FOLLOWS_SHIPPING = frozenset({CallOffState.ACCEPTED, CallOffState.PARTLY_SHIPPED, CallOffState.SHIPPED})


class CallOffLineNotFound(NotFound):
    code = "call_off_line_not_found"


class CallOffNotShippable(Conflict):
    code = "call_off_not_shippable"


class OverTolerance(InvalidInput):
    code = "over_tolerance"


class ShipmentStateRefused(Conflict):
    code = "shipment_state_refused"


class WrongPlace(InvalidInput):
    code = "wrong_place"


def confirm_shipment(session: Session, request: ShipmentCreate, *, actor: Actor) -> Shipment:
    """Announce a shipment against accepted call-off lines and move its stock from the supplier's
    origin into transit, still the supplier's. Caller commits."""
    wanted = [line.call_off_line_id for line in request.lines]
    lines = locks.lock_call_off_lines(session, wanted)  # first: concurrent shipments queue on these rows
    missing = [str(line_id) for line_id in wanted if line_id not in lines]
    if missing:  # none, or another supplier's: the same answer
        raise CallOffLineNotFound(Reason("no such call-off line: %(ids)s", ids=", ".join(missing)))
    call_off_rows = {row.id: row for row in session.scalars(
        select(CallOff).where(CallOff.id.in_({line.call_off_id for line in lines.values()})))}
    closed = sorted({line.call_off_id for line in lines.values()
                     if call_off_rows[line.call_off_id].state not in SHIPPABLE_STATES})
    if closed:
        raise CallOffNotShippable(Reason("call-off %(ids)s is not accepted or is already closed: nothing can be "
                                         "shipped against it", ids=", ".join(f"#{i}" for i in closed)))
    if len({row.supplier_id for row in call_off_rows.values()}) > 1:
        raise InvalidInput([FieldError("lines", Reason("a shipment comes from one supplier"))])
    terms = {agreement_id: (tolerance, item_id, location_id) for agreement_id, tolerance, item_id, location_id in
             session.execute(select(VmiAgreement.id, VmiAgreement.over_shipment_tolerance_percent,
                                    SupplierItem.item_id, VmiAgreement.location_id)
                             .join(SupplierItem, SupplierItem.id == VmiAgreement.supplier_item_id)
                             .where(VmiAgreement.id.in_({line.agreement_id for line in lines.values()})))}
    _refuse_over_tolerance(request, lines, terms)
    supplier_id = next(iter(call_off_rows.values())).supplier_id
    first_place = session.get(Location, terms[lines[wanted[0]].agreement_id][2])
    origin = _place(session, request.origin_location_id, LocationKind.VIRTUAL, "origin_location_id", plant_id=None)
    transit = _place(session, request.in_transit_location_id, LocationKind.IN_TRANSIT, "in_transit_location_id",
                     plant_id=first_place.plant_id if first_place else None)
    row = Shipment(number=rules.new_number(utcnow().date()), supplier_id=supplier_id, state=ShipmentState.IN_TRANSIT,
                   carrier=request.carrier, tracking_number=request.tracking_number,
                   expected_arrival=request.expected_arrival, origin_location_id=origin.id,
                   in_transit_location_id=transit.id, created_by_id=actor.user_id)
    session.add(row)
    session.flush()
    items = [terms[lines[line.call_off_line_id].agreement_id][1] for line in request.lines]
    posted = ledger.post_moves(session, PostingCreate(moves=[
        MoveCreate(item_id=item_id, quantity=line.quantity, from_location_id=origin.id, from_owner_id=supplier_id,
                   to_location_id=transit.id, to_owner_id=supplier_id, kind=MoveKind.SHIPMENT, reference=row.number)
        for line, item_id in zip(request.lines, items, strict=True)]), actor=actor,
        document=DocumentRef(kind=DocumentKind.SHIPMENT, id=row.id))
    for line, item_id, move in zip(request.lines, items, posted.moves, strict=True):
        session.add(ShipmentLine(shipment_id=row.id, supplier_id=supplier_id, call_off_line_id=line.call_off_line_id,
                                 item_id=item_id, quantity=quantize(line.quantity), lot_number=line.lot_number,
                                 move_id=move.id))
        lines[line.call_off_line_id].shipped_quantity += quantize(line.quantity)
    session.flush()
    _follow(session, set(call_off_rows), actor=actor)
    sync_shipment_alerts(session, row)
    return row


def cancel_shipment(session: Session, shipment_id: int, *, actor: Actor) -> Shipment:
    """Take back a shipment that has not arrived: its stock returns to the supplier's origin (each
    move reversed) and its call-off lines expect the quantity again. Caller commits."""
    row = _locked(session, shipment_id)
    _require(row, rules.CANCELLABLE_STATES, Reason("shipment %(number)s is %(state)s: only a shipment in transit "
                                                   "can be cancelled", number=row.number, state=row.state))
    shipment_lines = _lines(session, row.id)
    ledger.post_moves(session, PostingCreate(moves=[
        MoveCreate(item_id=line.item_id, quantity=line.quantity, from_location_id=row.in_transit_location_id,
                   from_owner_id=row.supplier_id, to_location_id=row.origin_location_id, to_owner_id=row.supplier_id,
                   kind=MoveKind.SHIPMENT, reference=row.number, reverses_move_id=line.move_id)
        for line in shipment_lines]), actor=actor, document=DocumentRef(kind=DocumentKind.SHIPMENT, id=row.id))
    call_off_lines = locks.lock_call_off_lines(session, [line.call_off_line_id for line in shipment_lines])
    for line in shipment_lines:
        call_off_lines[line.call_off_line_id].shipped_quantity -= line.quantity
    row.state, row.cancelled_at = ShipmentState.CANCELLED, utcnow()
    session.flush()
    _follow(session, {line.call_off_id for line in call_off_lines.values()}, actor=actor)
    sync_shipment_alerts(session, row)
    return row


def close_shipment(session: Session, shipment_id: int, *, actor: Actor) -> Shipment:
    """The buyer closes a received shipment: what arrived short leaves transit, back to the supplier's
    origin. Caller commits."""
    row = _locked(session, shipment_id)
    _require(row, rules.CLOSABLE_STATES, Reason("shipment %(number)s is %(state)s: only a received shipment can be "
                                                "closed", number=row.number, state=row.state))
    shorts: dict[int, Decimal] = defaultdict(Decimal)
    for item_id, short in session.execute(
            select(ShipmentLine.item_id, ReceiptLine.short)
            .join(ReceiptLine, ReceiptLine.shipment_line_id == ShipmentLine.id)
            .where(ShipmentLine.shipment_id == row.id, ReceiptLine.short > 0).order_by(ShipmentLine.id)):
        shorts[item_id] += short
    if shorts:
        ledger.post_moves(session, PostingCreate(moves=[
            MoveCreate(item_id=item_id, quantity=quantity, from_location_id=row.in_transit_location_id,
                       from_owner_id=row.supplier_id, to_location_id=row.origin_location_id,
                       to_owner_id=row.supplier_id, kind=MoveKind.RETURN, reference=row.number)
            for item_id, quantity in shorts.items()]), actor=actor,
            document=DocumentRef(kind=DocumentKind.SHIPMENT, id=row.id))
    row.state, row.closed_at, row.closed_by_id = ShipmentState.CLOSED, utcnow(), actor.user_id
    session.flush()
    sync_shipment_alerts(session, row)
    return row


def sync_shipment_alerts(session: Session, row: Shipment) -> None:
    """The shipment was announced, cancelled, received or closed: open or resolve its supplier's inbound
    alerts (overdue, differences) and the level alerts of the agreements it ships under now, in the use
    case's transaction, not at the next sweep. Caller commits."""
    now = utcnow()
    sync_inbound_alerts(session, now=now, supplier_ids=[row.supplier_id])
    agreement_ids = session.scalars(
        select(CallOffLine.agreement_id).distinct()
        .join(ShipmentLine, ShipmentLine.call_off_line_id == CallOffLine.id)
        .where(ShipmentLine.shipment_id == row.id))
    replenishment.sync_vmi_alerts(session, Wanted(agreement_ids=tuple(sorted(agreement_ids))), today=now.date())


def _refuse_over_tolerance(request: ShipmentCreate, lines: dict[int, CallOffLine],
                           terms: dict[int, tuple[Decimal, int, int]]) -> None:
    asked: dict[int, Decimal] = defaultdict(Decimal)
    for line in request.lines:
        asked[line.call_off_line_id] += line.quantity
    errors = []
    for index, line in enumerate(request.lines):
        target = lines[line.call_off_line_id]
        room = rules.room_left(target.quantity, target.shipped_quantity, terms[target.agreement_id][0])
        if asked[line.call_off_line_id] > room:
            errors.append(FieldError(f"lines[{index}].quantity", Reason(
                "call-off line %(line)s may carry %(room)s more (its quantity plus the agreement's %(tolerance)s%% "
                "tolerance); %(asked)s asked", line=target.id, room=_plain(max(room, Decimal(0))),
                tolerance=_plain(terms[target.agreement_id][0]), asked=_plain(asked[line.call_off_line_id]))))
    if errors:
        raise OverTolerance(errors)


def _place(session: Session, location_id: int | None, kind: LocationKind, field: str, *,
           plant_id: int | None) -> Location:
    if location_id is None:
        return queries.default_place(session, kind, plant_id=plant_id)
    found = session.scalars(select(Location).where(Location.id == location_id)).first()
    if found is None or found.kind != kind or not found.active:
        raise WrongPlace([FieldError(field, Reason("location %(id)s is not an active %(kind)s location",
                                                   id=location_id, kind=kind.value))])
    return found


def _locked(session: Session, shipment_id: int) -> Shipment:
    row = locks.lock_shipment(session, shipment_id=shipment_id)
    if row is None:
        raise NotFound(f"no such shipment: {shipment_id}")
    return row


def _require(row: Shipment, states: frozenset[ShipmentState], reason: Reason) -> None:
    if row.state not in states:
        raise ShipmentStateRefused(reason)


def _lines(session: Session, shipment_id: int) -> list[ShipmentLine]:
    return list(session.scalars(select(ShipmentLine).where(ShipmentLine.shipment_id == shipment_id)
                                .order_by(ShipmentLine.id)))


def _follow(session: Session, call_off_ids: set[int], *, actor: Actor) -> None:
    for call_off_id in sorted(call_off_ids):
        if call_off_queries.get_call_off(session, call_off_id).state in _FOLLOWS_SHIPPING:
            call_offs.follow_shipping(session, call_off_id, actor=actor)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
