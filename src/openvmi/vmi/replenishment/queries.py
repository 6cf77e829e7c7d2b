"""Replenishment read model: the inputs of every agreement asked for, gathered in a few statements for
all of them at once (agreements, ledger stock, call-offs, the demand plan), then projected by the rules."""
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from openvmi.catalog.models import Item, SupplierItem
from openvmi.enums import N_
from openvmi.errors import Conflict, FieldError, InvalidInput, Reason
from openvmi.ledger import queries as ledger_queries
from openvmi.locations.models import Location
from openvmi.locations.rules import LocationKind
from openvmi.pagination import MAX_PAGE, decode_cursor
from openvmi.parties.models import Party, Plant
from openvmi.planning import queries as planning_queries
from openvmi.vmi.agreements.models import VmiAgreement
from openvmi.vmi.agreements.queries import get_agreement
from openvmi.vmi.agreements.rules import AgreementState
from openvmi.vmi.call_offs import queries as call_off_queries
from openvmi.vmi.replenishment import rules
from openvmi.vmi.replenishment.schemas import ProjectedDay, ReplenishmentPage, ReplenishmentRead, SuggestedShipment


class AgreementNotInForce(Conflict):
    code = "agreement_not_active"


@dataclass(frozen=True)
class Wanted:
    """Which active agreements to project; None means any."""

    supplier_id: int | None = None
    item_id: int | None = None
    location_id: int | None = None
    agreement_id: int | None = None


def _agreements(session: Session, wanted: Wanted, *, after: int | None, limit: int) -> Sequence[tuple]:
    statement = (
        select(VmiAgreement.id, VmiAgreement.supplier_id, Party.code, SupplierItem.item_id, Item.code, Item.name,
               Item.unit, VmiAgreement.location_id, Location.code, Location.plant_id, Plant.code,
               VmiAgreement.min_level, VmiAgreement.max_level, SupplierItem.lead_time_days, SupplierItem.moq,
               SupplierItem.pack_size)
        .join(SupplierItem, SupplierItem.id == VmiAgreement.supplier_item_id)
        .join(Item, Item.id == SupplierItem.item_id)
        .join(Party, Party.id == VmiAgreement.supplier_id)
        .join(Location, Location.id == VmiAgreement.location_id)
        .outerjoin(Plant, Plant.id == Location.plant_id)
        .where(VmiAgreement.state == AgreementState.ACTIVE)
        .order_by(VmiAgreement.id).limit(limit + 1))
    for column, value in ((VmiAgreement.supplier_id, wanted.supplier_id), (SupplierItem.item_id, wanted.item_id),
                          (VmiAgreement.location_id, wanted.location_id), (VmiAgreement.id, wanted.agreement_id)):
        if value is not None:
            statement = statement.where(column == value)
    if after is not None:
        statement = statement.where(VmiAgreement.id > after)
    return session.execute(statement).all()


def call_off_arrivals(session: Session, agreement_ids: Sequence[int], *, since: date, until: date
                      ) -> dict[int, dict[date, Decimal]]:
    """Open accepted call-off quantity (accepted, not yet shipped) per agreement and due date; a line
    already late counts on the first day, as it is still owed."""
    arrivals: dict[int, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for owed in call_off_queries.open_accepted_quantities(session, agreement_ids, until=until):
        arrivals[owed.agreement_id][max(owed.due_date, since)] += owed.quantity
    return arrivals


def project_agreements(session: Session, wanted: Wanted, *, today: date, horizon_days: int = rules.DEFAULT_HORIZON_DAYS,
                       cursor: str | None = None, limit: int = 50) -> ReplenishmentPage:
    """Projection and suggestions of one page of active agreements (a supplier session: its own)."""
    if not 1 <= horizon_days <= rules.MAX_HORIZON_DAYS:
        raise InvalidInput([FieldError("horizon_days", f"must be between 1 and {rules.MAX_HORIZON_DAYS}")])
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput([FieldError("limit", f"must be between 1 and {MAX_PAGE}")])
    rows = _agreements(session, wanted, after=decode_cursor(cursor), limit=limit)
    next_cursor = str(rows[limit - 1][0]) if len(rows) > limit else None
    rows = rows[:limit]
    until = today + timedelta(days=horizon_days - 1)
    ids = [row[0] for row in rows]
    item_ids, supplier_ids = {row[3] for row in rows}, {row[1] for row in rows}
    on_hand: dict[tuple[int, int, int], Decimal] = {}
    in_transit: dict[tuple[int, int, int | None], Decimal] = defaultdict(Decimal)
    for item_id, location_id, owner_id, quantity, kind, plant_id in ledger_queries.owned_stock(
            session, item_ids=item_ids, owner_ids=supplier_ids, kinds=(LocationKind.VMI, LocationKind.IN_TRANSIT)):
        if kind == LocationKind.VMI:
            on_hand[(item_id, location_id, owner_id)] = quantity
        else:
            in_transit[(item_id, owner_id, plant_id)] += quantity
    demand: dict[tuple[int, int], dict[date, Decimal]] = defaultdict(dict)
    for planned in planning_queries.planned_quantities(session, today, until, item_ids=item_ids,
                                                       plant_ids={row[9] for row in rows if row[9] is not None}):
        demand[(planned.item_id, planned.plant_id)][planned.day] = planned.quantity
    arrivals = call_off_arrivals(session, ids, since=today, until=until)
    items = []
    for (agreement_id, supplier_id, supplier_code, item_id, item_code, item_name, unit, location_id, location_code,
         plant_id, plant_code, min_level, max_level, lead_time_days, moq, pack_size) in rows:
        terms = rules.Terms(min_level=min_level, max_level=max_level, lead_time_days=lead_time_days, moq=moq,
                            pack_size=pack_size)
        # An in-transit location of the agreement's plant, or one without a plant (shared), carries its stock.
        transit = in_transit.get((item_id, supplier_id, plant_id), Decimal(0))
        if plant_id is not None:
            transit += in_transit.get((item_id, supplier_id, None), Decimal(0))
        inputs = rules.Inputs(on_hand=on_hand.get((item_id, location_id, supplier_id), Decimal(0)),
                              in_transit_now=transit, arrivals=arrivals.get(agreement_id, {}),
                              demand=demand.get((item_id, plant_id), {}) if plant_id is not None else {})
        projection = rules.project(terms, inputs, today=today, horizon_days=horizon_days)
        items.append(ReplenishmentRead(
            agreement_id=agreement_id, supplier_id=supplier_id, supplier_code=supplier_code, item_id=item_id,
            item_code=item_code, item_name=item_name, unit=unit, location_id=location_id, location_code=location_code,
            plant_code=plant_code, min_level=min_level, max_level=max_level, lead_time_days=lead_time_days, moq=moq,
            pack_size=pack_size, on_hand=inputs.on_hand, in_transit=transit,
            first_below_min=projection.first_below_min, run_out=projection.run_out,
            earliest_due=projection.earliest_due,
            suggestions=[SuggestedShipment(due=s.due, quantity=s.quantity) for s in projection.suggestions],
            days=[ProjectedDay(day=d.day, arriving=d.arriving, demand=d.demand, projected=d.projected,
                               with_suggestions=d.with_suggestions) for d in projection.days]))
    return ReplenishmentPage(today=today, horizon_days=horizon_days, items=items, next_cursor=next_cursor)


def project_agreement(session: Session, agreement_id: int, *, today: date,
                      horizon_days: int = rules.DEFAULT_HORIZON_DAYS) -> ReplenishmentRead:
    """One agreement's projection; NotFound when it is another supplier's, AgreementNotInForce for a
    draft or an ended one."""
    get_agreement(session, agreement_id)
    page = project_agreements(session, Wanted(agreement_id=agreement_id), today=today, horizon_days=horizon_days)
    if not page.items:
        raise AgreementNotInForce(Reason(N_("VMI agreement #%(id)s is not active: only an agreement in force "
                                            "is replenished."), id=agreement_id))
    return page.items[0]
