"""Use cases for the item master and supplier items. Caller commits."""
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from openvmi.catalog import rules
from openvmi.catalog.models import Item, SupplierItem, SupplierItemPrice
from openvmi.catalog.schemas import (
    ItemCreate, ItemPage, ItemRead, ItemUpdate, PriceCreate, PriceRead, SupplierItemCreate,
    SupplierItemPage, SupplierItemRead, SupplierItemUpdate,
)
from openvmi.db import add_unique, get_by_id
from openvmi.errors import Conflict, FieldError, InvalidInput, NotFound
from openvmi.pagination import fetch_page
from openvmi.parties.models import Party


def create_item(session: Session, item: ItemCreate) -> Item:
    """Add an item to the master. Caller commits."""
    if find_item_by_code(session, item.code) is not None:
        raise Conflict(f"an item with code {item.code!r} already exists")
    row = Item(**item.model_dump())
    add_unique(session, row, conflict=f"an item with code {item.code!r} already exists")
    return row


def update_item(session: Session, item_id: int, changes: ItemUpdate) -> Item:
    row = get_item(session, item_id)
    for field, value in changes.model_dump(exclude_unset=True).items():
        setattr(row, field, value)
    session.flush()
    return row


def get_item(session: Session, item_id: int) -> Item:
    return get_by_id(session, Item, item_id, label="item")


def find_item_by_code(session: Session, code: str) -> Item | None:
    return session.scalars(select(Item).where(Item.code == code)).first()


def list_items(session: Session, *, search: str | None, cursor: str | None, limit: int) -> ItemPage:
    statement = select(Item)
    if search:
        pattern = f"%{search.lower()}%"
        statement = statement.where(or_(func.lower(Item.code).like(pattern), func.lower(Item.name).like(pattern)))
    rows, next_cursor = fetch_page(session, statement, Item.id, cursor=cursor, limit=limit)
    return ItemPage(items=[ItemRead.model_validate(r) for r in rows], next_cursor=next_cursor)


def create_supplier_item(session: Session, request: SupplierItemCreate) -> SupplierItem:
    """Record that a supplier supplies an item, with its terms and prices. Caller commits."""
    supplier = session.scalars(select(Party).where(
        Party.code == request.supplier_code, Party.kind == "supplier")).first()
    item = find_item_by_code(session, request.item_code)
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
        raise Conflict(f"{supplier.code} already has a supplier item for {item.code} "
                       f"or part number {request.supplier_part_number}")
    row = SupplierItem(supplier_id=supplier.id, item_id=item.id,
                       **request.model_dump(exclude={"supplier_code", "item_code", "prices"}))
    row.prices = [SupplierItemPrice(supplier_id=supplier.id, **p.model_dump()) for p in request.prices]
    add_unique(session, row, conflict=f"{supplier.code} already has a supplier item for {item.code} "
                                      f"or part number {request.supplier_part_number}")
    return row


def update_supplier_item(session: Session, supplier_item_id: int, changes: SupplierItemUpdate, *,
                         expected_version: int | None) -> SupplierItem:
    """Change a supplier item; a stale `expected_version` is refused, not overwritten. Caller commits."""
    row = get_supplier_item(session, supplier_item_id)
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
            raise InvalidInput([FieldError("supplier_part_number", "already used by another item of this supplier")])
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


def get_supplier_item(session: Session, supplier_item_id: int) -> SupplierItem:
    row = session.scalars(select(SupplierItem).where(SupplierItem.id == supplier_item_id)
                          .options(selectinload(SupplierItem.prices))).first()
    if row is None:
        raise NotFound(f"no such supplier item: {supplier_item_id}")
    return row


def list_supplier_items(session: Session, *, supplier_id: int | None, item_id: int | None,
                        search: str | None, cursor: str | None, limit: int) -> SupplierItemPage:
    statement = select(SupplierItem).options(selectinload(SupplierItem.prices))
    if supplier_id is not None:
        statement = statement.where(SupplierItem.supplier_id == supplier_id)
    if item_id is not None:
        statement = statement.where(SupplierItem.item_id == item_id)
    if search:
        pattern = f"%{search.lower()}%"
        statement = statement.join(Item, Item.id == SupplierItem.item_id).where(or_(
            func.lower(Item.code).like(pattern), func.lower(Item.name).like(pattern),
            func.lower(SupplierItem.supplier_part_number).like(pattern)))
    rows, next_cursor = fetch_page(session, statement, SupplierItem.id, cursor=cursor, limit=limit)
    return SupplierItemPage(items=describe_supplier_items(session, rows), next_cursor=next_cursor)


def describe_supplier_items(session: Session, rows: list[SupplierItem] | tuple) -> list[SupplierItemRead]:
    """Read shapes with codes resolved in two queries, not one per row."""
    supplier_codes = dict(session.execute(select(Party.id, Party.code).where(
        Party.id.in_({r.supplier_id for r in rows}))).all())
    items = {i.id: i for i in session.scalars(select(Item).where(Item.id.in_({r.item_id for r in rows})))}
    return [
        SupplierItemRead(
            id=r.id, supplier_id=r.supplier_id, supplier_code=supplier_codes[r.supplier_id],
            item_id=r.item_id, item_code=items[r.item_id].code, item_name=items[r.item_id].name,
            unit=items[r.item_id].unit, supplier_part_number=r.supplier_part_number,
            lead_time_days=r.lead_time_days, moq=r.moq, pack_size=r.pack_size, active=r.active,
            version=r.version, created_at=r.created_at,
            prices=[PriceRead.model_validate(p) for p in r.prices])
        for r in rows
    ]


def price_on(session: Session, supplier_item_id: int, day: date) -> rules.PricePeriod | None:
    """The agreed price of a supplier item on a day, or None if no price is in force."""
    periods = [rules.PricePeriod(p.price, p.currency, p.valid_from, p.valid_to)
               for p in session.scalars(select(SupplierItemPrice).where(
                   SupplierItemPrice.supplier_item_id == supplier_item_id))]
    return rules.price_on(periods, day)


def _price_errors(prices: list[PriceCreate]) -> list[FieldError]:
    periods = [rules.PricePeriod(p.price, p.currency, p.valid_from, p.valid_to) for p in prices]
    return [FieldError("prices", f"price periods starting {a.valid_from} and {b.valid_from} overlap")
            for a, b in rules.overlapping(periods)]
