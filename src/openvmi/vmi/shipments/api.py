"""JSON API for shipments (ASN): the supplier announces and cancels its own; the buyer closes a received one."""
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from openvmi.access import Actor
from openvmi.errors import NotFound
from openvmi.fields import Id
from openvmi.vmi.shipments import queries, service
from openvmi.vmi.shipments.rules import ShipmentState
from openvmi.vmi.shipments.schemas import ShipmentCreate, ShipmentPage, ShipmentRead
from openvmi.web.deps import DbSession, requires

router = APIRouter(prefix="/vmi/shipments", tags=["vmi"])
Reader = Annotated[Actor, Depends(requires("vmi_shipments.read"))]
Shipper = Annotated[Actor, Depends(requires("vmi_shipments.ship"))]
Closer = Annotated[Actor, Depends(requires("vmi_shipments.close"))]
Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("", response_model=ShipmentPage)
def list_shipments(session: DbSession, _: Reader, state: ShipmentState | None = None, supplier_id: Id | None = None,
                   cursor: str | None = None, limit: Limit = 50) -> ShipmentPage:
    """Shipments the caller may see (a supplier: its own), newest first."""
    return queries.list_shipments(session, state=state, supplier_id=supplier_id, cursor=cursor, limit=limit)


@router.get("/by-number/{number}", response_model=ShipmentRead)
def find_shipment(number: str, session: DbSession, _: Reader) -> ShipmentRead:
    """The shipment with this packing-list number (as a scanner types it)."""
    shipment_id = queries.find_shipment_id(session, number[:60])
    if shipment_id is None:
        raise NotFound(f"no shipment has the number {number[:60]}")
    return queries.describe_shipment(session, shipment_id)


@router.get("/{shipment_id}", response_model=ShipmentRead)
def get_shipment(shipment_id: Id, session: DbSession, _: Reader) -> ShipmentRead:
    """One shipment with its lines and, once received, every difference found."""
    return queries.describe_shipment(session, shipment_id)


@router.post("", status_code=201, response_model=ShipmentRead)
def confirm_shipment(body: ShipmentCreate, session: DbSession, actor: Shipper) -> ShipmentRead:
    """Ship against accepted call-off lines (within each agreement's tolerance): the stock goes into transit."""
    row = service.confirm_shipment(session, body, actor=actor)
    session.commit()
    return queries.describe_shipment(session, row.id)


@router.post("/{shipment_id}/cancel", response_model=ShipmentRead)
def cancel_shipment(shipment_id: Id, session: DbSession, actor: Shipper) -> ShipmentRead:
    """Cancel a shipment before it is received: its stock goes back to the supplier's origin."""
    service.cancel_shipment(session, shipment_id, actor=actor)
    session.commit()
    return queries.describe_shipment(session, shipment_id)


@router.post("/{shipment_id}/close", response_model=ShipmentRead)
def close_shipment(shipment_id: Id, session: DbSession, actor: Closer) -> ShipmentRead:
    """Close a received shipment: what arrived short returns from transit to the supplier's origin."""
    service.close_shipment(session, shipment_id, actor=actor)
    session.commit()
    return queries.describe_shipment(session, shipment_id)
