"""Availability, a read model: who can deliver each item soonest, from suppliers' published stock,
their lead times and our own VMI and in-transit stock (read through ledger.figures, never written)."""
import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Row, Select, and_, bindparam, exists, func, or_, select
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
from openvmi.scoping import select_rows
from openvmi.supplier_stock import availability_sql, rules
from openvmi.supplier_stock.models import SupplierStock
from openvmi.supplier_stock.rules import AvailabilitySource
from openvmi.supplier_stock.schemas import AvailabilityQuery

# What availability offers from the ledger: available stock at our VMI stores or on its way to us
# (the buyer's own warehouse stock is no supplier's to deliver; quarantine is never available).
BUYER_SIDE_KINDS = AVAILABLE_KINDS - {LocationKind.WAREHOUSE}


@dataclass(slots=True)
class Availability:
    """One page of availability as plain values: `items` are dicts shaped like ItemAvailability
    (its `lines` dicts like AvailabilityLine), ready for the portal's template and for
    `availability_json`, with no model built per line (bench/README.md says why)."""
    items: list[dict[str, Any]]
    next_cursor: str | None


def availability_json(answer: Availability) -> bytes:
    """The API's body, each value written as AvailabilityRead would write it (a Decimal as its
    string, UTC as Z), in one call for the whole page: orjson, four times pydantic_core.to_json's
    speed on these dicts."""
    return orjson.dumps({"items": answer.items, "next_cursor": answer.next_cursor}, default=_decimal,
                        option=orjson.OPT_UTC_Z)


def _decimal(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not part of an availability answer")


def list_availability(session: Session, query: AvailabilityQuery, *, now: datetime | None = None) -> Availability:
    """Who can deliver each item soonest: our VMI and in-transit stock, every supplier's available
    stock with its freshness and alert state, and suppliers with none yet by next-available date or
    lead time. Items come a page at a time in code order; `next_cursor` asks for the next page."""
    now = now or utcnow()
    today = now.date()
    items, next_cursor = _items_for(session, query)
    if not items:
        return Availability(items=[], next_cursor=None)
    item_ids = [i.id for i in items]
    # Each line: (sort key, the line). A thousand lines per item: built inline, without a call or a
    # model per line, which were most of the answer's time (bench/README.md).
    lines: dict[int, list[tuple[tuple, dict[str, Any]]]] = {i: [] for i in item_ids}
    totals = {i: [Decimal(0), Decimal(0)] for i in item_ids}  # at suppliers, on our side
    alerts = alerts_queries.open_stock_alerts(session, item_ids=item_ids)
    no_alert = (None, None)
    supplier, supplier_rank = AvailabilitySource.SUPPLIER, rules.SOURCE_RANK[AvailabilitySource.SUPPLIER]
    age_hours = rules.age_hours
    for (supplier_id, item_id, location_id, on_hand, available, next_date, own_lead_time, reported_at, code, name,
         stale_after, site_code, item_lead_time) in select_rows(session, _PUBLISHED, {"item_ids": item_ids}):
        lead_time = own_lead_time if own_lead_time is not None else item_lead_time
        # rules.deliverable_on and rules.is_stale, inline (the answer's test holds them to the rules)
        if available > 0:
            deliverable, next_date = today, None
        elif next_date is not None:
            deliverable = next_date if next_date > today else today
        else:
            deliverable = today + timedelta(days=lead_time or 0)
        age = now - reported_at
        alert_id, alert_kind = alerts.get((supplier_id, item_id), no_alert)
        totals[item_id][0] += available
        lines[item_id].append(((deliverable, supplier_rank, -available, age, code, site_code), {
            "source": supplier, "supplier_id": supplier_id, "supplier_code": code, "supplier_name": name,
            "location_id": location_id, "site_code": site_code, "on_hand": on_hand, "available": available,
            "next_available_date": next_date, "lead_time_days": lead_time, "deliverable_on": deliverable,
            "reported_at": reported_at, "age_hours": age_hours(age),
            "stale": age > timedelta(days=stale_after), "alert_id": alert_id, "alert_kind": alert_kind}))
    nothing, fresh = Decimal(0), timedelta(0)  # no figure yet ranks as a fresh one
    for supplier_id, item_id, lead_time, code, name in select_rows(session, _UNPUBLISHED, {"item_ids": item_ids}):
        deliverable = today + timedelta(days=lead_time or 0)
        alert_id, alert_kind = alerts.get((supplier_id, item_id), no_alert)
        lines[item_id].append(((deliverable, supplier_rank, nothing, fresh, code, ""), dict(
            source=supplier, supplier_id=supplier_id, supplier_code=code, supplier_name=name, location_id=None,
            site_code=None, on_hand=nothing, available=nothing, next_available_date=None, lead_time_days=lead_time,
            deliverable_on=deliverable, reported_at=None, age_hours=None, stale=False, alert_id=alert_id,
            alert_kind=alert_kind)))
    for item_id, ranked in _buyer_side(session, item_ids, today=today).items():
        lines[item_id] += ranked
        totals[item_id][1] = sum((line["available"] for _, line in ranked), Decimal(0))
    return Availability(items=[_item(item, lines[item.id], *totals[item.id]) for item in items],
                        next_cursor=next_cursor)


def availability_body(session: Session, query: AvailabilityQuery, *, now: datetime | None = None) -> bytes:
    """The API's answer: `availability_json(list_availability(...))` byte for byte, with each supplier
    line's JSON written by the database (availability_sql), where Python per line was most of the time."""
    now = now or utcnow()
    items, next_cursor = _items_for(session, query)
    if not items:
        return availability_json(Availability(items=[], next_cursor=None))
    item_ids = [i.id for i in items]
    parameters = {"item_ids": item_ids, "today": now.date(), "now_micros": (now - _EPOCH) // timedelta(microseconds=1)}
    at_suppliers: dict[int, list[str]] = {i: [] for i in item_ids}
    for item_id, lines in _supplier_lines(session, parameters):
        at_suppliers[item_id].append(lines)
    totals = dict(select_rows(session, availability_sql.SUPPLIER_TOTALS, {"item_ids": item_ids}))
    ours = _buyer_side(session, item_ids, today=now.date())
    answer = []
    for item in items:
        ranked = ours.get(item.id, [])
        buyer_side = [line for _, line in ranked]
        supplier_lines = ",".join(at_suppliers[item.id])
        lines = orjson.dumps(buyer_side, default=_decimal, option=orjson.OPT_UTC_Z).decode()
        if supplier_lines:
            lines = lines[:-1] + ("," if buyer_side else "") + supplier_lines + "]"
        answer.append(_item(item, [], totals.get(item.id, "0"), sum((ln["available"] for ln in buyer_side), Decimal(0)))
                      | {"lines": orjson.Fragment(lines)})
    return availability_json(Availability(items=answer, next_cursor=next_cursor))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _supplier_lines(session: Session, parameters: dict[str, Any]) -> Sequence[tuple[int, str]]:
    """(item id, JSON of one or more of its supplier lines, comma-separated), in the answer's order.
    PostgreSQL sends a row a line. SQLite joins an item's lines itself: every row fetched from it lets
    go of Python's lock and waits to take it back, which under load cost more than the row."""
    engine = session.get_bind().dialect.name
    if engine != "sqlite":
        return select_rows(session, availability_sql.SUPPLIER_LINES[engine], parameters)
    joined = ((item_id, select_rows(session, availability_sql.JOINED_SUPPLIER_LINES,
                                    parameters | {"item_ids": [item_id]})[0][0])
              for item_id in parameters["item_ids"])
    return [(item_id, lines) for item_id, lines in joined if lines is not None]


def _buyer_side(session: Session, item_ids: list[int], *, today: date) -> dict[int, list[tuple[tuple, dict[str, Any]]]]:
    """Each item's lines at our VMI locations or on their way, with their sort keys, largest first."""
    lines: dict[int, list[tuple[tuple, dict[str, Any]]]] = {}
    for stock in figures.on_hand_at(session, item_ids=item_ids, kinds=BUYER_SIDE_KINDS):
        source = AvailabilitySource(stock.location_kind.value)
        lines.setdefault(stock.item_id, []).append((
            (today, rules.SOURCE_RANK[source], -stock.on_hand, timedelta(0), stock.owner_code, stock.location_code),
            _buyer_side_line(stock, source=source, today=today)))
    for ranked in lines.values():
        ranked.sort(key=itemgetter(0))
    return lines


_SITE = Location.__table__
# Built once: composing a statement cost more than running it. Plain columns: a thousand
# suppliers answer, no entities needed.
_PUBLISHED = (
    select(SupplierStock.supplier_id, SupplierStock.item_id, SupplierStock.location_id, SupplierStock.on_hand,
           SupplierStock.available, SupplierStock.next_available_date, SupplierStock.lead_time_days,
           SupplierStock.reported_at, Party.code, Party.name, Party.stale_after_days, _SITE.c.code,
           SupplierItem.lead_time_days)
    .join(Party, Party.id == SupplierStock.supplier_id)
    .join(_SITE, _SITE.c.id == SupplierStock.location_id)
    .outerjoin(SupplierItem, (SupplierItem.supplier_id == SupplierStock.supplier_id)
               & (SupplierItem.item_id == SupplierStock.item_id))
    .where(SupplierStock.item_id.in_(bindparam("item_ids", expanding=True))))
_UNPUBLISHED = (  # the database leaves out who has published: most have
    select(SupplierItem.supplier_id, SupplierItem.item_id, SupplierItem.lead_time_days, Party.code, Party.name)
    .join(Party, Party.id == SupplierItem.supplier_id)
    .where(SupplierItem.item_id.in_(bindparam("item_ids", expanding=True)), SupplierItem.active.is_(True),
           Party.active.is_(True),
           ~exists().where(SupplierStock.supplier_id == SupplierItem.supplier_id,
                           SupplierStock.item_id == SupplierItem.item_id)))


def _item(item: Row[Any], ranked: list[tuple[tuple, dict[str, Any]]], at_suppliers: Decimal,
          ours: Decimal) -> dict[str, Any]:
    """An item with its lines soonest first (rules.delivery_rank, then supplier and site code)."""
    ranked.sort(key=itemgetter(0))
    return dict(item_id=item.id, item_code=item.code, item_name=item.name, unit=item.unit,
                total_available=at_suppliers, buyer_side=ours, lines=[line for _, line in ranked])


def _items_for(session: Session, query: AvailabilityQuery) -> tuple[Sequence[Row[Any]], str | None]:
    """One page of the items asked for (id, code, name, unit), in code order (a code is unique, so it is
    the keyset)."""
    words = query.search.split() if query.search else []
    if not query.item_ids and not query.item_codes and not words:
        return [], None
    after = decode_code_cursor(query.cursor)
    parameters: dict[str, Any] = {"item_ids": query.item_ids, "item_codes": query.item_codes, "after": after,
                                  "limit": query.limit + 1}
    parameters |= {f"word_{index}": like_pattern(word) for index, word in enumerate(words)}
    statement = _items_statement(by_ids=bool(query.item_ids), by_codes=bool(query.item_codes), words=len(words),
                                 after=after is not None)
    items = select_rows(session, statement, parameters)
    if len(items) > query.limit:
        return items[:query.limit], encode_code_cursor(items[query.limit - 1].code)
    return items, None


@lru_cache(maxsize=64)
def _items_statement(*, by_ids: bool, by_codes: bool, words: int, after: bool) -> Select[Any]:
    """The items query of one shape, built once: composing it cost more than running it."""
    conditions = []
    if by_ids:
        conditions.append(Item.id.in_(bindparam("item_ids", expanding=True)))
    if by_codes:
        conditions.append(Item.code.in_(bindparam("item_codes", expanding=True)))
    if words:
        conditions.append(_all_words(words))
    statement = select(Item.id, Item.code, Item.name, Item.unit).where(or_(*conditions))
    if after:
        statement = statement.where(Item.code > bindparam("after"))
    return statement.order_by(Item.code).limit(bindparam("limit"))


def _all_words(words: int) -> ColumnElement[bool]:
    """Every word typed (parameters word_0, word_1 ...: LIKE patterns) must be in the item's code or
    name, in any order ("螺栓 M10")."""
    patterns = [bindparam(f"word_{index}") for index in range(words)]
    return and_(*(or_(func.lower(Item.code).like(pattern, escape="\\"),
                      func.lower(Item.name).like(pattern, escape="\\"))
                  for pattern in patterns))


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


def _buyer_side_line(stock: figures.OnHandAt, *, source: AvailabilitySource, today: date) -> dict[str, Any]:
    """Stock already at our VMI locations or on its way: deliverable today."""
    return dict(
        source=source, supplier_id=stock.owner_id,
        supplier_code=stock.owner_code, supplier_name=stock.owner_name, location_id=stock.location_id,
        site_code=stock.location_code, on_hand=stock.on_hand, available=stock.on_hand, next_available_date=None,
        lead_time_days=None, deliverable_on=today, reported_at=stock.updated_at, age_hours=None, stale=False,
        alert_id=None, alert_kind=None)

