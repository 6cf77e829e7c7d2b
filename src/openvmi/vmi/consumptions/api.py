"""JSON API for consumptions: production withdraws VMI stock (a scan or a backflush batch) and returns some of it."""
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from openvmi.access import Actor
from openvmi.fields import Id
from openvmi.vmi.consumptions import queries, service
from openvmi.vmi.consumptions.schemas import ConsumptionCreate, ConsumptionRead, ReversalCreate, ReversalRead
from openvmi.web.deps import AppSettings, DbSession, IdempotencyKey, requires

router = APIRouter(prefix="/vmi/consumptions", tags=["vmi"])
Reader = Annotated[Actor, Depends(requires("vmi_consumptions.read"))]
Consumer = Annotated[Actor, Depends(requires("vmi_consumptions.write"))]


@router.post("", status_code=201, response_model=ConsumptionRead)
def record_consumption(body: ConsumptionCreate, session: DbSession, actor: Consumer, settings: AppSettings,
                       idempotency_key: IdempotencyKey, response: Response) -> ConsumptionRead:
    """Consume one line (a scan) or up to 10,000 (a backflush) from VMI stock, all or none: each line is an
    ownership transfer with its settlement line. A retry with the same Idempotency-Key answers the first
    consumption (200) and changes nothing."""
    consumption_id, replayed = service.record_consumption(session, body, actor=actor, zone=settings.timezone,
                                                          idempotency_key=idempotency_key)
    session.commit()
    if replayed:
        response.status_code = 200
    return queries.describe_consumption(session, consumption_id, replayed=replayed)


@router.get("/{consumption_id}", response_model=ConsumptionRead)
def get_consumption(consumption_id: Id, session: DbSession, _: Reader) -> ConsumptionRead:
    return queries.describe_consumption(session, consumption_id)


@router.post("/{consumption_id}/reversal", status_code=201, response_model=ReversalRead)
def reverse_consumption(consumption_id: Id, body: ReversalCreate, session: DbSession, actor: Consumer,
                        idempotency_key: IdempotencyKey, response: Response) -> ReversalRead:
    """Bring `quantity` of a consumption line back from production: the supplier's again, with the negative
    settlement line at that line's price. Never more than consumed minus returned."""
    reversal = service.reverse_consumption(session, consumption_id, body, actor=actor,
                                           idempotency_key=idempotency_key)
    session.commit()
    if reversal.replayed:
        response.status_code = 200
    return reversal
