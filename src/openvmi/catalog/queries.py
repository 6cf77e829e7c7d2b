"""Read models of the catalog: items and supplier items by id or code, API pages, searchable and
sortable lists for people, and the price of a supplier item on a day."""
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from openvmi.catalog import rules
from openvmi.catalog.models import Item, SupplierItem, SupplierItemPrice
from openvmi.catalog.schemas import ItemPage, ItemRead, PriceQuote, PriceRead, SupplierItemPage, SupplierItemRead
from openvmi.db import get_by_id, quantize
from openvmi.errors import NotFound
from openvmi.listing import ListPage, ListRequest, fetch_all, fetch_list_page, like_pattern
from openvmi.pagination import fetch_page
from openvmi.parties.models import Party

ITEM_SORTS = {"code": Item.code_sort_key, "name": Item.name, "unit": Item.unit, "category": Item.category,
              "default_low_water": Item.default_low_water}
SUPPLIER_ITEM_SORTS = {"item_code": Item.code_sort_key, "item_name": Item.name, "supplier_code": Party.code,
                       "part_number": SupplierItem.supplier_part_number, "lead_time_days": SupplierItem.lead_time_days,
                       "moq": SupplierItem.moq, "pack_size": SupplierItem.pack_size}


def _items(request: ListRequest) -> Select:
    statement = select(Item)
    if request.search:
        pattern = like_pattern(request.search)
        statement = statement.where(or_(Item.code.ilike(pattern, escape="\\"), Item.name.ilike(pattern, escape="\\"),
                                        Item.category.ilike(pattern, escape="\\")))
    return statement


def browse_items(session: Session, request: ListRequest) -> ListPage:
    return fetch_list_page(session, _items(request), request, sort_columns=ITEM_SORTS, default_sort="code",
                           tie_breaker=Item.id)


def export_items(session: Session, request: ListRequest) -> list[Item]:
    return fetch_all(session, _items(request), request, sort_columns=ITEM_SORTS, default_sort="code",
                     tie_breaker=Item.id)


def _supplier_items(request: ListRequest, *, supplier_id: int | None) -> Select:
    statement = (select(SupplierItem, Item.code.label("item_code"), Item.name.label("item_name"),
                        Item.unit.label("unit"), Party.code.label("supplier_code"), Party.name.label("supplier_name"))
                 .join(Item, Item.id == SupplierItem.item_id)
                 .join(Party, Party.id == SupplierItem.supplier_id))
    if supplier_id is not None:
        statement = statement.where(SupplierItem.supplier_id == supplier_id)
    if request.search:
        pattern = like_pattern(request.search)
        statement = statement.where(or_(
            Item.code.ilike(pattern, escape="\\"), Item.name.ilike(pattern, escape="\\"),
            SupplierItem.supplier_part_number.ilike(pattern, escape="\\"), Party.code.ilike(pattern, escape="\\"),
            Party.name.ilike(pattern, escape="\\")))
    return statement


def browse_supplier_items(session: Session, request: ListRequest, *, supplier_id: int | None = None) -> ListPage:
    """Supplier items with their item and supplier codes (rows: SupplierItem plus labelled columns)."""
    return fetch_list_page(session, _supplier_items(request, supplier_id=supplier_id), request,
                           sort_columns=SUPPLIER_ITEM_SORTS, default_sort="item_code", tie_breaker=SupplierItem.id)


def export_supplier_items(session: Session, request: ListRequest, *, supplier_id: int | None = None) -> list:
    return fetch_all(session, _supplier_items(request, supplier_id=supplier_id), request,
                     sort_columns=SUPPLIER_ITEM_SORTS, default_sort="item_code", tie_breaker=SupplierItem.id)


def count_supplier_items(session: Session) -> int:
    """How many supplier items the session may see (a supplier user: its own)."""
    return session.scalar(select(func.count()).select_from(select(SupplierItem.id).subquery())) or 0


def item_choices(session: Session) -> list[tuple[str, str]]:
    """(code, name) of active items, for pickers."""
    return [tuple(row) for row in session.execute(
        select(Item.code, Item.name).where(Item.active.is_(True)).order_by(Item.code_sort_key))]


def catalogue_counts(session: Session) -> dict[str, int]:
    """How many suppliers, items and supplier items the session may see."""
    def count(statement: Select) -> int:
        return session.scalar(select(func.count()).select_from(statement.subquery())) or 0

    return {"suppliers": count(select(Party.id).where(Party.kind == "supplier")),
            "items": count(select(Item.id).where(Item.active.is_(True))),
            "supplier_items": count(select(SupplierItem.id).where(SupplierItem.active.is_(True)))}


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
            prices=[PriceRead.model_validate(p) for p in sorted(r.prices, key=_break_order)])
        for r in rows
    ]


def _break_order(price: SupplierItemPrice) -> tuple:
    return price.valid_from, price.min_quantity


def price_on(session: Session, supplier_item_id: int, *, day: date, quantity: Decimal) -> rules.PricePeriod | None:
    """The price break of a supplier item for `quantity` (one line's, never a period's total) on
    `day`, or None if no price is in force for them."""
    periods = [rules.PricePeriod(p.price, p.currency, p.valid_from, p.valid_to, p.min_quantity)
               for p in session.scalars(select(SupplierItemPrice).where(
                   SupplierItemPrice.supplier_item_id == supplier_item_id))]
    return rules.price_on(periods, day, quantity)


def quote_price(session: Session, supplier_item_id: int, *, day: date, quantity: Decimal) -> PriceQuote:
    """What `quantity` of a supplier item costs on `day`; NotFound when no price applies to them."""
    get_supplier_item(session, supplier_item_id)  # the supplier boundary: another's item is not found
    found = price_on(session, supplier_item_id, day=day, quantity=quantity)
    if found is None:
        raise NoPrice(f"supplier item {supplier_item_id} has no price for {quantity.normalize():f} on {day}")
    return PriceQuote(supplier_item_id=supplier_item_id, day=day, quantity=quantity, price=found.price,
                      currency=found.currency, min_quantity=found.min_quantity, valid_from=found.valid_from,
                      valid_to=found.valid_to, amount=quantize(quantity * found.price))


class NoPrice(NotFound):
    """No price break of the supplier item applies to that day and quantity."""

    code = "no_price"
