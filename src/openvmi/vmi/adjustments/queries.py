"""Read models of adjustments: one by id, a keyset page, the keyed one, and who waits too long for approval."""
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from openvmi.alerts.rules import AlertKind
from openvmi.alerts.schemas import AlertSignal
from openvmi.catalog.models import Item
from openvmi.db import get_by_id
from openvmi.locations.models import Location
from openvmi.pagination import fetch_page, where_given
from openvmi.parties.models import Party
from openvmi.vmi.adjustments import rules
from openvmi.vmi.adjustments.models import VmiAdjustment
from openvmi.vmi.adjustments.rules import AdjustmentState
from openvmi.vmi.adjustments.schemas import AdjustmentPage, AdjustmentRead
from openvmi.vmi.agreements.models import VmiAgreement

# A resolution's figures: none is waiting any more.
NONE_WAITING = {"count": "0"}


def get_adjustment(session: Session, adjustment_id: int) -> VmiAdjustment:
    """The adjustment; NotFound when there is none or it is another supplier's."""
    return get_by_id(session, VmiAdjustment, adjustment_id, label="adjustment")


def find_keyed_adjustment(session: Session, caller_key: str, idempotency_key: str) -> VmiAdjustment | None:
    return session.scalars(select(VmiAdjustment).where(VmiAdjustment.caller_key == caller_key,
                                                       VmiAdjustment.idempotency_key == idempotency_key)).first()


def _described() -> Select[Any]:
    return (select(VmiAdjustment, Party.code, Item.code, Location.code)
            .join(Party, Party.id == VmiAdjustment.supplier_id)
            .join(Item, Item.id == VmiAdjustment.item_id)
            .join(Location, Location.id == VmiAdjustment.location_id))


def _read(row: VmiAdjustment, supplier_code: str, item_code: str, location_code: str, *,
          replayed: bool = False) -> AdjustmentRead:
    return AdjustmentRead(
        id=row.id, agreement_id=row.agreement_id, supplier_id=row.supplier_id, supplier_code=supplier_code,
        item_id=row.item_id, item_code=item_code, location_id=row.location_id, location_code=location_code,
        adjustment_location_id=row.adjustment_location_id, direction=row.direction, quantity=row.quantity,
        reason=row.reason, comment=row.comment, state=row.state, requested_at=row.requested_at,
        requested_by_id=row.requested_by_id, decided_at=row.decided_at, decided_by_id=row.decided_by_id,
        decision_comment=row.decision_comment, posting_id=row.posting_id, replayed=replayed)


def describe_adjustment(session: Session, adjustment_id: int, *, replayed: bool = False) -> AdjustmentRead:
    get_adjustment(session, adjustment_id)  # the supplier boundary: another's is not found
    found = session.execute(_described().where(VmiAdjustment.id == adjustment_id)).one()
    return _read(*found, replayed=replayed)


def list_adjustments(session: Session, *, state: AdjustmentState | None, agreement_id: int | None,
                     supplier_id: int | None, cursor: str | None, limit: int) -> AdjustmentPage:
    """Adjustments the caller may see (a supplier: its own), oldest first: the approval queue reads in order."""
    statement = where_given(select(VmiAdjustment), (VmiAdjustment.state, state),
                            (VmiAdjustment.agreement_id, agreement_id), (VmiAdjustment.supplier_id, supplier_id))
    rows, next_cursor = fetch_page(session, statement, VmiAdjustment.id, cursor=cursor, limit=limit)
    described = {row[0].id: row for row in session.execute(
        _described().where(VmiAdjustment.id.in_([row.id for row in rows])))}
    return AdjustmentPage(items=[_read(*described[row.id]) for row in rows], next_cursor=next_cursor)


def waiting_signals(session: Session, *, now: datetime) -> list[AlertSignal]:
    """One signal per supplier with a VMI agreement: active while one of its adjustments has waited for
    approval longer than a day (with the count and the oldest), so the alert resolves once decided."""
    suppliers = dict(session.execute(select(Party.id, Party.code).where(
        Party.id.in_(select(VmiAgreement.supplier_id).distinct()))).all())
    waiting: dict[int, dict[str, str]] = {}
    for adjustment_id, supplier_id, requested_at in session.execute(
            select(VmiAdjustment.id, VmiAdjustment.supplier_id, VmiAdjustment.requested_at)
            .where(VmiAdjustment.state == AdjustmentState.PENDING)
            .order_by(VmiAdjustment.requested_at, VmiAdjustment.id)):
        if not rules.waited_too_long(requested_at, now):
            continue
        if supplier_id in waiting:
            waiting[supplier_id]["count"] = str(int(waiting[supplier_id]["count"]) + 1)
        else:  # oldest first: the first one is the oldest
            waiting[supplier_id] = {"count": "1", "oldest": f"#{adjustment_id}"}
    return [AlertSignal(kind=AlertKind.VMI_ADJUSTMENT_WAITING, supplier_id=supplier_id, item_id=None,
                        location_id=None, active=supplier_id in waiting,
                        numbers=waiting.get(supplier_id, NONE_WAITING), subject={"supplier": code})
            for supplier_id, code in suppliers.items()]
