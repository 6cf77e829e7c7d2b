"""Publish and change single stock lines (API and portal), each change kept in the history and
re-checked against thresholds; a stale version is refused, never overwritten. Caller commits."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from openvmi.catalog.models import Item
from openvmi.db import quantize, utcnow
from openvmi.errors import Conflict, FieldError, InvalidInput, Reason
from openvmi.parties.models import Party
from openvmi.locations.models import Location
from openvmi.supplier_stock import queries
from openvmi.supplier_stock.locks import lock_supplier
from openvmi.supplier_stock.models import SupplierStock, SupplierStockHistory
from openvmi.supplier_stock.rules import plain_quantity
from openvmi.supplier_stock.schemas import StockLineCreate, StockLineUpdate
from openvmi.supplier_stock.service.thresholds import sync_threshold_alerts


class StaleVersion(Conflict):
    """The line changed since the caller read it; it must re-read instead of overwriting."""

    code = "stale_version"


def create_supplier_stock(session: Session, line: StockLineCreate, *, actor_id: int | None, source: str,
                          now: datetime | None = None) -> SupplierStock:
    """Publish a line that does not exist yet (an existing one is changed with its version). Caller commits."""
    now = now or utcnow()
    supplier = queries.get_publishing_supplier(session, line.supplier_code)
    item = _supplier_item(session, supplier, line)
    sites = Location.__table__.c
    site = session.execute(select(sites.id, sites.code).where(
        sites.code == line.site_code, sites.supplier_id == supplier.id, sites.kind == "supplier_site")).first()
    if site is None:
        raise InvalidInput([FieldError("site_code", Reason("not a site of %(supplier)s: %(site)s",
                                                           supplier=supplier.code, site=line.site_code))])
    lock_supplier(session, supplier.id)
    existing = session.scalars(select(SupplierStock).where(
        SupplierStock.supplier_id == supplier.id, SupplierStock.item_id == item.id,
        SupplierStock.location_id == site.id)).first()
    if existing is not None:
        raise Conflict(Reason("%(item)s at %(site)s is already published (line %(line)s); change it with PUT/PATCH and its ETag",
                              item=item.code, site=site.code, line=existing.id))
    available = line.on_hand if line.available is None else line.available
    _check_figures(line.on_hand, available, line.next_available_date, today=now.date())
    row = SupplierStock(supplier_id=supplier.id, item_id=item.id, location_id=site.id, on_hand=quantize(line.on_hand),
                        available=quantize(available), next_available_date=line.next_available_date,
                        lead_time_days=line.lead_time_days, unit=item.unit, updated_at=now, reported_at=now,
                        source=source, updated_by_id=actor_id, version=1)
    session.add(row)
    session.add(SupplierStockHistory(supplier_id=supplier.id, item_id=item.id, location_id=site.id, old_on_hand=None,
                                     new_on_hand=row.on_hand, old_available=None, new_available=row.available,
                                     source=source, changed_by_id=actor_id, changed_at=now))
    session.flush()
    sync_threshold_alerts(session, supplier.id, [item.id])
    return row


def adjust_supplier_stock(session: Session, stock_id: int, changes: StockLineUpdate, *, expected_version: int,
                          actor_id: int | None, source: str, now: datetime | None = None) -> SupplierStock:
    """Change one published line; a stale `expected_version` is refused, never overwritten. Caller commits."""
    now = now or utcnow()
    row = queries.get_supplier_stock(session, stock_id)
    if row.version != expected_version:
        raise StaleVersion(f"stock line {stock_id} changed since you read it "
                           f"(version {row.version}, yours {expected_version}); reload it")
    values = changes.model_dump(exclude_unset=True)
    on_hand = values.get("on_hand", row.on_hand)
    if on_hand is None:
        raise InvalidInput([FieldError("on_hand", Reason("must not be empty"))])
    if values.get("available") is not None:
        available = values["available"]
    elif "available" in values:
        available = on_hand  # PUT without it, or an explicit null: all of it is available
    else:
        available = min(row.available, on_hand)  # PATCH of on-hand keeps what is still possible
    next_date = values.get("next_available_date", row.next_available_date)
    _check_figures(on_hand, available, next_date if "next_available_date" in values else None, today=now.date())
    old_on_hand, old_available = row.on_hand, row.available
    row.on_hand, row.available = quantize(Decimal(on_hand)), quantize(Decimal(available))
    row.next_available_date = next_date
    if "lead_time_days" in values:
        row.lead_time_days = values["lead_time_days"]
    row.updated_at = row.reported_at = now
    row.source, row.import_id, row.updated_by_id = source, None, actor_id
    # The UPDATE carries "WHERE version = <read>", so a concurrent writer makes this flush fail.
    row.version = expected_version + 1
    session.add(SupplierStockHistory(supplier_id=row.supplier_id, item_id=row.item_id, location_id=row.location_id,
                                     old_on_hand=old_on_hand, new_on_hand=row.on_hand, old_available=old_available,
                                     new_available=row.available, source=source, changed_by_id=actor_id,
                                     changed_at=now))
    try:
        session.flush()
    except StaleDataError as error:
        raise StaleVersion(f"stock line {stock_id} was changed by someone else; reload it") from error
    sync_threshold_alerts(session, row.supplier_id, [row.item_id])
    return row


def _check_figures(on_hand: Decimal, available: Decimal, next_date: date | None, *, today: date) -> None:
    errors = []
    if available > on_hand:
        errors.append(FieldError("available", Reason("available (%(available)s) is more than on hand (%(on_hand)s)",
                                                     available=plain_quantity(available),
                                                     on_hand=plain_quantity(on_hand))))
    if next_date is not None and next_date < today:
        errors.append(FieldError("next_available_date", Reason("date is in the past")))
    if errors:
        raise InvalidInput(errors)


def _supplier_item(session: Session, supplier: Party, line: StockLineCreate) -> Item:
    item = queries.find_supplier_item(session, supplier.id, item_code=line.item_code,
                                      supplier_part_number=line.supplier_part_number)
    if item is None:
        field_name = "item_code" if line.item_code else "supplier_part_number"
        raise InvalidInput([FieldError(field_name, Reason("not one of %(supplier)s's supplier items",
                                                          supplier=supplier.code))])
    return item
