"""Use cases of VMI agreements: draft, change the draft, activate, end. Caller commits."""
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openvmi.catalog.models import SupplierItem
from openvmi.db import quantize, utcnow
from openvmi.errors import Conflict, FieldError, InvalidInput, Reason
from openvmi.locations.models import Location
from openvmi.locations.rules import LocationKind
from openvmi.vmi.agreements import queries, rules
from openvmi.vmi.agreements.models import VmiAgreement
from openvmi.vmi.agreements.rules import AgreementAction, AgreementState
from openvmi.vmi.agreements.schemas import AgreementCreate, AgreementUpdate

QUANTITIES = ("min_level", "max_level")


class AgreementNotEditable(Conflict):
    code = "agreement_not_editable"


class TransitionRefused(Conflict):
    code = "agreement_transition_refused"


class ActiveAgreementExists(Conflict):
    """Another agreement already runs for the same supplier item and VMI location."""

    code = "active_agreement_exists"

    def __init__(self, agreement: VmiAgreement, active_id: int | None) -> None:
        self.problem_extra = {"active_agreement_id": active_id}
        super().__init__(Reason("another agreement (#%(active)s) is already active for this supplier item at this "
                                "VMI location; end it first", active=active_id if active_id is not None else "?"))


def create_agreement(session: Session, request: AgreementCreate, *, actor_id: int | None) -> VmiAgreement:
    """Draft an agreement for a supplier item at one of our VMI locations. Caller commits."""
    values = request.model_dump()
    supplier_item = _checked(session, values)
    row = VmiAgreement(**_stored(values), supplier_id=supplier_item.supplier_id, state=AgreementState.DRAFT,
                       created_by_id=actor_id)
    session.add(row)
    session.flush()
    return row


def update_agreement(session: Session, agreement_id: int, changes: AgreementUpdate) -> VmiAgreement:
    """Change a draft's terms; an active or ended agreement keeps what was agreed. Caller commits."""
    row = queries.get_agreement(session, agreement_id)
    if row.state not in rules.EDITABLE_STATES:
        raise AgreementNotEditable(Reason("agreement #%(id)s is %(state)s: only a draft can be changed",
                                          id=agreement_id, state=row.state))
    given = changes.model_dump(exclude_unset=True)
    values = {field: getattr(row, field) for field in AgreementCreate.model_fields} | given
    supplier_item = _checked(session, values)
    for field, value in _stored(given).items():
        setattr(row, field, value)
    row.supplier_id = supplier_item.supplier_id
    session.flush()
    return row


def activate_agreement(session: Session, agreement_id: int, *, now: datetime | None = None) -> VmiAgreement:
    """Put a draft in force; refused while another agreement runs for the same item and location. Caller commits."""
    row = queries.get_agreement(session, agreement_id)
    now = now or utcnow()
    _transition(row, AgreementAction.ACTIVATE)
    problem = rules.activation_problem(_terms({f: getattr(row, f) for f in rules.Terms.__dataclass_fields__}),
                                       now.date())
    if problem:
        raise TransitionRefused(Reason("agreement #%(id)s cannot be activated: %(why)s", id=agreement_id, why=problem))
    active = queries.find_active_agreement(session, row.supplier_item_id, location_id=row.location_id)
    if active is not None:
        raise ActiveAgreementExists(row, active.id)
    try:
        # A concurrent activation committed after the check above: on PostgreSQL the partial
        # unique index makes this flush wait for it and then fail (on SQLite writers queue, so the
        # check saw it). The savepoint keeps the caller's transaction usable for the answer, and
        # the change is made inside it because beginning a savepoint flushes what is pending.
        with session.begin_nested():
            row.state, row.activated_at = AgreementState.ACTIVE, now
            session.flush()
    except IntegrityError as error:
        if "uq_vmi_agreement_active" not in str(error.orig):
            raise
        active = queries.find_active_agreement(session, row.supplier_item_id, location_id=row.location_id)
        raise ActiveAgreementExists(row, active.id if active else None) from error
    return row


class StockLeft(Conflict):
    """The supplier's stock is still at the VMI location: ending must say what becomes of it."""

    code = "agreement_stock_left"

    def __init__(self, agreement: VmiAgreement, quantity: Decimal) -> None:
        self.problem_extra = {"quantity_left": format(quantity.normalize(), "f")}
        super().__init__(Reason("%(quantity)s of the supplier's stock is still at the VMI location of agreement "
                                "#%(id)s: end it with a buyout or a return to the supplier",
                                quantity=format(quantity.normalize(), "f"), id=agreement.id))


def end_agreement(session: Session, agreement_id: int, *, now: datetime | None = None) -> VmiAgreement:
    """End an agreement (or withdraw a draft); it stays as history. Refused while the supplier's stock is
    left at the VMI location and no drafted successor takes it over. Caller commits."""
    row = queries.get_agreement(session, agreement_id)
    _transition(row, AgreementAction.END)
    if row.state == AgreementState.ACTIVE and queries.find_successor(session, row) is None:
        left = queries.stock_left(session, row)
        if left > 0:
            raise StockLeft(row, left)
    row.state, row.ended_at = AgreementState.ENDED, now or utcnow()
    session.flush()
    return row


def _transition(row: VmiAgreement, action: AgreementAction) -> None:
    if rules.next_state(row.state, action) is None:
        raise TransitionRefused(Reason("agreement #%(id)s is %(state)s: it cannot %(action)s",
                                       id=row.id, state=row.state, action=action.value))


def _terms(values: dict[str, Any]) -> rules.Terms:
    return rules.Terms(min_level=values["min_level"], max_level=values["max_level"],
                       valid_from=values["valid_from"], valid_to=values["valid_to"])


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    return {field: quantize(value) if field in QUANTITIES else value for field, value in values.items()}


def _checked(session: Session, values: dict[str, Any]) -> SupplierItem:
    """The agreement's supplier item, once every term is known good; InvalidInput naming each bad one."""
    errors = [FieldError(field, message) for field, message in rules.term_problems(_terms(values))]
    supplier_item = session.scalars(select(SupplierItem).where(SupplierItem.id == values["supplier_item_id"])).first()
    if supplier_item is None:
        errors.append(FieldError("supplier_item_id",
                                 Reason("no such supplier item: %(id)s", id=values["supplier_item_id"])))
    elif not supplier_item.active:
        errors.append(FieldError("supplier_item_id", Reason("supplier item %(id)s is inactive", id=supplier_item.id)))
    location = session.scalars(select(Location).where(Location.id == values["location_id"])).first()
    if location is None:
        errors.append(FieldError("location_id", Reason("no such location: %(id)s", id=values["location_id"])))
    elif location.kind != LocationKind.VMI or location.plant_id is None:
        errors.append(FieldError("location_id", Reason("location %(code)s is not a VMI location at one of our plants",
                                                        code=location.code)))
    elif not location.active:
        errors.append(FieldError("location_id", Reason("location %(code)s is inactive", code=location.code)))
    if errors:
        raise InvalidInput(errors)
    assert supplier_item is not None
    return supplier_item
