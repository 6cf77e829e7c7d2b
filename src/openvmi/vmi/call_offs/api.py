"""JSON API for call-offs: buyers create, send, cancel, close and take proposals; a supplier answers its own."""
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from openvmi.access import Actor
from openvmi.fields import Id
from openvmi.vmi.call_offs import queries, service
from openvmi.vmi.call_offs.rules import CallOffAction, CallOffState
from openvmi.vmi.call_offs.schemas import (
    Answer, CallOffCreate, CallOffLinesUpdate, CallOffPage, CallOffRead, CounterProposal,
)
from openvmi.web.deps import DbSession, requires

router = APIRouter(prefix="/vmi/call-offs", tags=["vmi"])
Reader = Annotated[Actor, Depends(requires("vmi_call_offs.read"))]
Buyer = Annotated[Actor, Depends(requires("vmi_call_offs.write"))]
Supplier = Annotated[Actor, Depends(requires("vmi_call_offs.answer"))]
Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("", response_model=CallOffPage)
def list_call_offs(session: DbSession, _: Reader, state: CallOffState | None = None, supplier_id: Id | None = None,
                   cursor: str | None = None, limit: Limit = 50) -> CallOffPage:
    """Call-offs the caller may see (a supplier: its own), newest first."""
    return queries.list_call_offs(session, state=state, supplier_id=supplier_id, cursor=cursor, limit=limit)


@router.get("/{call_off_id}", response_model=CallOffRead)
def get_call_off(call_off_id: Id, session: DbSession, _: Reader) -> CallOffRead:
    """One call-off with its lines, the supplier's proposals and who changed its state when."""
    return queries.describe_call_off(session, call_off_id)


@router.post("", status_code=201, response_model=CallOffRead)
def create_call_off(body: CallOffCreate, session: DbSession, actor: Buyer) -> CallOffRead:
    """Draft a call-off; every line needs an active agreement, all with one supplier (422 otherwise)."""
    row = service.create_call_off(session, body, actor=actor)
    session.commit()
    return queries.describe_call_off(session, row.id)


@router.put("/{call_off_id}/lines", response_model=CallOffRead)
def change_lines(call_off_id: Id, body: CallOffLinesUpdate, session: DbSession, actor: Buyer) -> CallOffRead:
    """Replace the lines of a draft, or of a counter-proposed call-off before sending it again."""
    service.change_lines(session, call_off_id, changes=body, actor=actor)
    session.commit()
    return queries.describe_call_off(session, call_off_id)


def _act(action: CallOffAction, call_off_id: int, body: Answer | None, session: DbSession,
         actor: Actor) -> CallOffRead:
    service.act_on_call_off(session, call_off_id, action=action, actor=actor, note=body.note if body else None)
    session.commit()
    return queries.describe_call_off(session, call_off_id)


@router.post("/{call_off_id}/send", response_model=CallOffRead)
def send_call_off(call_off_id: Id, session: DbSession, actor: Buyer, body: Answer | None = None) -> CallOffRead:
    """Send a draft (or the changed lines after a counter proposal) to the supplier."""
    return _act(CallOffAction.SEND, call_off_id, body, session, actor)


@router.post("/{call_off_id}/accept-proposal", response_model=CallOffRead)
def accept_proposal(call_off_id: Id, session: DbSession, actor: Buyer, body: Answer | None = None) -> CallOffRead:
    """Take the supplier's proposed quantities and dates: the call-off is accepted."""
    return _act(CallOffAction.ACCEPT_PROPOSAL, call_off_id, body, session, actor)


@router.post("/{call_off_id}/cancel", response_model=CallOffRead)
def cancel_call_off(call_off_id: Id, session: DbSession, actor: Buyer, body: Answer | None = None) -> CallOffRead:
    """Cancel a call-off nothing has been shipped against."""
    return _act(CallOffAction.CANCEL, call_off_id, body, session, actor)


@router.post("/{call_off_id}/close", response_model=CallOffRead)
def close_call_off(call_off_id: Id, session: DbSession, actor: Buyer, body: Answer | None = None) -> CallOffRead:
    """Close an accepted or (partly) shipped call-off: nothing more is expected against it."""
    return _act(CallOffAction.CLOSE, call_off_id, body, session, actor)


@router.post("/{call_off_id}/accept", response_model=CallOffRead)
def accept_call_off(call_off_id: Id, session: DbSession, actor: Supplier, body: Answer | None = None) -> CallOffRead:
    """The supplier accepts a sent call-off as it stands."""
    return _act(CallOffAction.ACCEPT, call_off_id, body, session, actor)


@router.post("/{call_off_id}/reject", response_model=CallOffRead)
def reject_call_off(call_off_id: Id, session: DbSession, actor: Supplier, body: Answer | None = None) -> CallOffRead:
    """The supplier rejects a sent call-off."""
    return _act(CallOffAction.REJECT, call_off_id, body, session, actor)


@router.post("/{call_off_id}/counter-proposal", response_model=CallOffRead)
def counter_propose(call_off_id: Id, body: CounterProposal, session: DbSession, actor: Supplier) -> CallOffRead:
    """The supplier proposes another quantity or due date for some lines of a sent call-off."""
    service.counter_propose(session, call_off_id, proposal=body, actor=actor)
    session.commit()
    return queries.describe_call_off(session, call_off_id)
