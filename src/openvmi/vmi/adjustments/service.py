"""Use cases of supplier adjustments: ask (posted at once where no approval is agreed), approve, reject,
and the alert on adjustments waiting too long. Caller commits."""
import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from openvmi.access import Actor
from openvmi.alerts import service as alerts_service
from openvmi.alerts.schemas import SyncResult
from openvmi.catalog.models import Item, SupplierItem
from openvmi.db import add_keyed, first_answer, quantize, utcnow
from openvmi.errors import (
    Conflict, FieldError, InsufficientStock, InvalidInput, PermissionDenied, Reason, Shortfall,
)
from openvmi.ledger import queries as ledger_queries
from openvmi.ledger import service as ledger
from openvmi.ledger.rules import DocumentKind, MoveKind
from openvmi.ledger.schemas import DocumentRef, MoveCreate, PostingCreate
from openvmi.locations.models import Location
from openvmi.locations.rules import LocationKind
from openvmi.parties.models import Party
from openvmi.vmi.adjustments import queries, rules
from openvmi.vmi.adjustments.models import VmiAdjustment
from openvmi.vmi.adjustments.rules import AdjustmentAction, AdjustmentDirection, AdjustmentState
from openvmi.vmi.adjustments.schemas import AdjustmentCreate, AdjustmentDecision
from openvmi.vmi.agreements import queries as agreement_queries
from openvmi.vmi.agreements.models import VmiAgreement
from openvmi.vmi.agreements.rules import AgreementState
from openvmi.vmi.shipments import queries as shipment_queries


class AgreementNotActive(Conflict):
    code = "agreement_not_active"


class AdjustmentAlreadyDecided(Conflict):
    code = "adjustment_already_decided"


def create_adjustment(session: Session, request: AdjustmentCreate, *, actor: Actor,
                      idempotency_key: str | None = None, now: datetime | None = None) -> tuple[VmiAdjustment, bool]:
    """The supplier corrects its own stock at the agreement's VMI location: waiting for the buyer where
    the agreement asks for approval, posted at once otherwise. Returns (adjustment, replayed): with an
    Idempotency-Key a retry gets the first adjustment and changes nothing. Caller commits."""
    request_hash = hashlib.sha256(request.model_dump_json().encode()).hexdigest()
    replay = _replay(session, actor, idempotency_key, request_hash)
    if replay is not None:
        return replay, True
    if actor.supplier_id is None:
        raise PermissionDenied(Reason("only a supplier adjusts its own VMI stock"))
    agreement = agreement_queries.get_agreement(session, request.agreement_id)  # another's: 404
    _refuse_inactive(agreement)
    item_id = session.scalar(select(SupplierItem.item_id).where(SupplierItem.id == agreement.supplier_item_id))
    assert item_id is not None
    place = _adjustment_place(session, request.adjustment_location_id, store_id=agreement.location_id)
    row = VmiAdjustment(agreement_id=agreement.id, supplier_id=agreement.supplier_id, item_id=item_id,
                        location_id=agreement.location_id, adjustment_location_id=place.id,
                        direction=request.direction, quantity=quantize(request.quantity), reason=request.reason,
                        comment=request.comment,
                        state=rules.first_state(needs_approval=agreement.adjustments_need_approval),
                        requested_at=now or utcnow(), requested_by_id=actor.user_id, caller_key=actor.caller_key,
                        idempotency_key=idempotency_key, request_hash=request_hash)
    if row.state == AdjustmentState.PENDING:
        _refuse_short(session, row)  # said now, and checked again when approved
    replay = add_keyed(session, row, replay=lambda: _replay(session, actor, idempotency_key, request_hash))
    if replay is not None:
        return replay, True
    if row.state == AdjustmentState.POSTED:
        _post(session, row, actor=actor)
    return row, False


def decide_adjustment(session: Session, adjustment_id: int, action: AdjustmentAction, decision: AdjustmentDecision, *,
                      actor: Actor, now: datetime | None = None) -> VmiAdjustment:
    """The buyer approves (the stock moves now, if it is still there) or rejects (nothing moves) a
    waiting adjustment, with a comment; who and when are kept. Caller commits."""
    # Locked first, so two buyers deciding at once queue and the second finds it decided.
    row = session.scalars(select(VmiAdjustment).where(VmiAdjustment.id == adjustment_id).with_for_update()).first()
    if row is None:
        queries.get_adjustment(session, adjustment_id)  # raises NotFound with the usual words
    assert row is not None
    target = rules.next_state(row.state, action)
    if target is None:
        raise AdjustmentAlreadyDecided(Reason("adjustment #%(id)s is already %(state)s", id=row.id, state=row.state))
    if action is AdjustmentAction.REJECT and not decision.comment:
        raise InvalidInput([FieldError("comment", Reason("say why the adjustment is rejected"))])
    if action is AdjustmentAction.APPROVE:
        _refuse_inactive(agreement_queries.get_agreement(session, row.agreement_id))
        _post(session, row, actor=actor)
    row.state, row.decided_at, row.decided_by_id = target, now or utcnow(), actor.user_id
    row.decision_comment = decision.comment
    session.flush()
    return row


def sync_adjustment_alerts(session: Session, *, now: datetime) -> SyncResult:
    """Open and resolve the alerts on adjustments waiting for approval longer than a day. Caller commits."""
    return alerts_service.sync_alerts(session, queries.waiting_signals(session, now=now), now=now)


def _post(session: Session, row: VmiAdjustment, *, actor: Actor) -> None:
    """One move of the supplier's own stock between the VMI location and the virtual place."""
    store, place = (row.location_id, row.adjustment_location_id)
    source, target = (store, place) if row.direction == AdjustmentDirection.DECREASE else (place, store)
    posted = ledger.post_moves(session, PostingCreate(moves=[MoveCreate(
        item_id=row.item_id, quantity=row.quantity, from_location_id=source, from_owner_id=row.supplier_id,
        to_location_id=target, to_owner_id=row.supplier_id, kind=MoveKind.ADJUSTMENT,
        reference=f"ADJ-{row.id}")]), actor=actor, document=DocumentRef(kind=DocumentKind.ADJUSTMENT, id=row.id))
    row.posting_id = posted.posting_id


def _refuse_short(session: Session, row: VmiAdjustment) -> None:
    if row.direction != AdjustmentDirection.DECREASE:
        return
    on_hand = ledger_queries.on_hand(session, item_id=row.item_id, location_id=row.location_id,
                                     owner_id=row.supplier_id)
    if on_hand < row.quantity:
        item, store, owner = (session.scalar(select(column).where(key == value)) or "" for column, key, value in (
            (Item.code, Item.id, row.item_id), (Location.code, Location.id, row.location_id),
            (Party.code, Party.id, row.supplier_id)))
        raise InsufficientStock([Shortfall(item_code=item, location_code=store, owner_code=owner,
                                           requested=row.quantity, available=on_hand)])


def _refuse_inactive(agreement: VmiAgreement) -> None:
    if agreement.state != AgreementState.ACTIVE:
        raise AgreementNotActive(Reason("agreement #%(id)s is %(state)s: its stock is adjusted only while it runs",
                                        id=agreement.id, state=agreement.state))


def _replay(session: Session, actor: Actor, idempotency_key: str | None, request_hash: str) -> VmiAdjustment | None:
    if idempotency_key is None:
        return None
    return first_answer(queries.find_keyed_adjustment(session, actor.caller_key, idempotency_key), request_hash,
                        label="adjustment")


def _adjustment_place(session: Session, location_id: int | None, *, store_id: int) -> Location:
    """The virtual place named, or the default one at the VMI location's plant (decisions.md)."""
    if location_id is None:
        plant_id = session.scalar(select(Location.plant_id).where(Location.id == store_id))
        return shipment_queries.default_place(session, LocationKind.VIRTUAL, plant_id=plant_id)
    found = session.scalars(select(Location).where(Location.id == location_id)).first()
    if found is None or found.kind != LocationKind.VIRTUAL or not found.active or found.supplier_id is not None:
        raise InvalidInput([FieldError("adjustment_location_id", Reason(
            "location %(id)s is not an active virtual location", id=location_id))])
    return found
