"""Use cases for the item master and supplier items. Caller commits."""
from collections.abc import Callable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from openvmi.catalog import queries, rules
from openvmi.catalog.models import Item, SupplierItem, SupplierItemPrice
from openvmi.catalog.schemas import ItemCreate, ItemUpdate, PriceCreate, SupplierItemCreate, SupplierItemUpdate
from openvmi.db import add_unique
from openvmi.errors import Conflict, FieldError, InvalidInput, Reason
from openvmi.parties.models import Party


def create_item(session: Session, item: ItemCreate) -> Item:
    """Add an item to the master. Caller commits."""
    if queries.find_item_by_code(session, item.code) is not None:
        raise Conflict(Reason("an item with code %(code)s already exists", code=item.code))
    row = Item(**item.model_dump())
    add_unique(session, row, conflict=f"an item with code {item.code!r} already exists")
    return row


def update_item(session: Session, item_id: int, changes: ItemUpdate, *,
                low_water_changed: Callable[[Session, int], None]) -> Item:
    """Change an item; a new default low-water mark is handed to `low_water_changed` (the alert
    check of the supplier stock feature, which sits above catalog) in the same transaction, so
    alerts open or resolve at once. Caller commits."""
    row = queries.get_item(session, item_id)
    before = row.default_low_water
    for field, value in changes.model_dump(exclude_unset=True).items():
        setattr(row, field, value)
    session.flush()
    if row.default_low_water != before:
        low_water_changed(session, row.id)
    return row


def create_supplier_item(session: Session, request: SupplierItemCreate) -> SupplierItem:
    """Record that a supplier supplies an item, with its terms and prices. Caller commits."""
    supplier = session.scalars(select(Party).where(
        Party.code == request.supplier_code, Party.kind == "supplier")).first()
    item = queries.find_item_by_code(session, request.item_code)
    errors = []
    if supplier is None:
        errors.append(FieldError("supplier_code", f"no such supplier: {request.supplier_code}"))
    if item is None:
        errors.append(FieldError("item_code", f"no such item: {request.item_code}"))
    errors += _price_errors(request.prices)
    if errors:
        raise InvalidInput(errors)
    assert supplier is not None and item is not None
    duplicate = session.scalars(select(SupplierItem).where(
        SupplierItem.supplier_id == supplier.id,
        or_(SupplierItem.item_id == item.id,
            SupplierItem.supplier_part_number == request.supplier_part_number))).first()
    if duplicate is not None:
        raise Conflict(Reason("%(supplier)s already has a supplier item for %(item)s or part number %(part)s",
                              supplier=supplier.code, item=item.code, part=request.supplier_part_number))
    row = SupplierItem(supplier_id=supplier.id, item_id=item.id,
                       **request.model_dump(exclude={"supplier_code", "item_code", "prices"}))
    row.prices = [SupplierItemPrice(supplier_id=supplier.id, **p.model_dump()) for p in request.prices]
    add_unique(session, row, conflict=f"{supplier.code} already has a supplier item for {item.code} "
                                      f"or part number {request.supplier_part_number}")
    return row


def update_supplier_item(session: Session, supplier_item_id: int, changes: SupplierItemUpdate, *,
                         expected_version: int | None) -> SupplierItem:
    """Change a supplier item; a stale `expected_version` is refused, not overwritten. Caller commits."""
    row = queries.get_supplier_item(session, supplier_item_id)
    if expected_version is not None and expected_version != row.version:
        raise StaleVersion(f"supplier item {supplier_item_id} changed since you read it "
                           f"(version {row.version}, yours {expected_version})")
    values = changes.model_dump(exclude_unset=True, exclude={"prices"})
    if changes.prices is not None:
        errors = _price_errors(changes.prices)
        if errors:
            raise InvalidInput(errors)
        row.prices.clear()
        session.flush()  # delete the old periods first: a period sent again keeps its (item, valid_from) key
        row.prices = [SupplierItemPrice(supplier_id=row.supplier_id, **p.model_dump()) for p in changes.prices]
    if "supplier_part_number" in values and values["supplier_part_number"] != row.supplier_part_number:
        taken = session.scalars(select(SupplierItem.id).where(
            SupplierItem.supplier_id == row.supplier_id,
            SupplierItem.supplier_part_number == values["supplier_part_number"])).first()
        if taken is not None:
            raise InvalidInput([FieldError("supplier_part_number", Reason("already used by another item of this supplier"))])
    for field, value in values.items():
        setattr(row, field, value)
    # The UPDATE carries "WHERE version = <read version>", so a concurrent edit fails here.
    row.version += 1
    try:
        session.flush()
    except StaleDataError as error:
        raise StaleVersion(f"supplier item {supplier_item_id} was changed by someone else") from error
    return row


class StaleVersion(Conflict):
    code = "stale_version"


def _price_errors(prices: list[PriceCreate]) -> list[FieldError]:
    periods = [rules.PricePeriod(p.price, p.currency, p.valid_from, p.valid_to, p.min_quantity) for p in prices]
    return [FieldError("prices", Reason("price periods starting %(first)s and %(second)s overlap",
                                             first=a.valid_from, second=b.valid_from))
            for a, b in rules.overlapping(periods)] + [
        FieldError("prices", problem) for problem in rules.break_clashes(periods)]
