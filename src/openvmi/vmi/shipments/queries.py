"""Read models of shipments: one by id or number (with what its receipt found), lists, default places."""
from sqlalchemy import ColumnElement, ScalarSelect, or_, select
from sqlalchemy.orm import Session, aliased

from openvmi.catalog.models import Item
from openvmi.db import get_by_id
from openvmi.errors import Conflict, Reason
from openvmi.locations.models import Location
from openvmi.locations.rules import LocationKind
from openvmi.pagination import fetch_page, where_given
from openvmi.parties.models import Party
from openvmi.vmi.call_offs.models import CallOffLine
from openvmi.vmi.receipts.models import Receipt, ReceiptLine
from openvmi.vmi.shipments.models import Shipment, ShipmentLine
from openvmi.vmi.shipments.rules import ShipmentState, normalised_number
from openvmi.vmi.shipments.schemas import ShipmentLineRead, ShipmentPage, ShipmentRead, ShipmentSummary


def get_shipment(session: Session, shipment_id: int) -> Shipment:
    """The shipment; NotFound when there is none or it is another supplier's."""
    return get_by_id(session, Shipment, shipment_id, label="shipment")


def find_shipment_id(session: Session, number: str) -> int | None:
    return session.scalar(select(Shipment.id).where(Shipment.number == normalised_number(number)))


def describe_shipment(session: Session, shipment_id: int) -> ShipmentRead:
    """The shipment with its lines and, once received, every difference found and its reason."""
    row = get_shipment(session, shipment_id)
    supplier = session.execute(select(Party.code, Party.name).where(Party.id == row.supplier_id)).one()
    receipt_id = session.scalar(select(Receipt.id).where(Receipt.shipment_id == row.id))
    lines = session.execute(
        select(ShipmentLine, CallOffLine.call_off_id, Item.code, Item.name, Item.unit, ReceiptLine)
        .join(CallOffLine, CallOffLine.id == ShipmentLine.call_off_line_id)
        .join(Item, Item.id == ShipmentLine.item_id)
        .outerjoin(ReceiptLine, ReceiptLine.shipment_line_id == ShipmentLine.id)
        .where(ShipmentLine.shipment_id == row.id).order_by(ShipmentLine.id))
    return ShipmentRead(
        id=row.id, number=row.number, supplier_id=row.supplier_id, supplier_code=supplier.code,
        supplier_name=supplier.name, state=row.state, carrier=row.carrier, tracking_number=row.tracking_number,
        expected_arrival=row.expected_arrival, origin_location_id=row.origin_location_id,
        in_transit_location_id=row.in_transit_location_id, created_at=row.created_at, cancelled_at=row.cancelled_at,
        closed_at=row.closed_at, receipt_id=receipt_id,
        lines=[ShipmentLineRead(
            id=line.id, call_off_id=call_off_id, call_off_line_id=line.call_off_line_id, item_id=line.item_id,
            item_code=code, item_name=name, unit=unit, quantity=line.quantity, lot_number=line.lot_number,
            move_id=line.move_id, **(_found(found) if found is not None else {}))
            for line, call_off_id, code, name, unit, found in lines])


def _found(line: ReceiptLine) -> dict[str, object]:
    return {"accepted": line.accepted, "short": line.short, "over": line.over, "damaged": line.damaged,
            "short_reason": line.short_reason, "over_reason": line.over_reason, "damaged_reason": line.damaged_reason}


def list_shipments(session: Session, *, state: ShipmentState | None, supplier_id: int | None, cursor: str | None,
                   limit: int) -> ShipmentPage:
    """Shipments the caller may see (a supplier: its own), newest first."""
    statement = where_given(select(Shipment), (Shipment.state, state), (Shipment.supplier_id, supplier_id))
    rows, next_cursor = fetch_page(session, statement, Shipment.id, cursor=cursor, limit=limit, descending=True)
    return ShipmentPage(items=[ShipmentSummary(
        id=row.id, number=row.number, supplier_id=row.supplier_id, state=row.state,
        expected_arrival=row.expected_arrival, created_at=row.created_at) for row in rows], next_cursor=next_cursor)


class PlaceMissing(Conflict):
    code = "inbound_place_missing"


def default_place(session: Session, kind: LocationKind, *, plant_id: int | None) -> Location:
    """The active location of `kind` at `plant_id` (else one belonging to no plant), lowest id first:
    where inbound stock goes when the request names no place."""
    found = session.scalars(select(Location).where(Location.id == default_place_id(kind, plant_id))).first()
    if found is not None:
        return found
    raise PlaceMissing(Reason("no active %(kind)s location is set up; ask an administrator to create one",
                              kind=kind.value))


def default_place_id(kind: LocationKind, plant_id: int | None | ColumnElement[int]) -> ScalarSelect[int]:
    """default_place's id as a subquery (None when none is set up), also for a plant column of an outer
    query: at the plant, else belonging to no plant, lowest id first."""
    place = aliased(Location)
    return (select(place.id).where(place.kind == kind, place.active.is_(True), place.supplier_id.is_(None),
                                   or_(place.plant_id == plant_id, place.plant_id.is_(None)))
            .order_by(place.plant_id.is_(None), place.id).limit(1).scalar_subquery())
