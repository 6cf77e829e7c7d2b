"""Read models of call-offs: one by id, lists, and what the supplier has promised and not shipped yet."""
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openvmi.auth.queries import usernames
from openvmi.catalog.models import Item, SupplierItem
from openvmi.db import get_by_id
from openvmi.locations.models import Location
from openvmi.pagination import fetch_page, where_given
from openvmi.parties.models import Party
from openvmi.vmi.agreements.models import VmiAgreement
from openvmi.vmi.call_offs.models import CallOff, CallOffEvent, CallOffLine
from openvmi.vmi.call_offs.rules import OPEN_ACCEPTED_STATES, CallOffState, line_state
from openvmi.vmi.call_offs.schemas import (
    CallOffEventRead, CallOffLineRead, CallOffPage, CallOffRead, CallOffSummary,
)


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


def describe_call_off(session: Session, call_off_id: int) -> CallOffRead:
    """The call-off with its lines (item, place, tolerance) and its history, as people read it."""
    row = get_call_off(session, call_off_id)
    supplier = session.execute(select(Party.code, Party.name).where(Party.id == row.supplier_id)).one()
    lines = session.execute(
        select(CallOffLine, Item.id, Item.code, Item.name, Item.unit, Location.code,
               VmiAgreement.over_shipment_tolerance_percent)
        .join(VmiAgreement, VmiAgreement.id == CallOffLine.agreement_id)
        .join(SupplierItem, SupplierItem.id == VmiAgreement.supplier_item_id)
        .join(Item, Item.id == SupplierItem.item_id)
        .join(Location, Location.id == VmiAgreement.location_id)
        .where(CallOffLine.call_off_id == row.id).order_by(CallOffLine.id))
    events = list(session.scalars(select(CallOffEvent).where(CallOffEvent.call_off_id == row.id)
                                  .order_by(CallOffEvent.id)))
    names = usernames(session, {event.actor_id for event in events if event.actor_id is not None})
    return CallOffRead(
        id=row.id, supplier_id=row.supplier_id, supplier_code=supplier.code, supplier_name=supplier.name,
        state=row.state, note=row.note, created_at=row.created_at, changed_at=row.changed_at,
        lines=[CallOffLineRead(
            id=line.id, agreement_id=line.agreement_id, item_id=item_id, item_code=item_code, item_name=item_name,
            unit=unit, location_code=location_code, quantity=line.quantity, due_date=line.due_date,
            proposed_quantity=line.proposed_quantity, proposed_due_date=line.proposed_due_date,
            shipped_quantity=line.shipped_quantity, tolerance_percent=tolerance,
            state=line_state(line.quantity, line.shipped_quantity))
            for line, item_id, item_code, item_name, unit, location_code, tolerance in lines],
        history=[CallOffEventRead(action=event.action, from_state=event.from_state, to_state=event.to_state,
                                  actor_id=event.actor_id, actor_name=names.get(event.actor_id or 0), at=event.at,
                                  note=event.note)
                 for event in events])


def list_call_offs(session: Session, *, state: CallOffState | None, supplier_id: int | None, cursor: str | None,
                   limit: int) -> CallOffPage:
    """Call-offs the caller may see (a supplier: its own), newest first, one keyset page at a time."""
    statement = where_given(select(CallOff), (CallOff.state, state), (CallOff.supplier_id, supplier_id))
    rows, next_cursor = fetch_page(session, statement, CallOff.id, cursor=cursor, limit=limit, descending=True)
    ids = [row.id for row in rows]
    counts = {call_off_id: (count, first) for call_off_id, count, first in session.execute(
        select(CallOffLine.call_off_id, func.count(), func.min(CallOffLine.due_date))
        .where(CallOffLine.call_off_id.in_(ids)).group_by(CallOffLine.call_off_id))}
    codes = dict(session.execute(select(Party.id, Party.code)
                                 .where(Party.id.in_({row.supplier_id for row in rows}))).all())
    return CallOffPage(items=[CallOffSummary(
        id=row.id, supplier_id=row.supplier_id, supplier_code=codes[row.supplier_id], state=row.state,
        created_at=row.created_at, changed_at=row.changed_at, line_count=counts.get(row.id, (0, None))[0],
        first_due_date=counts.get(row.id, (0, None))[1]) for row in rows], next_cursor=next_cursor)
