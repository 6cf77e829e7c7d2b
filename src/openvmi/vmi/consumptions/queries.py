"""Read models of consumptions: what a request's lines name (items, places, agreements in force,
prices), one consumption as read, and the one an Idempotency-Key already made."""
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Integer, String, bindparam, cast, func, literal, null, or_, select, tuple_, union_all
from sqlalchemy.orm import Session

from openvmi.catalog import rules as price_rules
from openvmi.catalog.models import Item, SupplierItem, SupplierItemPrice
from openvmi.errors import NotFound
from openvmi.ledger import queries as ledger_queries
from openvmi.locations.models import Location
from openvmi.locations.rules import LocationKind
from openvmi.parties.models import Party, Plant
from openvmi.scoping import select_rows
from openvmi.settlement.models import SettlementLine
from openvmi.settlement.rules import SettlementKind
from openvmi.vmi.agreements.models import VmiAgreement
from openvmi.vmi.agreements.rules import AgreementState
from openvmi.vmi.consumptions.models import Consumption, ConsumptionLine
from openvmi.vmi.consumptions.rules import Candidate
from openvmi.vmi.shipments import queries as places
from openvmi.vmi.consumptions.schemas import (
    ConsumptionLineCreate, ConsumptionLineRead, ConsumptionRead, RecentLine,
)


@dataclass(frozen=True)
class Place:
    """A location a line names, with the party owning its plant (who owns what production takes) and the
    plant's production place (shipments.queries.default_place; None when none is set up)."""

    id: int
    code: str
    kind: str
    active: bool
    plant_id: int | None
    buyer_id: int | None
    production_id: int | None


@dataclass(frozen=True)
class Named:
    """What the lines of a request name, each looked up once."""

    items: dict[str | int, int]  # code or id -> item id
    item_codes: dict[int, str]
    locations: dict[str | int, Place]  # code or id -> place
    suppliers: dict[str | int, int]  # code or id -> supplier id


def names_in(session: Session, lines: Sequence[ConsumptionLineCreate]) -> Named:
    """The items, locations (with their plant's production place) and suppliers the lines name, by code or
    id: one statement for any number of lines."""
    parameters = {f"{field}s": list({getattr(line, field) for line in lines if getattr(line, field) is not None})
                  for what in ("item", "location", "supplier") for field in (f"{what}_code", f"{what}_id")}
    items: dict[str | int, int] = {}
    item_codes: dict[int, str] = {}
    locations: dict[str | int, Place] = {}
    suppliers: dict[str | int, int] = {}
    for what, row_id, code, *place in select_rows(session, _NAMES, parameters):
        if what == "item":
            items[code] = items[row_id] = row_id
            item_codes[row_id] = code
        elif what == "location":
            locations[code] = locations[row_id] = Place(row_id, code, *place)
        else:
            suppliers[code] = suppliers[row_id] = row_id
    return Named(items, item_codes, locations, suppliers)


# Built once: constructing statements on every call cost more than running them (ledger.references).
_NO_ID, _NO_TEXT, _NO_FLAG = cast(null(), Integer), cast(null(), String), cast(null(), Boolean)
_NAMES = union_all(
    select(literal("location"), Location.id, Location.code, Location.kind, Location.active, Location.plant_id,
           Plant.party_id, places.default_place_id(LocationKind.PRODUCTION, Location.plant_id))
    .outerjoin(Plant, Plant.id == Location.plant_id)
    .where(or_(Location.code.in_(bindparam("location_codes", expanding=True)),
               Location.id.in_(bindparam("location_ids", expanding=True)))),
    select(literal("item"), Item.id, Item.code, _NO_TEXT, _NO_FLAG, _NO_ID, _NO_ID, _NO_ID)
    .where(or_(Item.code.in_(bindparam("item_codes", expanding=True)),
               Item.id.in_(bindparam("item_ids", expanding=True)))),
    select(literal("supplier"), Party.id, Party.code, _NO_TEXT, _NO_FLAG, _NO_ID, _NO_ID, _NO_ID)
    .where(Party.kind == "supplier", or_(Party.code.in_(bindparam("supplier_codes", expanding=True)),
                                         Party.id.in_(bindparam("supplier_ids", expanding=True)))))


def candidates(session: Session, pairs: Collection[tuple[int, int]], *,
               day: date) -> tuple[dict[tuple[int, int], list[Candidate]], dict[int, list[price_rules.PricePeriod]]]:
    """The agreements in force on `day` (active, within their validity) per (item, VMI location), and every
    dated price break of their supplier items (catalog.rules.price_on picks one): one query, and one more
    for the suppliers' stock where two agreements cover one item and place."""
    if not pairs:
        return {}, {}
    rows = select_rows(session, _CANDIDATES, {"day": day, "pairs": sorted(pairs)})
    prices: dict[int, list[price_rules.PricePeriod]] = {}
    agreements = {}
    for row in rows:
        agreements[row.id] = row
        breaks = prices.setdefault(row.supplier_item_id, [])
        if row.price is not None:
            breaks.append(price_rules.PricePeriod(row.price, row.price_currency, row.valid_from, row.valid_to,
                                                  row.min_quantity))
    per_pair: dict[tuple[int, int], int] = {}
    for row in agreements.values():
        per_pair[(row.item_id, row.location_id)] = per_pair.get((row.item_id, row.location_id), 0) + 1
    # Whose stock it is matters only where two suppliers are in force (rules.choose_agreement).
    stock = ledger_queries.on_hand_of(session, [(row.item_id, row.location_id, row.supplier_id)
                                                for row in agreements.values()
                                                if per_pair[(row.item_id, row.location_id)] > 1])
    found: dict[tuple[int, int], list[Candidate]] = {}
    for row in agreements.values():
        found.setdefault((row.item_id, row.location_id), []).append(Candidate(
            agreement_id=row.id, supplier_id=row.supplier_id, supplier_item_id=row.supplier_item_id,
            currency=row.currency, tax_rate_percent=row.tax_rate_percent, min_level=row.min_level,
            max_level=row.max_level,
            on_hand=stock.get((row.item_id, row.location_id, row.supplier_id), Decimal(0))))
    return found, prices


_CANDIDATES = (
    select(VmiAgreement.id, VmiAgreement.supplier_id, VmiAgreement.supplier_item_id, VmiAgreement.location_id,
           VmiAgreement.currency, VmiAgreement.tax_rate_percent, VmiAgreement.min_level, VmiAgreement.max_level,
           SupplierItem.item_id, SupplierItemPrice.price, SupplierItemPrice.currency.label("price_currency"),
           SupplierItemPrice.valid_from, SupplierItemPrice.valid_to, SupplierItemPrice.min_quantity)
    .join(SupplierItem, SupplierItem.id == VmiAgreement.supplier_item_id)
    .outerjoin(SupplierItemPrice, SupplierItemPrice.supplier_item_id == VmiAgreement.supplier_item_id)
    .where(VmiAgreement.state == AgreementState.ACTIVE, VmiAgreement.valid_from <= bindparam("day"),
           or_(VmiAgreement.valid_to.is_(None), VmiAgreement.valid_to >= bindparam("day")),
           tuple_(SupplierItem.item_id, VmiAgreement.location_id).in_(bindparam("pairs", expanding=True)))
    .order_by(VmiAgreement.id))


def find_keyed_consumption(session: Session, caller_key: str, idempotency_key: str) -> Consumption | None:
    return session.scalars(select(Consumption).where(Consumption.caller_key == caller_key,
                                                     Consumption.idempotency_key == idempotency_key)).first()


def returned_quantities(session: Session, settlement_line_ids: Collection[int]) -> dict[int, Decimal]:
    """How much of each consumption's settlement line came back from production (a positive figure)."""
    if not settlement_line_ids:
        return {}
    return {line_id: -total for line_id, total in session.execute(
        select(SettlementLine.reverses_line_id, func.sum(SettlementLine.quantity))
        .where(SettlementLine.kind == SettlementKind.REVERSAL,
               SettlementLine.reverses_line_id.in_(sorted(settlement_line_ids)))
        .group_by(SettlementLine.reverses_line_id))}


def describe_consumption(session: Session, consumption_id: int, *, replayed: bool = False) -> ConsumptionRead:
    """The consumption with its lines; NotFound when there is none or (for a supplier) none of its lines is the
    caller's: a supplier sees only what was taken of its own stock."""
    row = session.get(Consumption, consumption_id)
    found = session.execute(
        select(ConsumptionLine, Item.code, SettlementLine.unit_price, SettlementLine.currency,
               SettlementLine.net_amount, SettlementLine.price_day)
        .join(Item, Item.id == ConsumptionLine.item_id)
        .join(SettlementLine, SettlementLine.id == ConsumptionLine.settlement_line_id)
        .where(ConsumptionLine.consumption_id == consumption_id).order_by(ConsumptionLine.id)).all()
    if row is None or not found:
        raise NotFound(f"no such consumption: {consumption_id}")
    returned = returned_quantities(session, [line.settlement_line_id for line, *_ in found])
    return ConsumptionRead(id=row.id, reference=row.reference, created_at=row.created_at,
                           created_by_id=row.created_by_id, replayed=replayed, lines=[ConsumptionLineRead(
        id=line.id, item_id=line.item_id, item_code=code, location_id=line.location_id,
        production_location_id=line.production_location_id, supplier_id=line.supplier_id,
        agreement_id=line.agreement_id, quantity=line.quantity,
        returned_quantity=returned.get(line.settlement_line_id, Decimal(0)), move_id=line.move_id,
        settlement_line_id=line.settlement_line_id, unit_price=unit_price, currency=currency, net_amount=net_amount,
        price_day=price_day) for line, code, unit_price, currency, net_amount, price_day in found])


def list_recent_lines(session: Session, *, location_id: int | None = None, limit: int = 10) -> list[RecentLine]:
    """The latest consumption lines, newest first (at one VMI location when given), with what came back of each."""
    query = (select(ConsumptionLine, Consumption.created_at, Item.code, Item.name, Item.unit, Location.code,
                    Party.code)
             .join(Consumption, Consumption.id == ConsumptionLine.consumption_id)
             .join(Item, Item.id == ConsumptionLine.item_id)
             .join(Location, Location.id == ConsumptionLine.location_id)
             .join(Party, Party.id == ConsumptionLine.supplier_id)
             .order_by(ConsumptionLine.id.desc()).limit(limit))
    if location_id is not None:
        query = query.where(ConsumptionLine.location_id == location_id)
    found = session.execute(query).all()
    returned = returned_quantities(session, [line.settlement_line_id for line, *_ in found])
    return [RecentLine(consumption_id=line.consumption_id, line_id=line.id, created_at=created_at, item_code=code,
                       item_name=name, unit=unit, location_code=location_code, supplier_code=supplier_code,
                       quantity=line.quantity, returned_quantity=returned.get(line.settlement_line_id, Decimal(0)))
            for line, created_at, code, name, unit, location_code, supplier_code in found]


def line_link_violations(session: Session) -> list[str]:
    """Consumption lines whose copied columns differ from their move's (item, store, production place,
    supplier, buyer) or their settlement line's (supplier, agreement, item), one sentence each: those
    columns carry no foreign keys (models.ConsumptionLine says why), so equality with rows whose keys
    check them is what proves they name real rows. With ledger_queries.invariant_violations, used by
    tests and benchmarks."""
    line, owed = ConsumptionLine, SettlementLine
    loose = session.scalars(
        select(line.id).outerjoin(owed, owed.id == line.settlement_line_id)
        .where(or_(ledger_queries.not_the_move(
                       line.move_id, item_id=line.item_id, from_location_id=line.location_id,
                       from_owner_id=line.supplier_id, to_location_id=line.production_location_id,
                       to_owner_id=line.buyer_id),
                   owed.id.is_(None), line.supplier_id != owed.supplier_id, line.agreement_id != owed.agreement_id,
                   line.item_id != owed.item_id))
        .order_by(line.id)).all()
    return [f"consumption line {line_id}: differs from its move or settlement line" for line_id in loose]
