"""JSON API for supplier adjustments: a supplier asks, a buyer approves or rejects; each side reads its own."""
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from openvmi.access import Actor
from openvmi.fields import Id
from openvmi.vmi.adjustments import queries, service
from openvmi.vmi.adjustments.rules import AdjustmentAction, AdjustmentState
from openvmi.vmi.adjustments.schemas import AdjustmentCreate, AdjustmentDecision, AdjustmentPage, AdjustmentRead
from openvmi.web.deps import DbSession, IdempotencyKey, requires

router = APIRouter(prefix="/vmi/adjustments", tags=["vmi"])
Reader = Annotated[Actor, Depends(requires("vmi_adjustments.read"))]
Requester = Annotated[Actor, Depends(requires("vmi_adjustments.request"))]
Approver = Annotated[Actor, Depends(requires("vmi_adjustments.approve"))]
Limit = Annotated[int, Query(ge=1, le=500)]


@router.post("", status_code=201, response_model=AdjustmentRead)
def create_adjustment(body: AdjustmentCreate, session: DbSession, actor: Requester, idempotency_key: IdempotencyKey,
                      response: Response) -> AdjustmentRead:
    """Correct the supplier's own stock at an agreement's VMI location: `pending` where the agreement asks
    for approval, else `posted` at once. A retry with the same Idempotency-Key answers the first (200)."""
    row, replayed = service.create_adjustment(session, body, actor=actor, idempotency_key=idempotency_key)
    session.commit()
    if replayed:
        response.status_code = 200
    return queries.describe_adjustment(session, row.id, replayed=replayed)


@router.get("", response_model=AdjustmentPage)
def list_adjustments(session: DbSession, _: Reader, state: AdjustmentState | None = None,
                     agreement_id: Id | None = None, supplier_id: Id | None = None, cursor: str | None = None,
                     limit: Limit = 50) -> AdjustmentPage:
    """Adjustments the caller may see (a supplier: its own), oldest first; `state=pending` is the approval queue."""
    return queries.list_adjustments(session, state=state, agreement_id=agreement_id, supplier_id=supplier_id,
                                    cursor=cursor, limit=limit)


@router.get("/{adjustment_id}", response_model=AdjustmentRead)
def get_adjustment(adjustment_id: Id, session: DbSession, _: Reader) -> AdjustmentRead:
    return queries.describe_adjustment(session, adjustment_id)


@router.post("/{adjustment_id}/{action}", response_model=AdjustmentRead)
def decide_adjustment(adjustment_id: Id, action: AdjustmentAction, session: DbSession, actor: Approver,
                      body: AdjustmentDecision | None = None) -> AdjustmentRead:
    """Approve (the stock moves now; 409 if it is no longer there) or reject (a comment is required) a
    waiting adjustment."""
    service.decide_adjustment(session, adjustment_id, action, body or AdjustmentDecision(), actor=actor)
    session.commit()
    return queries.describe_adjustment(session, adjustment_id)
