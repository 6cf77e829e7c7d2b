"""The thresholds read model for people: every supplier item with its own marks, the item's
default and where its published stock stands, filtered and sorted (the API lists the rows)."""
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from openvmi.catalog.models import Item, SupplierItem
from openvmi.db import quantize
from openvmi.errors import NotFound
from openvmi.listing import ListPage, ListRequest, fetch_list_page, like_pattern
from openvmi.parties.models import Party
from openvmi.supplier_stock import rules
from openvmi.supplier_stock.models import StockThreshold, SupplierStock


class Show:
    """The list's filter values (`show=`): whose marks apply, or where the stock stands."""

    OWN = "own"
    DEFAULT = "default"
    NONE = "none"
    BELOW = "below"
    ABOVE = "above"


@dataclass(frozen=True)
class ThresholdFilter:
    supplier_id: int | None = None
    item_id: int | None = None
    show: str | None = None


@dataclass(frozen=True)
class WatchedItem:
    """One supplier item and the marks that decide its alerts."""

    supplier_item_id: int
    supplier_id: int
    supplier_code: str
    supplier_name: str
    item_id: int
    item_code: str
    item_name: str
    unit: str
    threshold_id: int | None  # the supplier item's own marks, if any
    own_low: Decimal | None
    own_high: Decimal | None
    item_default_low: Decimal | None
    available: Decimal | None  # total over the supplier's sites; None: nothing published

    @property
    def marks(self) -> rules.Thresholds:
        return rules.effective_thresholds(own_low=self.own_low, own_high=self.own_high,
                                          item_default_low=self.item_default_low)

    @property
    def state(self) -> rules.WatchState:
        return rules.watch_state(self.available, self.marks)


def _statement(request: ListRequest, filters: ThresholdFilter) -> tuple[Any, dict[str, Any]]:
    # The total is summed per row shown (a correlated subquery), not over all stock first.
    available = (select(func.sum(SupplierStock.available))
                 .where(SupplierStock.supplier_id == SupplierItem.supplier_id,
                        SupplierStock.item_id == SupplierItem.item_id)
                 .correlate(SupplierItem).scalar_subquery())
    low = func.coalesce(StockThreshold.low_water, Item.default_low_water)
    statement = (select(SupplierItem.id, SupplierItem.supplier_id, Party.code, Party.name, Item.id, Item.code,
                        Item.name, Item.unit, StockThreshold.id, StockThreshold.low_water, StockThreshold.high_water,
                        Item.default_low_water, available.label("available"))
                 .join(Item, Item.id == SupplierItem.item_id).join(Party, Party.id == SupplierItem.supplier_id)
                 .outerjoin(StockThreshold, and_(StockThreshold.supplier_id == SupplierItem.supplier_id,
                                                 StockThreshold.item_id == SupplierItem.item_id))
                 .where(SupplierItem.active.is_(True)))
    if filters.supplier_id is not None:
        statement = statement.where(SupplierItem.supplier_id == filters.supplier_id)
    if filters.item_id is not None:
        statement = statement.where(SupplierItem.item_id == filters.item_id)
    if request.search:
        for pattern in (like_pattern(word) for word in request.search.split()):
            statement = statement.where(or_(*(func.lower(column).like(pattern, escape="\\") for column in (
                Item.code, Item.name, Party.code, Party.name, SupplierItem.supplier_part_number))))
    show = {Show.OWN: StockThreshold.id.is_not(None),
            Show.DEFAULT: StockThreshold.id.is_(None) & Item.default_low_water.is_not(None),
            Show.NONE: StockThreshold.id.is_(None) & Item.default_low_water.is_(None),
            Show.BELOW: available < low,
            Show.ABOVE: available > StockThreshold.high_water}.get(filters.show or "")
    if show is not None:
        statement = statement.where(show)
    sort_columns = {"item_code": Item.code, "supplier_code": Party.code, "low_water": low,
                    "high_water": StockThreshold.high_water, "available": available}
    return statement, sort_columns


def browse_thresholds(session: Session, request: ListRequest, filters: ThresholdFilter) -> ListPage:
    """A page of supplier items with their marks; a supplier user's session sees its own only."""
    statement, sort_columns = _statement(request, filters)
    page = fetch_list_page(session, statement, request, sort_columns=sort_columns, default_sort="item_code",
                           tie_breaker=SupplierItem.id)
    return ListPage(rows=[_watched(row) for row in page.rows], total=page.total, page=page.page,
                    per_page=page.per_page, sort=page.sort, descending=page.descending)


def get_watched_item(session: Session, supplier_item_id: int) -> WatchedItem:
    statement, _ = _statement(ListRequest(), ThresholdFilter())
    row = session.execute(statement.where(SupplierItem.id == supplier_item_id)).first()
    if row is None:
        raise NotFound(f"no such supplier item: {supplier_item_id}")
    return _watched(row)


def _watched(row: Any) -> WatchedItem:
    (supplier_item_id, supplier_id, supplier_code, supplier_name, item_id, item_code, item_name, unit,
     threshold_id, own_low, own_high, default_low, available) = row
    return WatchedItem(
        supplier_item_id=supplier_item_id, supplier_id=supplier_id, supplier_code=supplier_code,
        supplier_name=supplier_name, item_id=item_id, item_code=item_code, item_name=item_name, unit=unit,
        threshold_id=threshold_id, own_low=own_low, own_high=own_high, item_default_low=default_low,
        available=quantize(Decimal(str(available))) if available is not None else None)
