"""Use cases of call-offs: create (by hand or from suggestions), change, send, answer, cancel, close. Caller commits."""
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from openvmi.access import Actor, Role
from openvmi.db import quantize, utcnow
from openvmi.errors import Conflict, FieldError, InvalidInput, PermissionDenied, Reason
from openvmi.vmi.agreements.models import VmiAgreement
from openvmi.vmi.agreements.rules import AgreementState
from openvmi.vmi.call_offs import queries, rules
from openvmi.vmi.call_offs.models import CallOff, CallOffEvent, CallOffLine
from openvmi.vmi.call_offs.rules import CallOffAction, CallOffState, Side
from openvmi.vmi.call_offs.schemas import CallOffCreate, CallOffLineCreate, CallOffLinesUpdate, CounterProposal
from openvmi.vmi.inbound_alerts.service import sync_inbound_alerts


class NoActiveAgreement(InvalidInput):
    """A line names an agreement that is not in force (or not visible): nothing is called off without one."""

    code = "no_active_agreement"


class MixedSuppliers(InvalidInput):
    code = "call_off_mixed_suppliers"


class CallOffTransitionRefused(Conflict):
    code = "call_off_transition_refused"


class CallOffNotEditable(Conflict):
    code = "call_off_not_editable"


@dataclass(frozen=True)
class Suggestion:
    """One suggested shipment of the replenishment board: call off `quantity` due on `due_date`."""

    agreement_id: int
    due_date: date
    quantity: Decimal


def create_call_off(session: Session, request: CallOffCreate, *, actor: Actor) -> CallOff:
    """Draft a call-off whose lines all run under active agreements with one supplier. Caller commits."""
    supplier_id = _supplier_of(session, request.lines)
    row = CallOff(supplier_id=supplier_id, state=CallOffState.DRAFT, note=request.note, created_by_id=actor.user_id)
    session.add(row)
    session.flush()
    _add_lines(session, row, request.lines)
    _record(session, row, CallOffAction.CREATE, None, actor=actor, note=request.note)
    session.flush()
    return row


def create_call_offs_from_suggestions(session: Session, suggestions: Sequence[Suggestion], *, actor: Actor,
                                      send: bool = False) -> list[CallOff]:
    """Draft (and with `send`, send) one call-off per supplier from the board's suggestions, in one
    transaction: a bad suggestion refuses them all. Caller commits."""
    lines = [CallOffLineCreate(agreement_id=s.agreement_id, due_date=s.due_date, quantity=s.quantity)
             for s in suggestions]
    if not lines:
        raise InvalidInput([FieldError("suggestions", Reason("there is nothing to call off"))])
    by_supplier: dict[int, list[CallOffLineCreate]] = {}
    for line, agreement in zip(lines, _active_agreements(session, lines), strict=True):
        by_supplier.setdefault(agreement.supplier_id, []).append(line)
    created = [create_call_off(session, CallOffCreate(lines=group), actor=actor) for group in by_supplier.values()]
    if send:
        for row in created:
            act_on_call_off(session, row.id, action=CallOffAction.SEND, actor=actor)
    return created


def change_lines(session: Session, call_off_id: int, *, changes: CallOffLinesUpdate, actor: Actor) -> CallOff:
    """Replace the lines of a draft or counter-proposed call-off (the buyer then sends it). Caller commits."""
    row = queries.get_call_off(session, call_off_id)
    _require_side(actor, Side.BUYER)
    if row.state not in rules.EDITABLE_STATES:
        raise CallOffNotEditable(Reason("call-off #%(id)s is %(state)s: its lines can change only as a draft or "
                                        "after a counter proposal", id=row.id, state=row.state))
    if _supplier_of(session, changes.lines) != row.supplier_id:
        raise MixedSuppliers([FieldError("lines", Reason("every line must be with the call-off's supplier"))])
    for line in _lines(session, row.id):
        session.delete(line)
    session.flush()
    _add_lines(session, row, changes.lines)
    session.flush()
    return row


def act_on_call_off(session: Session, call_off_id: int, *, action: CallOffAction, actor: Actor,
                    note: str | None = None) -> CallOff:
    """Send, accept, reject, cancel, close, or take the supplier's proposal. Caller commits."""
    row = queries.get_call_off(session, call_off_id)
    _require_side(actor, rules.ACTORS[action])
    if action in (CallOffAction.SHIP, CallOffAction.UNSHIP, CallOffAction.CREATE, CallOffAction.COUNTER_PROPOSE):
        raise CallOffTransitionRefused(Reason("%(action)s is not taken by hand here", action=action.value))
    lines = _lines(session, row.id)
    if action is CallOffAction.CANCEL and any(line.shipped_quantity > 0 for line in lines):
        raise CallOffTransitionRefused(Reason("call-off #%(id)s has shipments: cancel them, or close the call-off",
                                              id=row.id))
    if action is CallOffAction.ACCEPT_PROPOSAL:
        for line in lines:
            line.quantity = line.proposed_quantity or line.quantity
            line.due_date = line.proposed_due_date or line.due_date
    if action in (CallOffAction.SEND, CallOffAction.ACCEPT_PROPOSAL):
        for line in lines:
            line.proposed_quantity, line.proposed_due_date = None, None
    _transition(session, row, action, actor=actor, note=note)
    _sync_alerts(session, row)
    return row


def counter_propose(session: Session, call_off_id: int, *, proposal: CounterProposal, actor: Actor) -> CallOff:
    """The supplier proposes another quantity or date for some lines of a sent call-off. Caller commits."""
    row = queries.get_call_off(session, call_off_id)
    _require_side(actor, Side.SUPPLIER)
    lines = {line.id: line for line in _lines(session, row.id)}
    errors = []
    for index, wanted in enumerate(proposal.lines):
        line = lines.get(wanted.line_id)
        if line is None:
            errors.append(FieldError(f"lines[{index}].line_id",
                                     Reason("call-off #%(id)s has no line %(line)s", id=row.id, line=wanted.line_id)))
        elif wanted.quantity is None and wanted.due_date is None:
            errors.append(FieldError(f"lines[{index}]", Reason("propose a quantity, a due date or both")))
    if errors:
        raise InvalidInput(errors)
    _transition(session, row, CallOffAction.COUNTER_PROPOSE, actor=actor, note=proposal.note)
    for wanted in proposal.lines:
        line = lines[wanted.line_id]
        line.proposed_quantity = quantize(wanted.quantity) if wanted.quantity is not None else None
        line.proposed_due_date = wanted.due_date
    session.flush()
    _sync_alerts(session, row)
    return row


def follow_shipping(session: Session, call_off_id: int, *, actor: Actor | None) -> CallOff:
    """Move the call-off to accepted, partly shipped or shipped after its lines' shipped quantities
    changed (a shipment announced or cancelled). Caller commits."""
    row = queries.get_call_off(session, call_off_id)
    lines = _lines(session, row.id)
    target = rules.shipping_state([rules.LineShipping(line.quantity, line.shipped_quantity) for line in lines])
    while row.state != target:  # accepted -> partly shipped -> shipped, or back, one recorded step at a time
        forward = list(CallOffState).index(target) > list(CallOffState).index(CallOffState(row.state))
        _transition(session, row, CallOffAction.SHIP if forward else CallOffAction.UNSHIP, actor=actor, note=None,
                    to_state=_step(CallOffState(row.state), forward=forward))
    return row


_SHIPPING_STEPS = [CallOffState.ACCEPTED, CallOffState.PARTLY_SHIPPED, CallOffState.SHIPPED]


def _sync_alerts(session: Session, row: CallOff) -> None:
    """Sent, answered or withdrawn: the supplier's unanswered-call-off alert opens or resolves now, not at
    the next sweep."""
    sync_inbound_alerts(session, now=utcnow(), supplier_ids=[row.supplier_id])


def _step(state: CallOffState, *, forward: bool) -> CallOffState:
    return _SHIPPING_STEPS[_SHIPPING_STEPS.index(state) + (1 if forward else -1)]


def _transition(session: Session, row: CallOff, action: CallOffAction, *, actor: Actor | None, note: str | None,
                to_state: CallOffState | None = None) -> None:
    if not rules.allowed(row.state, action):
        raise CallOffTransitionRefused(Reason("call-off #%(id)s is %(state)s: it cannot %(action)s",
                                              id=row.id, state=row.state, action=action.value))
    before = row.state
    row.state = to_state or rules.TRANSITIONS[CallOffState(before)][action]
    row.changed_at = utcnow()
    _record(session, row, action, before, actor=actor, note=note)
    session.flush()


def _record(session: Session, row: CallOff, action: CallOffAction, before: str | None, *, actor: Actor | None,
            note: str | None) -> None:
    session.add(CallOffEvent(call_off_id=row.id, supplier_id=row.supplier_id, action=action, from_state=before,
                             to_state=row.state, actor_id=actor.user_id if actor else None, at=utcnow(), note=note))


def _require_side(actor: Actor, side: Side) -> None:
    mine = Side.SUPPLIER if actor.role is Role.SUPPLIER else Side.BUYER
    if mine is not side:
        raise PermissionDenied(Reason("only the %(side)s may do this", side=side.value))


def _lines(session: Session, call_off_id: int) -> list[CallOffLine]:
    return list(session.scalars(select(CallOffLine).where(CallOffLine.call_off_id == call_off_id)
                                .order_by(CallOffLine.id)))


def _add_lines(session: Session, row: CallOff, lines: Sequence[CallOffLineCreate]) -> None:
    session.add_all([CallOffLine(call_off_id=row.id, supplier_id=row.supplier_id, agreement_id=line.agreement_id,
                                 quantity=quantize(line.quantity), due_date=line.due_date,
                                 shipped_quantity=Decimal(0)) for line in lines])


def _active_agreements(session: Session, lines: Sequence[CallOffLineCreate]) -> list[VmiAgreement]:
    """Each line's agreement, or NoActiveAgreement naming every line without one in force."""
    ids = {line.agreement_id for line in lines}
    found = {a.id: a for a in session.scalars(select(VmiAgreement).where(VmiAgreement.id.in_(ids)))}
    errors = []
    for index, line in enumerate(lines):
        agreement = found.get(line.agreement_id)
        if agreement is None or agreement.state != AgreementState.ACTIVE:
            errors.append(FieldError(f"lines[{index}].agreement_id", Reason(
                "agreement %(id)s is not active: an item is called off only under an active VMI agreement",
                id=line.agreement_id)))
    if errors:
        raise NoActiveAgreement(errors)
    return [found[line.agreement_id] for line in lines]


def _supplier_of(session: Session, lines: Sequence[CallOffLineCreate]) -> int:
    suppliers = {agreement.supplier_id for agreement in _active_agreements(session, lines)}
    if len(suppliers) > 1:
        raise MixedSuppliers([FieldError("lines", Reason("a call-off goes to one supplier; these lines are with "
                                                         "%(count)s suppliers", count=len(suppliers)))])
    return suppliers.pop()
