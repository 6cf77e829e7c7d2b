"""JSON API for VMI agreements: buyers and admins write them, a supplier reads its own. Ending one is
vmi.buyouts' route, as it may first buy out or return the stock left (docs/decisions.md)."""
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from openvmi.access import Actor
from openvmi.fields import Id
from openvmi.vmi.agreements import queries, service
from openvmi.vmi.agreements.rules import AgreementState
from openvmi.vmi.agreements.schemas import AgreementCreate, AgreementPage, AgreementRead, AgreementUpdate
from openvmi.web.deps import DbSession, requires

router = APIRouter(prefix="/vmi/agreements", tags=["vmi"])
Reader = Annotated[Actor, Depends(requires("vmi_agreements.read"))]
Writer = Annotated[Actor, Depends(requires("vmi_agreements.write"))]
Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("", response_model=AgreementPage)
def list_agreements(session: DbSession, _: Reader, supplier_id: Id | None = None, item_id: Id | None = None,
                    supplier_item_id: Id | None = None, location_id: Id | None = None,
                    state: AgreementState | None = None, cursor: str | None = None,
                    limit: Limit = 50) -> AgreementPage:
    """Agreements the caller may see (a supplier: its own), oldest first, one keyset page at a time."""
    return queries.list_agreements(session, supplier_id=supplier_id, item_id=item_id,
                                   supplier_item_id=supplier_item_id, location_id=location_id, state=state,
                                   cursor=cursor, limit=limit)


@router.get("/{agreement_id}", response_model=AgreementRead)
def get_agreement(agreement_id: Id, session: DbSession, _: Reader) -> AgreementRead:
    return queries.describe_agreement(session, agreement_id)


@router.post("", status_code=201, response_model=AgreementRead)
def create_agreement(body: AgreementCreate, session: DbSession, actor: Writer) -> AgreementRead:
    """Draft an agreement; it runs once activated."""
    row = service.create_agreement(session, body, actor_id=actor.user_id)
    session.commit()
    return queries.describe_agreement(session, row.id)


@router.patch("/{agreement_id}", response_model=AgreementRead)
def update_agreement(agreement_id: Id, body: AgreementUpdate, session: DbSession, _: Writer) -> AgreementRead:
    """Change a draft's terms (an active or ended agreement is refused with 409)."""
    service.update_agreement(session, agreement_id, body)
    session.commit()
    return queries.describe_agreement(session, agreement_id)


@router.post("/{agreement_id}/activate", response_model=AgreementRead)
def activate_agreement(agreement_id: Id, session: DbSession, _: Writer) -> AgreementRead:
    """Put a draft in force: 409 while another agreement runs for the same supplier item and location."""
    service.activate_agreement(session, agreement_id)
    session.commit()
    return queries.describe_agreement(session, agreement_id)
