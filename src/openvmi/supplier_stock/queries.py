"""Read models of supplier stock: lines, history, imports, thresholds, freshness (availability has its own)."""
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from openvmi.alerts.rules import AlertKind
from openvmi.alerts.schemas import AlertSignal
from openvmi.catalog.models import Item, SupplierItem
from openvmi.db import quantize, utcnow
from openvmi.errors import FieldError, IdempotencyMismatch, InvalidInput, NotFound
from openvmi.listing import ListPage, ListRequest, fetch_all, fetch_list_page, like_pattern
from openvmi.locations.models import Location
from openvmi.pagination import fetch_page, where_given
from openvmi.parties.models import Party
from openvmi.scoping import current_supplier_scope
from openvmi.supplier_stock import rules, site_names
from openvmi.supplier_stock.rules import UNFINISHED, ImportStatus
from openvmi.supplier_stock.models import (
    StockThreshold, SupplierColumnMapping, SupplierStock, SupplierStockHistory, SupplierStockImport,
)
from openvmi.supplier_stock.schemas import (
    ColumnMappingRead, HistoryRead, ImportErrors, ImportPage, ImportRead, RowErrorRead,
    StockFilter, SupplierStockPage, SupplierStockRead, ThresholdPage, ThresholdRead,
)


def get_publishing_supplier(session: Session, supplier_code: str | None) -> Party:
    """The supplier whose stock a file or line is: named by staff, implied for a supplier user
    (whose session cannot even see another supplier, so naming one answers 'not found')."""
    if supplier_code:
        supplier = session.scalars(select(Party).where(Party.code == supplier_code,
                                                       Party.kind == "supplier")).first()
    else:
        scope = current_supplier_scope(session)
        if scope is None:
            raise InvalidInput([FieldError("supplier", "name the supplier whose stock this is")])
        supplier = session.scalars(select(Party).where(Party.id == scope)).first()
    if supplier is None:
        raise NotFound(f"no such supplier: {supplier_code}")
    return supplier


def find_supplier_item(session: Session, supplier_id: int, *, item_code: str | None,
                       supplier_part_number: str | None) -> Item | None:
    """The supplier's item named by our item code and/or its own part number."""
    statement = select(Item).join(SupplierItem, SupplierItem.item_id == Item.id).where(
        SupplierItem.supplier_id == supplier_id)
    if item_code:
        statement = statement.where(Item.code == item_code)
    if supplier_part_number:
        statement = statement.where(SupplierItem.supplier_part_number == supplier_part_number)
    return session.scalars(statement).first()


def get_supplier_stock(session: Session, stock_id: int) -> SupplierStock:
    row = session.scalars(select(SupplierStock).where(SupplierStock.id == stock_id)).first()
    if row is None:
        raise NotFound(f"no such stock line: {stock_id}")
    return row


def list_supplier_stock(session: Session, filters: StockFilter, *, cursor: str | None, limit: int) -> SupplierStockPage:
    """Published lines; a supplier user's session only ever sees its own."""
    statement = select(SupplierStock)
    if filters.supplier_id is not None:
        statement = statement.where(SupplierStock.supplier_id == filters.supplier_id)
    if filters.item_id is not None:
        statement = statement.where(SupplierStock.item_id == filters.item_id)
    if filters.location_id is not None:
        statement = statement.where(SupplierStock.location_id == filters.location_id)
    if filters.search:
        pattern = f"%{filters.search.lower()}%"
        statement = statement.join(Item, Item.id == SupplierStock.item_id).where(
            or_(func.lower(Item.code).like(pattern), func.lower(Item.name).like(pattern)))
    rows, next_cursor = fetch_page(session, statement, SupplierStock.id, cursor=cursor, limit=limit)
    return SupplierStockPage(items=describe_stock(session, list(rows)), next_cursor=next_cursor)


def _stock_rows(request: ListRequest, filters: StockFilter) -> tuple[Any, dict[str, Any]]:
    site = Location.__table__
    statement = (select(SupplierStock, Item.code.label("item_code"), Item.name.label("item_name"),
                        Party.code.label("supplier_code"), site.c.code.label("site_code"))
                 .join(Item, Item.id == SupplierStock.item_id).join(Party, Party.id == SupplierStock.supplier_id)
                 .join(site, site.c.id == SupplierStock.location_id))
    statement = where_given(statement, (SupplierStock.supplier_id, filters.supplier_id),
                            (SupplierStock.item_id, filters.item_id), (SupplierStock.location_id, filters.location_id))
    if request.search:
        pattern = like_pattern(request.search)
        statement = statement.where(or_(func.lower(Item.code).like(pattern, escape="\\"),
                                        func.lower(Item.name).like(pattern, escape="\\"),
                                        func.lower(Party.code).like(pattern, escape="\\"),
                                        func.lower(site.c.code).like(pattern, escape="\\")))
    sort_columns = {"item_code": Item.code_sort_key, "supplier_code": Party.code, "site_code": site.c.code,
                    "on_hand": SupplierStock.on_hand, "available": SupplierStock.available,
                    "reported_at": SupplierStock.reported_at}
    return statement, sort_columns


def browse_stock(session: Session, request: ListRequest, filters: StockFilter) -> ListPage:
    """The portal's stock list: search by item, supplier or site, or one of them by id (the item,
    supplier and location pages link here); any column sorts."""
    statement, sort_columns = _stock_rows(request, filters)
    return fetch_list_page(session, statement, request, sort_columns=sort_columns, default_sort="item_code",
                           tie_breaker=SupplierStock.id)


def export_stock(session: Session, request: ListRequest, filters: StockFilter) -> list[Any]:
    statement, sort_columns = _stock_rows(request, filters)
    return fetch_all(session, statement, request, sort_columns=sort_columns, default_sort="item_code",
                     tie_breaker=SupplierStock.id)


def describe_stock(session: Session, rows: list[SupplierStock]) -> list[SupplierStockRead]:
    """Read shapes with codes resolved in three queries, not one per row."""
    if not rows:
        return []
    suppliers = dict(session.execute(select(Party.id, Party.code).where(Party.id.in_({r.supplier_id for r in rows}))).all())
    items = {i.id: i for i in session.scalars(select(Item).where(Item.id.in_({r.item_id for r in rows})))}
    site = Location.__table__.c
    sites = dict(session.execute(select(site.id, site.code).where(site.id.in_({r.location_id for r in rows}))).all())
    return [SupplierStockRead(
        id=r.id, supplier_id=r.supplier_id, supplier_code=suppliers[r.supplier_id], item_id=r.item_id,
        item_code=items[r.item_id].code, item_name=items[r.item_id].name, location_id=r.location_id,
        site_code=sites[r.location_id], on_hand=r.on_hand, available=r.available,
        next_available_date=r.next_available_date, lead_time_days=r.lead_time_days, unit=r.unit,
        updated_at=r.updated_at, reported_at=r.reported_at, source=r.source, version=r.version) for r in rows]


def list_history(session: Session, stock_id: int, *, limit: int = 100) -> list[HistoryRead]:
    """Changes of one line, newest first."""
    line = session.scalars(select(SupplierStock).where(SupplierStock.id == stock_id)).first()
    if line is None:
        raise NotFound(f"no such stock line: {stock_id}")
    rows = session.scalars(select(SupplierStockHistory).where(
        SupplierStockHistory.supplier_id == line.supplier_id, SupplierStockHistory.item_id == line.item_id,
        SupplierStockHistory.location_id == line.location_id)
        .order_by(SupplierStockHistory.id.desc()).limit(limit))
    return [HistoryRead.model_validate(r) for r in rows]


def get_import(session: Session, import_id: int) -> SupplierStockImport:
    row = session.scalars(select(SupplierStockImport).where(SupplierStockImport.id == import_id)).first()
    if row is None:
        raise NotFound(f"no such import: {import_id}")
    return row


def import_finished(session: Session, import_id: int) -> bool:
    status = session.scalar(select(SupplierStockImport.status).where(SupplierStockImport.id == import_id))
    return status not in UNFINISHED


def find_keyed_import(session: Session, supplier_id: int, *, idempotency_key: str | None, file_hash: str,
                      mode: str) -> SupplierStockImport | None:
    """The import this Idempotency-Key already made; the key with another file or mode is refused."""
    if not idempotency_key:
        return None
    earlier = session.scalars(select(SupplierStockImport).where(
        SupplierStockImport.supplier_id == supplier_id,
        SupplierStockImport.idempotency_key == idempotency_key)).first()
    if earlier is not None and (earlier.file_hash != file_hash or earlier.mode != mode):
        raise IdempotencyMismatch(f"Idempotency-Key {idempotency_key!r} was used for another file or mode")
    return earlier


def find_newer_applied_import(session: Session, supplier_id: int, *, than_id: int) -> SupplierStockImport | None:
    """The supplier's latest applied import that was created after import `than_id`, if any."""
    return session.scalars(select(SupplierStockImport).where(
        SupplierStockImport.supplier_id == supplier_id, SupplierStockImport.status == ImportStatus.APPLIED,
        SupplierStockImport.id > than_id).order_by(SupplierStockImport.id.desc()).limit(1)).first()


def find_replayed_import(session: Session, supplier_id: int, *, file_hash: str, mode: str,
                         idempotency_key: str | None) -> SupplierStockImport | None:
    """The import a new upload repeats, if any: the same Idempotency-Key, or the same file as the
    last applied import with no change to the supplier's stock since."""
    earlier = find_keyed_import(session, supplier_id, idempotency_key=idempotency_key, file_hash=file_hash,
                                mode=mode)
    if earlier is not None:
        return earlier
    last = session.scalars(select(SupplierStockImport).where(
        SupplierStockImport.supplier_id == supplier_id, SupplierStockImport.status == ImportStatus.APPLIED)
        .order_by(SupplierStockImport.id.desc()).limit(1)).first()
    if last is None or last.file_hash != file_hash or last.mode != mode:
        return None
    changed_since = session.scalar(select(exists().where(
        SupplierStockHistory.supplier_id == supplier_id, SupplierStockHistory.id > _last_history_id(session, last.id),
        or_(SupplierStockHistory.import_id.is_(None), SupplierStockHistory.import_id != last.id))))
    return None if changed_since else last


def last_history_id(session: Session) -> int:
    """The newest stock change of any supplier: a mark to ask later whether one supplier's stock changed since."""
    return session.scalar(select(func.coalesce(func.max(SupplierStockHistory.id), 0))) or 0


def stock_changed_after(session: Session, supplier_id: int, *, history_mark: int) -> bool:
    return bool(session.scalar(select(exists().where(SupplierStockHistory.supplier_id == supplier_id,
                                                     SupplierStockHistory.id > history_mark))))


def _last_history_id(session: Session, import_id: int) -> int:
    return session.scalar(select(func.coalesce(func.max(SupplierStockHistory.id), 0)).where(
        SupplierStockHistory.import_id <= import_id)) or 0


def list_imports(session: Session, *, supplier_id: int | None, cursor: str | None, limit: int) -> ImportPage:
    statement = select(SupplierStockImport)
    if supplier_id is not None:
        statement = statement.where(SupplierStockImport.supplier_id == supplier_id)
    rows, next_cursor = fetch_page(session, statement, SupplierStockImport.id, cursor=cursor, limit=limit,
                                   descending=True)
    return ImportPage(items=[ImportRead.model_validate(r) for r in rows], next_cursor=next_cursor)


def import_errors(session: Session, import_id: int) -> ImportErrors:
    row = get_import(session, import_id)
    return ImportErrors(import_id=row.id, status=row.status, error_count=row.error_count,
                        errors=[RowErrorRead(**e) for e in row.errors])


def list_thresholds(session: Session, *, supplier_id: int | None, item_id: int | None, cursor: str | None,
                    limit: int) -> ThresholdPage:
    statement = select(StockThreshold)
    if supplier_id is not None:
        statement = statement.where(StockThreshold.supplier_id == supplier_id)
    if item_id is not None:
        statement = statement.where(StockThreshold.item_id == item_id)
    rows, next_cursor = fetch_page(session, statement, StockThreshold.id, cursor=cursor, limit=limit)
    return ThresholdPage(items=describe_thresholds(session, list(rows)), next_cursor=next_cursor)


def describe_thresholds(session: Session, rows: list[StockThreshold]) -> list[ThresholdRead]:
    if not rows:
        return []
    suppliers = dict(session.execute(select(Party.id, Party.code).where(Party.id.in_({r.supplier_id for r in rows}))).all())
    items = dict(session.execute(select(Item.id, Item.code).where(Item.id.in_({r.item_id for r in rows}))).all())
    return [ThresholdRead(id=r.id, supplier_id=r.supplier_id, supplier_code=suppliers[r.supplier_id],
                          item_id=r.item_id, item_code=items[r.item_id], low_water=r.low_water,
                          high_water=r.high_water, updated_at=r.updated_at) for r in rows]


def column_mapping(session: Session, supplier_id: int) -> ColumnMappingRead:
    if session.scalars(select(Party.id).where(Party.id == supplier_id, Party.kind == "supplier")).first() is None:
        raise NotFound(f"no such supplier: {supplier_id}")  # also what another supplier's user is told
    row = find_column_mapping(session, supplier_id)
    if row is None:
        return ColumnMappingRead(supplier_id=supplier_id, mapping={}, updated_at=None)
    return ColumnMappingRead(supplier_id=supplier_id, mapping=row.mapping, updated_at=row.updated_at)


def find_column_mapping(session: Session, supplier_id: int) -> SupplierColumnMapping | None:
    """The supplier's own header names, saved from an earlier upload."""
    return session.scalars(select(SupplierColumnMapping)
                           .where(SupplierColumnMapping.supplier_id == supplier_id)).first()



def template_lines(session: Session, supplier_id: int, *, today: date, limit: int = 50_000) -> list[tuple]:
    """A stock file's rows for the supplier's own template, in rules.FIELDS order: its current lines
    (to edit; a next-available date already past left out), else each of its items at its first site
    with zero (to fill in)."""
    site = Location.__table__.c
    rows = session.execute(
        select(Item.code, SupplierItem.supplier_part_number, site.code, SupplierStock.on_hand, SupplierStock.available,
               SupplierStock.next_available_date, SupplierStock.lead_time_days, SupplierStock.unit)
        .join(Item, Item.id == SupplierStock.item_id).join(Location, Location.id == SupplierStock.location_id)
        .join(SupplierItem, and_(SupplierItem.item_id == Item.id, SupplierItem.supplier_id == supplier_id))
        .where(SupplierStock.supplier_id == supplier_id, site.active.is_(True))
        .order_by(Item.code, site.code).limit(limit)).all()
    if rows:
        return [(*r[:5], r[5] if r[5] is None or r[5] >= today else None, *r[6:]) for r in rows]
    sites = site_names.list_sites(session, supplier_id)
    if not sites:
        return []
    return [(code, part, sites[0][1], 0, 0, None, None, unit) for code, part, unit in session.execute(
        select(Item.code, SupplierItem.supplier_part_number, Item.unit).join(SupplierItem, SupplierItem.item_id == Item.id)
        .where(SupplierItem.supplier_id == supplier_id, SupplierItem.active.is_(True)).order_by(Item.code).limit(limit))]


def threshold_signals(session: Session, supplier_id: int, item_ids: Any, *,
                      include_unwatched: bool = False) -> list[AlertSignal]:
    """Low- and high-water signals for a supplier's items: total available across its sites
    against the supplier item's own threshold, else the item's default low-water."""
    scope = [SupplierStock.supplier_id == supplier_id, SupplierStock.item_id.in_(item_ids)]
    if not include_unwatched:  # most items have no threshold: skip summing them
        scope.append(or_(
            SupplierStock.item_id.in_(select(StockThreshold.item_id).where(StockThreshold.supplier_id == supplier_id)),
            SupplierStock.item_id.in_(select(Item.id).where(Item.default_low_water.is_not(None)))))
    totals = (select(SupplierStock.item_id, func.sum(SupplierStock.available).label("available"))
              .where(*scope).group_by(SupplierStock.item_id).subquery())
    rows = session.execute(
        select(Item.id, Item.code, Item.unit, Item.default_low_water, StockThreshold.low_water,
               StockThreshold.high_water, totals.c.available)
        .select_from(totals).join(Item, Item.id == totals.c.item_id)
        .outerjoin(StockThreshold, and_(StockThreshold.supplier_id == supplier_id,
                                        StockThreshold.item_id == totals.c.item_id))
        .where(or_(StockThreshold.id.is_not(None), Item.default_low_water.is_not(None), literal(include_unwatched))))
    supplier_code = session.scalar(select(Party.code).where(Party.id == supplier_id))
    signals = []
    for item_id, code, unit, default_low, own_low, own_high, total in rows:
        total = quantize(Decimal(str(total)))
        marks = rules.effective_thresholds(own_low=own_low, own_high=own_high, item_default_low=default_low)
        numbers = {name: None if value is None else rules.plain_quantity(value) for name, value in (
            ("available", total), ("low_water", marks.low_water), ("high_water", marks.high_water))}
        subject = {"supplier": supplier_code, "item": code, "unit": unit}
        for kind, active in ((AlertKind.LOW_STOCK, rules.is_low(total, marks)),
                             (AlertKind.HIGH_STOCK, rules.is_high(total, marks))):
            signals.append(AlertSignal(kind=kind, supplier_id=supplier_id, item_id=item_id, location_id=None,
                                       active=active, numbers=numbers, subject=subject))
    return signals


def suppliers_publishing(session: Session, item_id: int) -> list[int]:
    """The suppliers with published stock of the item."""
    return list(session.scalars(select(SupplierStock.supplier_id).where(SupplierStock.item_id == item_id)
                                .distinct().order_by(SupplierStock.supplier_id)))


def anything_watched(session: Session, supplier_id: int) -> bool:
    """Whether any threshold could fire for the supplier: one of its own, or an item's default."""
    return bool(session.scalar(select(or_(
        exists().where(StockThreshold.supplier_id == supplier_id),
        exists().where(Item.default_low_water.is_not(None))))))


def stale_data_signals(session: Session, *, now: datetime | None = None) -> list[AlertSignal]:
    """A stale-data signal per supplier that has published stock: active when it has confirmed
    none for longer than its `stale_after_days`."""
    now = now or utcnow()
    rows = session.execute(
        select(Party.id, Party.code, Party.stale_after_days, func.max(SupplierStock.reported_at))
        .join(SupplierStock, SupplierStock.supplier_id == Party.id)
        .where(Party.kind == "supplier", Party.active.is_(True))
        .group_by(Party.id, Party.code, Party.stale_after_days))
    signals = []
    for supplier_id, code, stale_after, last in rows:
        stale = rules.is_stale(last, now=now, stale_after_days=stale_after)
        days = (now - last).days
        numbers = {"last_reported_at": last.isoformat(), "stale_after_days": str(stale_after), "days": str(days)}
        signals.append(AlertSignal(kind=AlertKind.STALE_DATA, supplier_id=supplier_id, item_id=None, location_id=None,
                                   active=stale, numbers=numbers, subject={"supplier": code}))
    return signals


def total_available(session: Session, *, supplier_id: int, item_id: int) -> Decimal:
    value = session.scalar(select(func.sum(SupplierStock.available)).where(
        SupplierStock.supplier_id == supplier_id, SupplierStock.item_id == item_id))
    return quantize(Decimal(str(value))) if value is not None else Decimal(0)
