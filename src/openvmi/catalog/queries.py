"""Read models of the catalog for people: searchable, sortable item and supplier-item lists."""
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from openvmi.catalog.models import Item, SupplierItem
from openvmi.listing import ListPage, ListRequest, fetch_all, fetch_list_page, like_pattern
from openvmi.parties.models import Party

ITEM_SORTS = {"code": Item.code, "name": Item.name, "unit": Item.unit, "category": Item.category,
              "default_low_water": Item.default_low_water}
SUPPLIER_ITEM_SORTS = {"item_code": Item.code, "item_name": Item.name, "supplier_code": Party.code,
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
        select(Item.code, Item.name).where(Item.active.is_(True)).order_by(Item.code))]


def catalogue_counts(session: Session) -> dict[str, int]:
    """How many suppliers, items and supplier items the session may see."""
    def count(statement: Select) -> int:
        return session.scalar(select(func.count()).select_from(statement.subquery())) or 0

    return {"suppliers": count(select(Party.id).where(Party.kind == "supplier")),
            "items": count(select(Item.id).where(Item.active.is_(True))),
            "supplier_items": count(select(SupplierItem.id).where(SupplierItem.active.is_(True)))}
