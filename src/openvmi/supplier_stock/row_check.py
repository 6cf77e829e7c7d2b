"""Checks each row of a stock file against the supplier's items and sites, collecting every problem."""
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from openvmi.errors import Reason, RowError
from openvmi.supplier_stock import rules
from openvmi.tabular import values
from openvmi.tabular.cells import cell_text

# The quantity as most files write it ("1200", "37.5"): checked by its shape alone, no Decimal made
# for a million cells. Nine whole digits and six decimals at most: limits.MAX_QUANTITY, the 15
# significant digits a float (SQLite's REAL) keeps, so such quantities are stored exactly.
_plain_quantity = re.compile(r"(?:0|[1-9][0-9]{0,8})(?:\.[0-9]{1,6})?").fullmatch


def _plain_text(quantity: Decimal) -> str:
    return format(quantity, "f")  # never "1E+3", which not every database reads as a number


class ItemRef(NamedTuple):
    """What a row may name: one of the supplier's items (a tuple: a file may name a million)."""

    item_id: int
    item_code: str
    unit: str
    lead_time_days: int


# A checked line: (row, item_id, location_id, on_hand, available, next_available_date,
# lead_time_days, unit), the staging table's column order, as both databases take it: quantities
# as plain decimal text, the date as ISO text. A plain tuple, not a NamedTuple: a million are made,
# and sqlite3 binds an exact tuple markedly faster.
StockRow = tuple[int, int, int, str, str, str | None, int | None, str]


@dataclass
class RowValidator:
    """Checks one data row against the supplier's items and sites; collects every problem."""

    columns: dict[str, int]
    headers: list[str]
    items_by_code: dict[str, ItemRef]  # keys upper-cased
    items_by_part_number: dict[str, ItemRef]  # keys upper-cased
    sites_by_key: dict[str, int]  # rules.site_key of each site's code, name and aliases
    default_site_id: int | None
    today: date
    site_list: str = "—"  # the supplier's sites, as the unknown-site error lists them

    def __post_init__(self) -> None:
        self._index = tuple(self.columns.get(name, -1) for name in rules.FIELDS)
        self._site_of_text: dict[object, int] = {}  # a file names its few sites a million times

    def check(self, row: int, cells: list[object]) -> StockRow | list[RowError] | None:
        """The checked line, every problem of the row, or None for a row that is no stock line
        (a totals row, the header repeated on a new page)."""
        try:
            line = self._plain_row(row, cells)
        except (AttributeError, IndexError, KeyError, TypeError, ValueError, ArithmeticError, values.CellError):
            line = None
        if line is not None:
            return line
        if self._not_a_line(cells):  # only rows the fast path refused pay for this
            return None
        return self._full_check(row, cells)

    def _not_a_line(self, cells: list[object]) -> bool:
        texts = [cell_text(c) for c in cells]
        if [t for t in texts if t] == [h for h in self.headers if h]:
            return True
        first = next((t for t in texts if t), "")
        if not values.is_total_label(first):
            return False
        # the label may stand in the item column itself, but no real item may be named
        names = [texts[i] for f in ("item_code", "supplier_part_number") if (i := self.columns.get(f, -1)) >= 0
                 and i < len(texts)]
        return all(not name or values.is_total_label(name) for name in names)

    def _plain_row(self, row: int, cells: list[object]) -> StockRow | None:
        """Fast path for the common row (plain text cells, plain numbers): at least as strict as
        _full_check, and anything unusual (or wrong) goes there for the full story."""
        item_col, part_col, site_col, on_hand_col, available_col, date_col, lead_col, unit_col = self._index
        item = None
        if item_col >= 0:
            text = cells[item_col]
            item = self.items_by_code.get(text) or self.items_by_code[text.strip().upper()]  # type: ignore[union-attr,arg-type]
        if part_col >= 0:
            by_part = self.items_by_part_number[cells[part_col].strip().upper()]  # type: ignore[union-attr]
            if item is not None and by_part.item_id != item.item_id:
                return None
            item = by_part
        if item is None:
            return None
        if site_col >= 0:
            text = cells[site_col]
            site_id = self._site_of_text.get(text)
            if site_id is None:
                site_id = self._site_of_text[text] = self.sites_by_key[rules.site_key(text)]  # type: ignore[arg-type]
        else:
            site_id = self.default_site_id
        if site_id is None:
            return None
        on_hand = cells[on_hand_col].strip()  # type: ignore[union-attr]
        if not _plain_quantity(on_hand):
            return None
        available = on_hand
        if available_col >= 0:
            text = cells[available_col].strip()  # type: ignore[union-attr]
            if text:
                if not _plain_quantity(text):
                    return None
                available = text
                if available != on_hand and float(available) > float(on_hand):
                    return None
        next_date = lead_time = None
        if date_col >= 0:
            text = cells[date_col].strip()  # type: ignore[union-attr]
            if text:
                next_date = values.parse_date(text, today=self.today).isoformat()
        if lead_col >= 0:
            text = cells[lead_col].strip()  # type: ignore[union-attr]
            if text:
                lead_time = int(text)
                if not 0 <= lead_time <= 3650:
                    return None
        if unit_col >= 0:
            text = cells[unit_col].strip()  # type: ignore[union-attr]
            if text and not rules.same_unit(text, item.unit):
                return None
        return row, item.item_id, site_id, on_hand, available, next_date, lead_time, item.unit

    def _full_check(self, row: int, cells: list[object]) -> StockRow | list[RowError]:
        errors: list[RowError] = []
        unreadable: set[str] = set()  # fields already reported; "no quantity given" would mislead

        def cell(field: str) -> object:
            index = self.columns.get(field)
            if index is None or index >= len(cells):
                return None
            try:
                return values.readable(cells[index])
            except values.CellError as error:
                unreadable.add(field)
                errors.append(RowError(row, self.headers[index], error.reason, cell_text(cells[index])))
                return None

        def fail(field: str, reason: Reason, value: object = None) -> None:
            if field in unreadable:
                return
            index = self.columns.get(field)
            column = self.headers[index] if index is not None else field
            errors.append(RowError(row, column, reason, None if value is None else cell_text(value)))

        item = self._item(cell("item_code"), cell("supplier_part_number"), fail)
        site_id = self._site(cell("site"), fail)
        on_hand = self._quantity("on_hand", cell("on_hand"), fail, required=True)
        available = self._quantity("available", cell("available"), fail, required=False)
        next_date = lead_time = None
        raw_date = cell("next_available_date")
        if raw_date is not None:
            try:
                next_date = values.parse_date(raw_date, today=self.today)
            except values.CellError as error:
                fail("next_available_date", error.reason, raw_date)
        raw_days = cell("lead_time_days")
        if raw_days is not None:
            try:
                lead_time = rules.parse_days(raw_days)
            except values.CellError as error:
                fail("lead_time_days", error.reason, raw_days)
        raw_unit = cell("unit")
        if raw_unit is not None and item is not None and not rules.same_unit(cell_text(raw_unit), item.unit):
            fail("unit", Reason("wrong unit: %(item)s is counted in %(unit)s", item=item.item_code, unit=item.unit),
                 raw_unit)
        if on_hand is not None and available is not None and available > on_hand:
            fail("available", Reason("available (%(available)s) is more than on hand (%(on_hand)s)",
                                     available=available, on_hand=on_hand), available)
        if errors:
            return errors
        assert item is not None and site_id is not None and on_hand is not None
        return (row, item.item_id, site_id, _plain_text(on_hand),
                _plain_text(on_hand if available is None else available),
                next_date.isoformat() if next_date else None, lead_time, item.unit)

    def _item(self, code: object, part_number: object,
              fail: Callable[[str, str, object], None]) -> ItemRef | None:
        by_code = by_part = None
        if code is not None:
            by_code = self.items_by_code.get(cell_text(code).upper())
            if by_code is None:
                fail("item_code", Reason("unknown item code (or not one of your supplier items)"), code)
                return None
        if part_number is not None:
            by_part = self.items_by_part_number.get(cell_text(part_number).upper())
            if by_part is None:
                fail("supplier_part_number", Reason("unknown supplier part number"), part_number)
                return None
        if by_code is None and by_part is None:
            fail("item_code" if "item_code" in self.columns else "supplier_part_number", Reason("no item given"), None)
            return None
        if by_code is not None and by_part is not None and by_code.item_id != by_part.item_id:
            fail("supplier_part_number", Reason("part number belongs to %(item)s, not %(code)s",
                                                item=by_part.item_code, code=by_code.item_code), part_number)
            return None
        return by_code or by_part

    def _site(self, code: object, fail: Callable[[str, str, object], None]) -> int | None:
        if code is None:
            if self.default_site_id is None:
                fail("site", Reason("no site given"), None)
            return self.default_site_id
        site_id = self.sites_by_key.get(rules.site_key(cell_text(code)))
        if site_id is None:
            fail("site", Reason(rules.UNKNOWN_SITE, sites=self.site_list), code)
        return site_id

    def _quantity(self, field: str, value: object, fail: Callable[[str, str, object], None], *,
                  required: bool) -> Decimal | None:
        if value is None:
            if required:
                fail(field, Reason("no quantity given"), None)
            return None
        try:
            return values.parse_quantity(value)
        except values.CellError as error:
            fail(field, error.reason, value)
            return None
