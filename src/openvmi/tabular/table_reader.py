"""What every file format's reader shares: find the header row, then yield the rows below it."""
from collections.abc import Callable, Iterator

from openvmi.errors import InvalidImportFile, Reason, RowError
from openvmi.tabular.cells import cell_text

HEADER_SEARCH_ROWS = 20  # reports put a title, dates and blank lines above the header
Progress = Callable[[int, int], None]  # (done, total) in the reader's own unit
# (complete, fields recognised) for a row's texts: how a feature says which row is its header
# (e.g. supplier_stock.rules.header_fitness); this package never knows the fields themselves.
HeaderJudge = Callable[[list[str]], tuple[bool, int]]


def file_error(msgid: str, *, row: int | None = None, column: str | None = None, **params: object
               ) -> InvalidImportFile:
    """A problem with the file as a whole (or one place in it), as the error the upload is refused with."""
    return InvalidImportFile([RowError(row, column, Reason(msgid, **params))])


class TableReader:
    """Rows of one table: `headers`, then `rows()` yielding (row number as the user sees it, cells)."""

    file_format: str
    encoding: str | None = None
    delimiter: str | None = None
    headers: list[str]
    header_row: int
    total: int  # progress denominator: bytes (CSV) or rows (XLSX)
    _row: int  # physical row (1-based) of the last record read
    _pending: list[tuple[int, list[object]]]  # data rows read while looking for the header

    def _records(self) -> Iterator[tuple[list[object], bool]]:
        """(cells, has text) per physical row, counting self._row."""
        raise NotImplementedError

    def _header_texts(self, cells: list[object]) -> list[str]:
        return [cell_text(c) for c in cells]

    def _find_header(self, judge: HeaderJudge | None, *, no_header: Reason) -> None:
        """The first complete header in the first rows, else the row that looks most like one
        (so its problems are reported where the user will look), else the first row with text."""
        seen: list[tuple[int, list[object]]] = []
        best: tuple[int, int] | None = None  # (fields recognised, index in seen)
        for cells, has_text in self._records():
            if has_text:
                seen.append((self._row, cells))
                if judge is None:
                    break
                complete, fields = judge(self._header_texts(cells))
                if complete:
                    best = (fields, len(seen) - 1)
                    break
                if best is None or fields > best[0]:
                    best = (fields, len(seen) - 1)
            if self._row >= HEADER_SEARCH_ROWS:
                break
        if not seen:
            raise InvalidImportFile([RowError(None, None, no_header)])
        index = best[1] if best is not None else 0
        self._searched_rows = self._row
        self.header_row, cells = seen[index]
        self.headers = self._header_texts(cells)
        self._pending = seen[index + 1:]

    def header_hints(self) -> list[RowError]:
        """Where else to look, for a file whose header row was not found complete."""
        if self._searched_rows < HEADER_SEARCH_ROWS:
            return []
        return [RowError(None, None, Reason("the header row is looked for in the first %(rows)s rows; delete the "
                                            "lines above it", rows=HEADER_SEARCH_ROWS))]

    def rows(self) -> Iterator[tuple[int, list[object]]]:
        """(row number as the user sees it, cells) of every row below the header with text."""
        yield from self._pending
        self._pending = []
        for cells, has_text in self._records():
            if has_text:
                yield self._row, cells

    def done(self) -> int:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError
