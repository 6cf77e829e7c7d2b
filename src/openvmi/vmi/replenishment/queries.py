"""Replenishment read model: the inputs of every agreement asked for, gathered in a few statements for
all of them at once (agreements, ledger stock, call-offs, the demand plan), then projected by the rules."""
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openvmi.alerts.rules import AlertKind
from openvmi.alerts.schemas import AlertSignal
from openvmi.catalog.models import Item, SupplierItem
from openvmi.enums import N_
from openvmi.errors import Conflict, FieldError, InvalidInput, Reason
from openvmi.ledger import queries as ledger_queries
from openvmi.locations.models import Location
from openvmi.locations.rules import LocationKind
from openvmi.pagination import MAX_PAGE, decode_cursor
from openvmi.parties.models import Party, Plant
from openvmi.planning import queries as planning_queries
from openvmi.scoping import select_rows
from openvmi.supplier_stock.rules import plain_quantity as plain
from openvmi.vmi.agreements.models import VmiAgreement
from openvmi.vmi.agreements.queries import get_agreement
from openvmi.vmi.agreements.rules import AgreementState
from openvmi.vmi.call_offs import queries as call_off_queries
from openvmi.vmi.call_offs.models import CallOffLine
from openvmi.vmi.replenishment import rules
from openvmi.vmi.shipments.models import Shipment, ShipmentLine
from openvmi.vmi.shipments.rules import ShipmentState
from openvmi.vmi.replenishment.schemas import ReplenishmentPage, ReplenishmentRead, SuggestedShipment


class AgreementNotInForce(Conflict):
    code = "agreement_not_active"


@dataclass(frozen=True)
class Wanted:
    """Which active agreements to project; None means any."""

    supplier_id: int | None = None
    item_id: int | None = None
    location_id: int | None = None
    agreement_id: int | None = None
    agreement_ids: tuple[int, ...] | None = None
    item_ids: tuple[int, ...] | None = None


def active_agreements(session: Session, wanted: Wanted, *, after: int | None, limit: int) -> Sequence[Any]:
    """Active agreements with their terms and codes, one row each, `limit + 1` (to know there is more)."""
    statement = (
        select(VmiAgreement.id, VmiAgreement.supplier_id, Party.code.label("supplier_code"), SupplierItem.item_id,
               Item.code.label("item_code"), Item.name.label("item_name"), Item.unit, VmiAgreement.location_id,
               Location.code.label("location_code"), Location.plant_id, Plant.code.label("plant_code"),
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
    if wanted.agreement_ids is not None:
        statement = statement.where(VmiAgreement.id.in_(wanted.agreement_ids))
    if wanted.item_ids is not None:
        statement = statement.where(SupplierItem.item_id.in_(wanted.item_ids))
    if after is not None:
        statement = statement.where(VmiAgreement.id > after)
    return select_rows(session, statement)


def agreement_head(row: Any) -> dict[str, Any]:
    """The fields of `AgreementAtPlace` from a row of `active_agreements`."""
    return {"agreement_id": row.id, "supplier_id": row.supplier_id, "supplier_code": row.supplier_code,
            "item_id": row.item_id, "item_code": row.item_code, "item_name": row.item_name, "unit": row.unit,
            "location_id": row.location_id, "location_code": row.location_code, "plant_code": row.plant_code,
            "min_level": row.min_level, "max_level": row.max_level}


def call_off_arrivals(session: Session, agreement_ids: Sequence[int], *, since: date, until: date
                      ) -> dict[int, dict[date, Decimal]]:
    """Open accepted call-off quantity (accepted, not yet shipped) per agreement and due date; a line
    already late counts on the first day, as it is still owed."""
    arrivals: dict[int, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for owed in call_off_queries.open_accepted_quantities(session, agreement_ids, until=until):
        arrivals[owed.agreement_id][max(owed.due_date, since)] += owed.quantity
    return arrivals


@dataclass(frozen=True)
class Projected:
    """One agreement's row (codes and terms, as `active_agreements` reads it), its inputs and its projection."""

    row: Any
    inputs: rules.Inputs
    projection: rules.Projection


def _project(session: Session, rows: Sequence[Any], *, today: date, horizon_days: Callable[[Any], int]
             ) -> list[Projected]:
    """Gather the inputs of all `rows` in one statement each (ledger stock, call-offs, the plan), then
    project each agreement over its own horizon."""
    if not rows:
        return []
    until = today + timedelta(days=max(horizon_days(row) for row in rows) - 1)
    item_ids, supplier_ids = {row.item_id for row in rows}, {row.supplier_id for row in rows}
    on_hand: dict[tuple[int, int, int], Decimal] = {}
    in_transit: dict[tuple[int, int, int | None], Decimal] = defaultdict(Decimal)
    for item_id, location_id, owner_id, quantity, kind, plant_id in ledger_queries.owned_stock(
            session, item_ids=item_ids, owner_ids=supplier_ids, kinds=(LocationKind.VMI, LocationKind.IN_TRANSIT)):
        if kind == LocationKind.VMI:
            on_hand[(item_id, location_id, owner_id)] = quantity
        else:
            in_transit[(item_id, owner_id, plant_id)] += quantity
    demand: dict[tuple[int, int], dict[date, Decimal]] = defaultdict(dict)
    for item_id, plant_id, day, quantity in planning_queries.planned_quantities(
            session, today, until, item_ids=item_ids, plant_ids={row.plant_id for row in rows if row.plant_id is not None}):
        demand[(item_id, plant_id)][day] = quantity
    arrivals = call_off_arrivals(session, [row.id for row in rows], since=today, until=until)
    shipped = shipment_arrivals(session, [row.id for row in rows], since=today)
    projected = []
    for row in rows:
        terms = rules.Terms(min_level=row.min_level, max_level=row.max_level, lead_time_days=row.lead_time_days,
                            moq=row.moq, pack_size=row.pack_size)
        # An in-transit place at the agreement's plant, or one without a plant (shared), carries its stock.
        transit = in_transit.get((row.item_id, row.supplier_id, row.plant_id), Decimal(0))
        if row.plant_id is not None:
            transit += in_transit.get((row.item_id, row.supplier_id, None), Decimal(0))
        on_the_way = shipped.get(row.id, {})
        transit = max(transit - sum(on_the_way.values(), Decimal(0)), Decimal(0))
        coming = dict(arrivals.get(row.id, {}))
        for day, quantity in on_the_way.items():
            coming[day] = coming.get(day, Decimal(0)) + quantity
        inputs = rules.Inputs(on_hand=on_hand.get((row.item_id, row.location_id, row.supplier_id), Decimal(0)),
                              in_transit_now=transit, arrivals=coming,
                              demand=demand.get((row.item_id, row.plant_id), {}) if row.plant_id is not None else {})
        projected.append(Projected(row, inputs, rules.project(terms, inputs, today=today,
                                                              horizon_days=horizon_days(row))))
    return projected


def _read(item: Projected) -> ReplenishmentRead:
    row, projection = item.row, item.projection
    # Every value comes typed from the database or the rules: checking 56 days x 1,000 agreements again
    # doubled the board's time (bench/README.md). The API still checks what it sends.
    return ReplenishmentRead.model_construct(
        **agreement_head(row), lead_time_days=row.lead_time_days, moq=row.moq, pack_size=row.pack_size,
        on_hand=item.inputs.on_hand, in_transit=item.inputs.in_transit_now,
        first_below_min=projection.first_below_min, run_out=projection.run_out,
        earliest_due=projection.earliest_due,
        suggestions=[SuggestedShipment.model_construct(due=s.due, quantity=s.quantity)
                     for s in projection.suggestions],
        days=projection.days)  # rules.Day has the shape of ProjectedDay


def shipment_arrivals(session: Session, agreement_ids: Sequence[int], *, since: date) -> dict[int, dict[date, Decimal]]:
    """What shipments on the way (nothing received yet) bring per agreement on their expected arrival; one
    already late counts on the first day. Their stock is in transit in the ledger too: the caller takes
    it off what counts as arriving at an unknown time."""
    arrivals: dict[int, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    rows = session.execute(
        select(CallOffLine.agreement_id, Shipment.expected_arrival, func.sum(ShipmentLine.quantity))
        .join(ShipmentLine, ShipmentLine.shipment_id == Shipment.id)
        .join(CallOffLine, CallOffLine.id == ShipmentLine.call_off_line_id)
        .where(Shipment.state == ShipmentState.IN_TRANSIT, CallOffLine.agreement_id.in_(agreement_ids))
        .group_by(CallOffLine.agreement_id, Shipment.expected_arrival))
    for agreement_id, expected, quantity in rows:
        arrivals[agreement_id][max(expected, since)] += Decimal(str(quantity))
    return arrivals


def project_agreements(session: Session, wanted: Wanted, *, today: date, horizon_days: int = rules.DEFAULT_HORIZON_DAYS,
                       cursor: str | None = None, limit: int = 50) -> ReplenishmentPage:
    """Projection and suggestions of one page of active agreements (a supplier session: its own)."""
    if not 1 <= horizon_days <= rules.MAX_HORIZON_DAYS:
        raise InvalidInput([FieldError("horizon_days", f"must be between 1 and {rules.MAX_HORIZON_DAYS}")])
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput([FieldError("limit", f"must be between 1 and {MAX_PAGE}")])
    rows = active_agreements(session, wanted, after=decode_cursor(cursor), limit=limit)
    next_cursor = str(rows[limit - 1].id) if len(rows) > limit else None
    projected = _project(session, rows[:limit], today=today, horizon_days=lambda row: horizon_days)
    return ReplenishmentPage(today=today, horizon_days=horizon_days, items=[_read(p) for p in projected],
                             next_cursor=next_cursor)


def alert_signals(session: Session, wanted: Wanted, *, today: date, batch: int = MAX_PAGE) -> list[AlertSignal]:
    """Below-min, above-max and run-out signals of every active agreement wanted, a batch of agreements
    at a time. The run-out looks only as far as the lead time: beyond it, a shipment can still come."""
    signals: list[AlertSignal] = []
    after = None
    while True:
        rows = active_agreements(session, wanted, after=after, limit=batch)
        for item in _project(session, rows[:batch], today=today, horizon_days=lambda row: min(
                row.lead_time_days + 1, rules.MAX_HORIZON_DAYS)):
            signals += _signals(item)
        if len(rows) <= batch:
            return signals
        after = rows[batch - 1].id


def _signals(item: Projected) -> list[AlertSignal]:
    row, projection, on_hand = item.row, item.projection, item.inputs.on_hand
    subject = {"supplier": row.supplier_code, "item": row.item_code, "unit": row.unit, "location": row.location_code}
    levels = {"on_hand": plain(on_hand), "min_level": plain(row.min_level), "max_level": plain(row.max_level)}
    runs_out = rules.runs_out_within_lead_time(projection)
    # Resolved with figures too, so the alert's stored sentence becomes the resolution's.
    run_out = {"run_out": projection.run_out.isoformat() if runs_out and projection.run_out else None,
               "earliest_due": projection.earliest_due.isoformat()}
    return [AlertSignal(kind=kind, supplier_id=row.supplier_id, item_id=row.item_id, location_id=row.location_id,
                        active=active, numbers=numbers, subject=subject)
            for kind, active, numbers in ((AlertKind.VMI_UNDER_MIN, on_hand < row.min_level, levels),
                                          (AlertKind.VMI_OVER_MAX, on_hand > row.max_level, levels),
                                          (AlertKind.VMI_RUN_OUT, runs_out, run_out))]


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
