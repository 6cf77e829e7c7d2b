"""A read-only sheet's values row by row, as openpyxl's iter_rows(values_only=True) gives them,
without what openpyxl keeps of every row for writing the sheet back."""
from collections.abc import Iterator
from typing import Any

from openpyxl.worksheet._reader import WorkSheetParser

MAX_SHARED_FORMULAS = 10_000  # a real sheet has a few: one per filled-down block


class _LeanParser(WorkSheetParser):
    """openpyxl keeps a dict for every row with a height or style (LibreOffice gives every row
    both: ~500 MB for a million rows) and every shared formula's parsed master; neither is needed
    to read values, so rows are not kept and masters only up to a cap (a formula sharing a dropped
    master reads as "=": still a formula, so still never taken for a value)."""

    def parse_row(self, row: Any) -> Any:
        parsed = super().parse_row(row)
        self.row_dimensions.clear()
        return parsed

    def parse_formula(self, element: Any) -> Any:
        value = super().parse_formula(element)
        if len(self.shared_formulae) > MAX_SHARED_FORMULAS:
            self.shared_formulae.clear()
        return value


def sheet_values(sheet: Any, *, min_row: int, max_col: int | None) -> Iterator[tuple[object, ...]]:
    """Rows from `min_row` on, each `max_col` wide (or as wide as its last cell), a missing row as
    an empty one: ReadOnlyWorksheet._cells_by_row with values only."""
    empty_row = (None,) * max_col if max_col else ()
    book = sheet.parent
    counter = min_row
    with sheet._get_source() as source:
        parser = _LeanParser(source, sheet._shared_strings, data_only=book.data_only, epoch=book.epoch,
                             date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
        for index, row in parser.parse():
            while counter < index:
                counter += 1
                yield empty_row
            if counter <= index:
                counter += 1
                yield sheet._get_row(row, 1, max_col, values_only=True)
