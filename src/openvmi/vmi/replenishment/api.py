"""JSON API for replenishment: projected VMI stock and suggested shipments per active agreement."""
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from openvmi.access import Actor
from openvmi.db import utcnow
from openvmi.fields import Id
from openvmi.pagination import MAX_PAGE
from openvmi.vmi.call_offs import queries as call_off_queries
from openvmi.vmi.call_offs.schemas import CallOffRead
from openvmi.vmi.replenishment import queries, rules, service
from openvmi.vmi.replenishment.schemas import ReplenishmentPage, ReplenishmentRead, SuggestionsCallOff
from openvmi.web.deps import DbSession, requires

router = APIRouter(prefix="/vmi/replenishment", tags=["vmi"])
Reader = Annotated[Actor, Depends(requires("vmi_agreements.read"))]
CallOffWriter = Annotated[Actor, Depends(requires("vmi_call_offs.write"))]
Horizon = Annotated[int, Query(ge=1, le=rules.MAX_HORIZON_DAYS, description="days from today, 56 (8 weeks) by default")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]


@router.get("", response_model=ReplenishmentPage)
def list_replenishment(session: DbSession, _: Reader, supplier_id: Id | None = None, item_id: Id | None = None,
                       location_id: Id | None = None, horizon_days: Horizon = rules.DEFAULT_HORIZON_DAYS,
                       cursor: str | None = None, limit: Limit = 50) -> ReplenishmentPage:
    """Active agreements the caller may see (a supplier: its own), each with its projected stock per day,
    the first day below min, the run-out day and the suggested shipments; one keyset page at a time."""
    return queries.project_agreements(
        session, queries.Wanted(supplier_id=supplier_id, item_id=item_id, location_id=location_id),
        today=utcnow().date(), horizon_days=horizon_days, cursor=cursor, limit=limit)


@router.get("/{agreement_id}", response_model=ReplenishmentRead)
def get_replenishment(agreement_id: Id, session: DbSession, _: Reader,
                      horizon_days: Horizon = rules.DEFAULT_HORIZON_DAYS) -> ReplenishmentRead:
    """One active agreement's projection (another supplier's is 404; a draft or ended one 409)."""
    return queries.project_agreement(session, agreement_id, today=utcnow().date(), horizon_days=horizon_days)


@router.post("/call-offs", status_code=201, response_model=list[CallOffRead])
def call_off_suggestions(body: SuggestionsCallOff, session: DbSession, actor: CallOffWriter) -> list[CallOffRead]:
    """Draft (with `send`: send) one call-off per supplier holding the suggested shipments of the agreements
    named, as projected now (422 when an agreement is not active or nothing is suggested)."""
    rows = service.call_off_suggestions(session, body, actor=actor, today=utcnow().date())
    session.commit()
    return [call_off_queries.describe_call_off(session, row.id) for row in rows]
