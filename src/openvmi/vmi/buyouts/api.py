"""JSON API for buyouts and for ending an agreement: the buyer takes over or sends back the supplier's VMI stock."""
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from openvmi.access import Actor
from openvmi.fields import Id
from openvmi.vmi.agreements import queries as agreement_queries
from openvmi.vmi.agreements.schemas import AgreementRead
from openvmi.vmi.buyouts import queries, service
from openvmi.vmi.buyouts.schemas import AgreementEnd, BuyoutCreate, BuyoutRead
from openvmi.web.deps import AppSettings, DbSession, IdempotencyKey, requires

router = APIRouter(prefix="/vmi/agreements", tags=["vmi"])
Reader = Annotated[Actor, Depends(requires("vmi_agreements.read"))]
Buyer = Annotated[Actor, Depends(requires("vmi_buyouts.write"))]


@router.post("/{agreement_id}/buyout", status_code=201, response_model=BuyoutRead)
def buy_out(agreement_id: Id, session: DbSession, actor: Buyer, settings: AppSettings, idempotency_key: IdempotencyKey,
            response: Response, body: BuyoutCreate | None = None) -> BuyoutRead:
    """Take over all (no quantity) or part of the supplier's stock at the agreement's VMI location, where it
    lies, with its settlement line. A retry with the same Idempotency-Key answers the first buyout (200)."""
    row, replayed = service.buy_out(session, agreement_id, body or BuyoutCreate(), actor=actor, zone=settings.timezone,
                                    idempotency_key=idempotency_key)
    session.commit()
    if replayed:
        response.status_code = 200
    return queries.describe_buyout(session, row.id, replayed=replayed)


@router.get("/{agreement_id}/buyouts", response_model=list[BuyoutRead])
def list_buyouts(agreement_id: Id, session: DbSession, _: Reader) -> list[BuyoutRead]:
    agreement_queries.get_agreement(session, agreement_id)  # another supplier's agreement: 404
    return queries.list_buyouts(session, agreement_id)


@router.post("/{agreement_id}/end", response_model=AgreementRead)
def end_agreement(agreement_id: Id, session: DbSession, actor: Buyer, settings: AppSettings,
                  body: AgreementEnd | None = None) -> AgreementRead:
    """End an active agreement, or withdraw a draft. While the supplier's stock is left at its VMI location,
    say what becomes of it (`leftover`: buyout or return); without it the answer is 409 naming the quantity."""
    service.end_agreement(session, agreement_id, body or AgreementEnd(), actor=actor, zone=settings.timezone)
    session.commit()
    return agreement_queries.describe_agreement(session, agreement_id)
