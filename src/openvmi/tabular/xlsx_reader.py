"""XLSX workbooks: the saved values of formulas (never evaluated), merged cells, the whole sheet."""
import itertools
import re
import zipfile
from collections.abc import Iterator
from typing import Any, BinaryIO

from openvmi.errors import InvalidImportFile, Reason, RowError
from openvmi.tabular.cells import FormulaWithoutValue, cell_text
from openvmi.tabular.table_reader import HeaderJudge, TableReader, file_error
from openvmi.tabular.xlsx_archive import GuardedArchive, XlsxLimits, load_workbook, refuse_entities
from openvmi.tabular.xlsx_rows import sheet_values
from openvmi.tabular.xlsx_scan import rows_over_limit, scan_sheet


class XlsxReader(TableReader):
    """Cached values of formulas, never their evaluation; a formula without one is a row error."""

    file_format = "xlsx"

    def __init__(self, stream: BinaryIO, *, sheet: str | None, total_bytes: int,
                 judge_header: HeaderJudge | None = None, limits: XlsxLimits | None = None) -> None:
        limits = limits or XlsxLimits()
        try:
            archive = GuardedArchive(stream, limits)
            self._values_book, strings = load_workbook(archive, data_only=True)
            names = self._values_book.sheetnames
            if sheet is not None and sheet not in names:
                raise file_error("no sheet named %(sheet)s; the workbook has %(names)s", column="sheet",
                                 sheet=repr(sheet), names=", ".join(names))
            name = sheet or names[0]
            values_sheet = self._values_book[name]
            _refuse_declared_size(values_sheet, name, limits)
            with archive.open(values_sheet._worksheet_path.lstrip("/")) as xml:
                facts = scan_sheet(xml, sheet=name, limits=limits)
            # Most exports have no formulas: then the cached values are all there is to read.
            self._formula_book = None
            if facts.has_formulas:
                self._formula_book, _ = load_workbook(archive, data_only=False, shared_strings=strings)
            # Writers that cannot compute formulas (xlsxwriter, openpyxl) save 0 or nothing as their
            # value and flag the workbook "recalculate on load"; such values are not the figures.
            self._values_trusted = not _recalculate_on_load(archive)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError) as error:
            raise _unreadable(error) from None
        self.sheet = name
        self._other_sheets = [] if sheet else names[1:]  # a hint when the first sheet is not the stock list
        self.total = values_sheet.max_row or 1  # as declared; only for progress
        self._limits = limits
        self._merged = facts.merged
        self._merged_value: dict[tuple[int, int, int, int], object] = {}
        self._row = 0
        self._read_rows(min_row=1, max_col=None)
        self._find_header(judge_header, no_header=Reason("sheet %(sheet)s has no header row", sheet=repr(name)))
        # Cells right of the header have no column name, so they are never read: a row of one
        # cell in column IV would otherwise cost as much as 256 cells, a million times over.
        width = max((i + 1 for i, text in enumerate(self.headers) if text), default=1)
        self._read_rows(min_row=self._row + 1, max_col=width)

    def _read_rows(self, *, min_row: int, max_col: int | None) -> None:
        # Every row present is read, whatever used range the sheet declares (some exporters say "A1").
        self._values = sheet_values(self._values_book[self.sheet], min_row=min_row, max_col=max_col)
        self._formulas = None if self._formula_book is None else sheet_values(
            self._formula_book[self.sheet], min_row=min_row, max_col=max_col)

    def header_hints(self) -> list[RowError]:
        hints = super().header_hints()
        if self._other_sheets:
            hints.append(RowError(None, "sheet", Reason(
                "this is the first sheet, %(sheet)s; the workbook also has %(others)s: name the sheet to read",
                sheet=repr(self.sheet), others=", ".join(repr(n) for n in self._other_sheets))))
        return hints

    def _records(self) -> Iterator[tuple[list[object], bool]]:
        try:
            yield from self._cells()
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError) as error:
            raise _unreadable(error) from None

    def _cells(self) -> Iterator[tuple[list[object], bool]]:
        trusted, searching = self._values_trusted, getattr(self, "header_row", None) is None
        formulas = self._formulas if self._formulas is not None else itertools.repeat(())
        for values, row_formulas in zip(self._values, formulas, strict=False):
            self._row += 1
            if searching and any(value is not None for value in values[self._limits.max_columns:]):
                raise file_error("sheet %(sheet)s has more than %(limit)s columns (%(setting)s)",
                                 sheet=repr(self.sheet), limit=self._limits.max_columns,
                                 setting="OPENVMI_XLSX_MAX_COLUMNS")
            if not row_formulas:
                cells: list[object] = list(values)
            else:
                cells = []
                for value, formula in itertools.zip_longest(values, row_formulas):
                    if (value is None or not trusted) and isinstance(formula, str) and formula.startswith("="):
                        cells.append(FormulaWithoutValue(formula))
                    else:
                        cells.append(value)
            if self._merged and not searching:
                self._fill_merged(cells)
            yield cells, any(cell_text(c) for c in cells)

    def _fill_merged(self, cells: list[object]) -> None:
        """A cell merged down or across (one site for several lines) holds its value only in the
        first cell; the user sees it in every one. Only merges below the header count."""
        row = self._row
        for merge in self._merged:
            first_row, last_row, first_col, last_col = merge
            if not self.header_row < first_row <= row <= last_row:
                continue
            if row == first_row:
                self._merged_value[merge] = cells[first_col] if first_col < len(cells) else None
            value = self._merged_value.get(merge)
            if value is None:
                continue
            if len(cells) <= last_col:
                cells.extend([None] * (last_col + 1 - len(cells)))
            for col in range(first_col, last_col + 1):
                if cells[col] is None:
                    cells[col] = value

    def done(self) -> int:
        return min(self._row, self.total)

    def close(self) -> None:
        self._values_book.close()
        if self._formula_book is not None:
            self._formula_book.close()


def _refuse_declared_size(sheet: Any, name: str, limits: XlsxLimits) -> None:
    """The used range the sheet declares, before a row of it is parsed."""
    if (sheet.max_row or 0) > limits.max_rows:
        raise rows_over_limit(name, limits)
    if (sheet.max_column or 0) > limits.max_columns:
        raise file_error("sheet %(sheet)s has more than %(limit)s columns (%(setting)s)", sheet=repr(name),
                         limit=limits.max_columns, setting="OPENVMI_XLSX_MAX_COLUMNS")


def _unreadable(error: Exception) -> InvalidImportFile:
    refuse_entities(error)
    return file_error("the workbook cannot be read (%(error)s); save it again as .xlsx", error=type(error).__name__)


def _recalculate_on_load(archive: GuardedArchive) -> bool:
    try:
        workbook = archive.read("xl/workbook.xml")[:1_000_000]
    except KeyError:
        return False
    return re.search(rb'<(?:\w+:)?calcPr\b[^>]*\bfullCalcOnLoad="(?:1|true)"', workbook) is not None
