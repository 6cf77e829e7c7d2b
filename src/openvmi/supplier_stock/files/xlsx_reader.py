"""XLSX workbooks: the saved values of formulas (never evaluated), merged cells, the whole sheet."""
import re
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from openvmi.errors import Reason, RowError
from openvmi.supplier_stock.files.cells import FormulaWithoutValue, cell_text
from openvmi.supplier_stock.files.table_reader import HeaderJudge, TableReader, file_error


class XlsxReader(TableReader):
    """Cached values of formulas, never their evaluation; a formula without one is a row error."""

    file_format = "xlsx"

    def __init__(self, stream: BinaryIO, *, sheet: str | None, total_bytes: int,
                 judge_header: HeaderJudge | None = None) -> None:
        from openpyxl import load_workbook

        try:
            self._values_book = load_workbook(stream, read_only=True, data_only=True)
            stream.seek(0)
            self._formula_book = load_workbook(stream, read_only=True, data_only=False)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
            raise file_error("the workbook cannot be read (%(error)s); save it again as .xlsx",
                             error=type(error).__name__) from None
        # Writers that cannot compute formulas (xlsxwriter, openpyxl) save 0 or nothing as their
        # value and flag the workbook "recalculate on load"; such values are not the figures.
        self._values_trusted = not _recalculate_on_load(stream)
        names = self._values_book.sheetnames
        if sheet is not None and sheet not in names:
            raise file_error("no sheet named %(sheet)s; the workbook has %(names)s", column="sheet", sheet=repr(sheet),
                             names=", ".join(names))
        name = sheet or names[0]
        self.sheet = name
        self._other_sheets = [] if sheet else names[1:]  # a hint when the first sheet is not the stock list
        self.total = self._values_book[name].max_row or 1  # as declared; only for progress
        for book in (self._values_book, self._formula_book):
            # Read every row and column present: some exporters declare the used range as "A1",
            # and openpyxl's read-only mode would stop there.
            book[name].reset_dimensions()
        self._values = self._values_book[name].iter_rows(values_only=True)
        self._formulas = self._formula_book[name].iter_rows(values_only=True)
        self._merged = _merged_ranges(stream, getattr(self._values_book[name], "_worksheet_path", None))
        self._merged_value: dict[tuple[int, int, int, int], object] = {}
        self._row = 0
        self._find_header(judge_header, no_header=Reason("sheet %(sheet)s has no header row", sheet=repr(name)))

    def header_hints(self) -> list[RowError]:
        hints = super().header_hints()
        if self._other_sheets:
            hints.append(RowError(None, "sheet", Reason(
                "this is the first sheet, %(sheet)s; the workbook also has %(others)s: name the sheet to read",
                sheet=repr(self.sheet), others=", ".join(repr(n) for n in self._other_sheets))))
        return hints

    def _records(self) -> Iterator[tuple[list[object], bool]]:
        trusted = self._values_trusted
        for values, formulas in zip(self._values, self._formulas, strict=False):
            self._row += 1
            cells: list[object] = []
            for value, formula in zip(values, formulas, strict=False):
                if (value is None or not trusted) and isinstance(formula, str) and formula.startswith("="):
                    cells.append(FormulaWithoutValue(formula))
                else:
                    cells.append(value)
            if self._merged and getattr(self, "header_row", None) is not None:
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
        self._formula_book.close()


_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)"')


def _merged_ranges(stream: BinaryIO, member: str | None) -> list[tuple[int, int, int, int]]:
    """(first row, last row, first column, last column; columns 0-based) of the sheet's merged
    cells, which openpyxl's read-only mode does not give; read in chunks, never whole."""
    if member is None:
        return []
    found: set[tuple[int, int, int, int]] = set()
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive, archive.open(member.lstrip("/")) as xml:
            tail = b""
            while chunk := xml.read(1 << 20):
                data = tail + chunk
                for match in _MERGE_CELL.finditer(data):
                    first_col, first_row, last_col, last_row = match.groups()
                    found.add((int(first_row), int(last_row), _column_index(first_col), _column_index(last_col)))
                tail = data[-100:]  # a tag cut by the chunk boundary is found whole next time
    except (zipfile.BadZipFile, KeyError):
        return []
    finally:
        stream.seek(0)
    return sorted(found)


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


def _recalculate_on_load(stream: BinaryIO) -> bool:
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            workbook = archive.read("xl/workbook.xml")[:1_000_000]
    except (zipfile.BadZipFile, KeyError):
        return False
    finally:
        stream.seek(0)
    return re.search(rb'<(?:\w+:)?calcPr\b[^>]*\bfullCalcOnLoad="(?:1|true)"', workbook) is not None
