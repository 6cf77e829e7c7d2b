"""JSON API for receipts: the warehouse receives a shipment by its number; anyone may read (a supplier: its own)."""
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from openvmi.access import Actor
from openvmi.fields import Id
from openvmi.vmi.receipts import queries, service
from openvmi.vmi.receipts.schemas import ReceiptCreate, ReceiptRead
from openvmi.web.deps import DbSession, IdempotencyKey, requires

router = APIRouter(prefix="/vmi/receipts", tags=["vmi"])
Reader = Annotated[Actor, Depends(requires("vmi_receipts.read"))]
Receiver = Annotated[Actor, Depends(requires("vmi_receipts.write"))]


@router.post("", status_code=201, response_model=ReceiptRead)
def receive_shipment(body: ReceiptCreate, session: DbSession, actor: Receiver, idempotency_key: IdempotencyKey,
                     response: Response) -> ReceiptRead:
    """Receive a shipment by its number, per line accepted, short, over and damaged with reasons.
    A retry with the same Idempotency-Key answers the first receipt (200) and changes nothing."""
    row, replayed = service.receive_shipment(session, body, actor=actor, idempotency_key=idempotency_key)
    session.commit()
    if replayed:
        response.status_code = 200
    return queries.describe_receipt(session, row.id, replayed=replayed)


@router.get("/{receipt_id}", response_model=ReceiptRead)
def get_receipt(receipt_id: Id, session: DbSession, _: Reader) -> ReceiptRead:
    return queries.describe_receipt(session, receipt_id)
