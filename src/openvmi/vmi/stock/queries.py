"""VMI stock view: per active agreement its stock by owner and place, FIFO layers with their age, days
of cover against the demand plan and the last consumptions, read for a whole page of agreements in one
statement each (agreements, balances, layers, consumptions, plan), never one per agreement.

Layers and consumptions are read from the ledger's tables (.importlinter, docs/decisions.md
"Settlement views"); balances and the plan through their features' queries."""
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openvmi.catalog.models import Item, SupplierItem
from openvmi.db import quantize
from openvmi.errors import FieldError, InvalidInput
from openvmi.ledger import queries as ledger_queries
from openvmi.ledger.models import Posting, ReceiptLayer, StockMove
from openvmi.ledger.rules import DocumentKind, MoveKind
from openvmi.locations.models import Location
from openvmi.locations.rules import LocationKind
from openvmi.pagination import MAX_PAGE, decode_cursor
from openvmi.parties import queries as parties_queries
from openvmi.planning import queries as planning_queries
from openvmi.vmi.agreements.models import VmiAgreement
from openvmi.vmi.agreements.rules import AgreementState
from openvmi.vmi.replenishment.queries import Wanted, active_agreements, agreement_head
from openvmi.vmi.stock import rules
from openvmi.vmi.stock.schemas import ConsumptionRead, LayerRead, VmiStockPage, VmiStockRead

_ELSEWHERE = (LocationKind.IN_TRANSIT, LocationKind.QUARANTINE)


def list_vmi_stock(session: Session, wanted: Wanted, *, now: datetime, cursor: str | None = None,
                   limit: int = 50) -> VmiStockPage:
    """One keyset page of active agreements (a supplier session: its own) with their stock."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput([FieldError("limit", f"must be between 1 and {MAX_PAGE}")])
    rows = active_agreements(session, wanted, after=decode_cursor(cursor), limit=limit)
    next_cursor = str(rows[limit - 1].id) if len(rows) > limit else None
    return VmiStockPage(today=now.date(), cover_horizon_days=rules.COVER_HORIZON_DAYS,
                        items=describe_stock(session, rows[:limit], now=now), next_cursor=next_cursor)


def describe_stock(session: Session, rows: Sequence[Any], *, now: datetime) -> list[VmiStockRead]:
    """The stock of the agreements `rows` (as `active_agreements` reads them)."""
    if not rows:
        return []
    buyer_id = parties_queries.get_buyer(session).id
    item_ids, supplier_ids = {r.item_id for r in rows}, {r.supplier_id for r in rows}
    location_ids = {r.location_id for r in rows}
    on_hand: dict[tuple[int, int, int], Decimal] = {}
    elsewhere: dict[tuple[int, int, str, int | None], Decimal] = defaultdict(Decimal)
    for item_id, location_id, owner_id, quantity, kind, plant_id in ledger_queries.owned_stock(
            session, item_ids=item_ids, owner_ids=supplier_ids | {buyer_id},
            kinds=(LocationKind.VMI, *_ELSEWHERE)):
        if kind == LocationKind.VMI:
            on_hand[(item_id, location_id, owner_id)] = quantity
        elif owner_id != buyer_id:
            elsewhere[(item_id, owner_id, kind, plant_id)] += quantity
    layers = _layers(session, item_ids, location_ids)
    consumed = _last_consumptions(session, item_ids, location_ids, supplier_ids)
    today = now.date()
    demand: dict[tuple[int, int], dict[date, Decimal]] = defaultdict(dict)
    for planned in planning_queries.planned_quantities(
            session, today, today + timedelta(days=rules.COVER_HORIZON_DAYS - 1), item_ids=item_ids,
            plant_ids={r.plant_id for r in rows if r.plant_id is not None}):
        demand[(planned.item_id, planned.plant_id)][planned.day] = planned.quantity
    described = []
    for r in rows:
        supplier_owned = on_hand.get((r.item_id, r.location_id, r.supplier_id), Decimal(0))
        planned = demand.get((r.item_id, r.plant_id), {}) if r.plant_id is not None else {}
        # A place of the agreement's plant, or one at no plant (shared), holds stock for it.
        near = {(r.item_id, r.supplier_id, kind, plant) for kind in _ELSEWHERE for plant in {r.plant_id, None}}
        in_place = {kind: sum((elsewhere.get(key, Decimal(0)) for key in near if key[2] == kind), Decimal(0))
                    for kind in _ELSEWHERE}
        described.append(VmiStockRead(
            **agreement_head(r), supplier_owned=supplier_owned,
            buyer_owned=on_hand.get((r.item_id, r.location_id, buyer_id), Decimal(0)),
            in_transit=in_place[LocationKind.IN_TRANSIT], quarantine=in_place[LocationKind.QUARANTINE],
            days_of_cover=rules.days_of_cover(supplier_owned, planned, today=today) if r.plant_id is not None else None,
            demand_planned=rules.plans_demand(planned),
            layers=[LayerRead(received_at=at, age_days=(now - at).days, quantity_left=left,
                              owned_by_supplier=owner_id == r.supplier_id)
                    for owner_id, at, left in layers.get((r.item_id, r.location_id), [])
                    if owner_id in (r.supplier_id, buyer_id)],
            last_consumptions=consumed.get((r.item_id, r.location_id, r.supplier_id), [])))
    return described


def _layers(session: Session, item_ids: set[int], location_ids: set[int]
            ) -> dict[tuple[int, int], list[tuple[int, datetime, Decimal]]]:
    """(owner, received at, left) of every layer holding stock of these items at these places, oldest first."""
    found: dict[tuple[int, int], list[tuple[int, datetime, Decimal]]] = defaultdict(list)
    for item_id, location_id, owner_id, received_at, left in session.execute(
            select(ReceiptLayer.item_id, ReceiptLayer.location_id, ReceiptLayer.owner_id, ReceiptLayer.received_at,
                   ReceiptLayer.quantity_left)
            .where(ReceiptLayer.item_id.in_(item_ids), ReceiptLayer.location_id.in_(location_ids),
                   ReceiptLayer.quantity_left > 0)
            .order_by(ReceiptLayer.received_at, ReceiptLayer.id)):
        found[(item_id, location_id)].append((owner_id, received_at, left))
    return found


def _last_consumptions(session: Session, item_ids: set[int], location_ids: set[int], supplier_ids: set[int]
                       ) -> dict[tuple[int, int, int], list[ConsumptionRead]]:
    """The latest consumptions of each supplier's stock of these items from these places, newest first:
    one statement, ranked per (item, place, supplier) by the database."""
    rank = func.row_number().over(
        partition_by=(StockMove.item_id, StockMove.from_location_id, StockMove.from_owner_id),
        order_by=StockMove.id.desc()).label("rank")
    ranked = (select(StockMove.id, StockMove.item_id, StockMove.from_location_id, StockMove.from_owner_id,
                     StockMove.quantity, StockMove.created_at, StockMove.reference, rank)
              .join(Posting, Posting.id == StockMove.posting_id)
              .where(Posting.document_kind == DocumentKind.CONSUMPTION, StockMove.kind == MoveKind.CONSUMPTION,
                     StockMove.reverses_move_id.is_(None), StockMove.item_id.in_(item_ids),
                     StockMove.from_location_id.in_(location_ids), StockMove.from_owner_id.in_(supplier_ids))
              .subquery())
    found: dict[tuple[int, int, int], list[ConsumptionRead]] = defaultdict(list)
    for move_id, item_id, location_id, owner_id, quantity, at, reference, _ in session.execute(
            select(ranked).where(ranked.c.rank <= rules.LAST_CONSUMPTIONS).order_by(ranked.c.id.desc())):
        found[(item_id, location_id, owner_id)].append(ConsumptionRead(
            move_id=move_id, quantity=quantize(Decimal(str(quantity))), consumed_at=at, reference=reference))
    return found


def item_choices(session: Session) -> list[tuple[int, str]]:
    """(id, "code · name") of items under an active agreement (a supplier: one of its own)."""
    rows = session.execute(
        select(Item.id, Item.code, Item.name).join(SupplierItem, SupplierItem.item_id == Item.id)
        .join(VmiAgreement, VmiAgreement.supplier_item_id == SupplierItem.id)
        .where(VmiAgreement.state == AgreementState.ACTIVE).distinct().order_by(Item.code))
    return [(item_id, f"{code} · {name}") for item_id, code, name in rows]


def location_choices(session: Session) -> list[tuple[int, str]]:
    """(id, "code · name") of VMI locations with an active agreement (a supplier: one of its own)."""
    rows = session.execute(
        select(Location.id, Location.code, Location.name).join(VmiAgreement, VmiAgreement.location_id == Location.id)
        .where(VmiAgreement.state == AgreementState.ACTIVE).distinct().order_by(Location.code))
    return [(location_id, f"{code} · {name}") for location_id, code, name in rows]
