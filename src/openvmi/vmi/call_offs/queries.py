"""Read models of call-offs: one by id, lists, and what the supplier has promised and not shipped yet."""
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openvmi.db import get_by_id
from openvmi.vmi.call_offs.models import CallOff, CallOffLine
from openvmi.vmi.call_offs.rules import OPEN_ACCEPTED_STATES


@dataclass(frozen=True)
class OpenAccepted:
    agreement_id: int
    due_date: date
    quantity: Decimal  # accepted and not yet shipped (what is shipped is in transit already)


def open_accepted_quantities(session: Session, agreement_ids: Collection[int] | None = None, *,
                             until: date | None = None) -> list[OpenAccepted]:
    """Per agreement and due date, what accepted call-offs still have to bring: one set-based statement."""
    left = func.sum(CallOffLine.quantity - CallOffLine.shipped_quantity)
    statement = (select(CallOffLine.agreement_id, CallOffLine.due_date, left)
                 .join(CallOff, CallOff.id == CallOffLine.call_off_id)
                 .where(CallOff.state.in_([str(state) for state in OPEN_ACCEPTED_STATES]),
                        CallOffLine.quantity > CallOffLine.shipped_quantity)
                 .group_by(CallOffLine.agreement_id, CallOffLine.due_date)
                 .order_by(CallOffLine.agreement_id, CallOffLine.due_date))
    if agreement_ids is not None:
        statement = statement.where(CallOffLine.agreement_id.in_(list(agreement_ids)))
    if until is not None:
        statement = statement.where(CallOffLine.due_date <= until)
    return [OpenAccepted(agreement_id, due_date, Decimal(str(quantity)).quantize(Decimal("0.000001")))
            for agreement_id, due_date, quantity in session.execute(statement)]


def get_call_off(session: Session, call_off_id: int) -> CallOff:
    """The call-off; NotFound when there is none or it is another supplier's."""
    return get_by_id(session, CallOff, call_off_id, label="call-off")
