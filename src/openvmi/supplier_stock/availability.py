"""Availability, a read model: who can deliver each item soonest, from suppliers' published stock,
their lead times and our own VMI and in-transit stock (read through ledger.figures, never written)."""
import base64
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from openvmi.alerts import queries as alerts_queries
from openvmi.catalog.models import Item, SupplierItem
from openvmi.db import utcnow
from openvmi.errors import FieldError, InvalidInput
from openvmi.ledger import figures
from openvmi.listing import like_pattern
from openvmi.locations.models import Location
from openvmi.locations.rules import AVAILABLE_KINDS, LocationKind
from openvmi.parties.models import Party
from openvmi.supplier_stock import rules
from openvmi.supplier_stock.models import SupplierStock
from openvmi.supplier_stock.rules import AvailabilitySource
from openvmi.supplier_stock.schemas import AvailabilityQuery, AvailabilityRead, ItemAvailability

# What availability offers from the ledger: available stock at our VMI stores or on its way to us
# (the buyer's own warehouse stock is no supplier's to deliver; quarantine is never available).
BUYER_SIDE_KINDS = AVAILABLE_KINDS - {LocationKind.WAREHOUSE}


def list_availability(session: Session, query: AvailabilityQuery, *, now: datetime | None = None) -> AvailabilityRead:
    """Who can deliver each item soonest: our VMI and in-transit stock, every supplier's available
    stock with its freshness and alert state, and suppliers with none yet by next-available date or
    lead time. Items come a page at a time in code order; `next_cursor` asks for the next page."""
    now = now or utcnow()
    today = now.date()
    items, next_cursor = _items_for(session, query)
    if not items:
        return AvailabilityRead(items=[], next_cursor=None)
    item_ids = [i.id for i in items]
    # Lines are gathered as plain dicts and checked once per item, in one call into pydantic's
    # core: building a thousand models one by one was a third of the answer's time (bench/README.md).
    lines: dict[int, list[dict[str, Any]]] = {i: [] for i in item_ids}
    alerts = alerts_queries.open_stock_alerts(session, item_ids=item_ids)
    site = Location.__table__
    published = session.execute(  # plain columns: a thousand suppliers answer, no entities needed
        select(SupplierStock.supplier_id, SupplierStock.item_id, SupplierStock.location_id, SupplierStock.on_hand,
               SupplierStock.available, SupplierStock.next_available_date, SupplierStock.lead_time_days,
               SupplierStock.reported_at, Party.code, Party.name, Party.stale_after_days, site.c.code,
               SupplierItem.lead_time_days)
        .join(Party, Party.id == SupplierStock.supplier_id)
        .join(site, site.c.id == SupplierStock.location_id)
        .outerjoin(SupplierItem, (SupplierItem.supplier_id == SupplierStock.supplier_id)
                   & (SupplierItem.item_id == SupplierStock.item_id))
        .where(SupplierStock.item_id.in_(item_ids)))
    for (supplier_id, item_id, location_id, on_hand, available, next_date, own_lead_time, reported_at, code, name,
         stale_after, site_code, item_lead_time) in published:
        lead_time = own_lead_time if own_lead_time is not None else item_lead_time
        lines[item_id].append(_supplier_line(
            supplier_id=supplier_id, code=code, name=name, location_id=location_id, site_code=site_code,
            on_hand=on_hand, available=available, next_date=next_date, lead_time=lead_time, reported_at=reported_at,
            stale_after=stale_after, now=now, alert=alerts.get((supplier_id, item_id))))
    unpublished = session.execute(  # the database leaves out who has published: most have
        select(SupplierItem.supplier_id, SupplierItem.item_id, SupplierItem.lead_time_days, Party.code, Party.name)
        .join(Party, Party.id == SupplierItem.supplier_id)
        .where(SupplierItem.item_id.in_(item_ids), SupplierItem.active.is_(True), Party.active.is_(True),
               ~exists().where(SupplierStock.supplier_id == SupplierItem.supplier_id,
                               SupplierStock.item_id == SupplierItem.item_id)))
    for supplier_id, item_id, lead_time, code, name in unpublished:
        lines[item_id].append(_supplier_line(
            supplier_id=supplier_id, code=code, name=name, location_id=None, site_code=None, on_hand=Decimal(0),
            available=Decimal(0), next_date=None, lead_time=lead_time, reported_at=None, stale_after=None,
            now=now, alert=alerts.get((supplier_id, item_id))))
    for stock in figures.on_hand_at(session, item_ids=item_ids, kinds=BUYER_SIDE_KINDS):
        lines[stock.item_id].append(_buyer_side_line(stock, today=today))
    for item_id in item_ids:
        lines[item_id].sort(key=lambda line: rules.delivery_rank(
            deliverable=line["deliverable_on"], source=line["source"], available=line["available"],
            age_seconds=(line["age_hours"] or 0) * 3600))
    return AvailabilityRead(items=[ItemAvailability(
        item_id=i.id, item_code=i.code, item_name=i.name, unit=i.unit,
        total_available=sum((ln["available"] for ln in lines[i.id] if ln["source"] == AvailabilitySource.SUPPLIER),
                            Decimal(0)),
        buyer_side=sum((ln["available"] for ln in lines[i.id] if ln["source"] != AvailabilitySource.SUPPLIER),
                       Decimal(0)),
        lines=lines[i.id]) for i in items], next_cursor=next_cursor)


def _items_for(session: Session, query: AvailabilityQuery) -> tuple[list[Item], str | None]:
    """One page of the items asked for, in code order (a code is unique, so it is the keyset)."""
    conditions = []
    if query.item_ids:
        conditions.append(Item.id.in_(query.item_ids))
    if query.item_codes:
        conditions.append(Item.code.in_(query.item_codes))
    if query.search:
        conditions.append(_all_words(query.search))
    if not conditions:
        return [], None
    statement = select(Item).where(or_(*conditions))
    after = decode_code_cursor(query.cursor)
    if after is not None:
        statement = statement.where(Item.code > after)
    items = list(session.scalars(statement.order_by(Item.code).limit(query.limit + 1)))
    if len(items) > query.limit:
        return items[:query.limit], encode_code_cursor(items[query.limit - 1].code)
    return items, None


def _all_words(search: str) -> ColumnElement[bool]:
    """Every word typed must be in the item's code or name, in any order ("螺栓 M10")."""
    return and_(*(or_(func.lower(Item.code).like(pattern, escape="\\"),
                      func.lower(Item.name).like(pattern, escape="\\"))
                  for pattern in (like_pattern(word) for word in search.split())))


def encode_code_cursor(code: str) -> str:
    return base64.urlsafe_b64encode(code.encode()).decode().rstrip("=")


def decode_code_cursor(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        code = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode()
    except (ValueError, UnicodeDecodeError):  # binascii.Error is a ValueError
        code = ""
    if not code or "\x00" in code:  # a NUL is no code, and PostgreSQL refuses it in a comparison
        raise InvalidInput([FieldError("cursor", "not a cursor returned by this API")])
    return code


def _supplier_line(*, supplier_id: int, code: str, name: str, location_id: int | None, site_code: str | None,
                   on_hand: Decimal, available: Decimal, next_date: date | None, lead_time: int | None,
                   reported_at: datetime | None, stale_after: int | None, now: datetime,
                   alert: tuple[int, str] | None) -> dict[str, Any]:
    age_hours = (now - reported_at).total_seconds() / 3600 if reported_at is not None else None
    return dict(
        source=AvailabilitySource.SUPPLIER, supplier_id=supplier_id, supplier_code=code, supplier_name=name,
        location_id=location_id, site_code=site_code, on_hand=on_hand, available=available,
        next_available_date=next_date if available == 0 else None, lead_time_days=lead_time,
        deliverable_on=rules.deliverable_on(source=AvailabilitySource.SUPPLIER, available=available,
                                            next_available_date=next_date, lead_time_days=lead_time,
                                            today=now.date()),
        reported_at=reported_at, age_hours=round(age_hours, 1) if age_hours is not None else None,
        stale=stale_after is not None and rules.is_stale(reported_at, now=now, stale_after_days=stale_after),
        alert_id=alert[0] if alert else None, alert_kind=alert[1] if alert else None)


def _buyer_side_line(stock: figures.OnHandAt, *, today: date) -> dict[str, Any]:
    """Stock already at our VMI locations or on its way: deliverable today."""
    return dict(
        source=AvailabilitySource(stock.location_kind.value), supplier_id=stock.owner_id,
        supplier_code=stock.owner_code, supplier_name=stock.owner_name, location_id=stock.location_id,
        site_code=stock.location_code, on_hand=stock.on_hand, available=stock.on_hand, next_available_date=None,
        lead_time_days=None, deliverable_on=today, reported_at=stock.updated_at, age_hours=None, stale=False,
        alert_id=None, alert_kind=None)


def availability_json(answer):
    return answer.model_dump_json()
