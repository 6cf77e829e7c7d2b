"""Reads supplier stock files (CSV in any common encoding and delimiter, XLSX) row by row, without
loading them into memory, and turns each row into a checked stock line or a list of row errors."""
import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import BinaryIO, NamedTuple

from charset_normalizer import from_bytes

from openvmi.errors import InvalidImportFile, Reason, RowError
from openvmi.supplier_stock import rules

MAX_FILE_BYTES = 256 * 1024 * 1024
SAMPLE_BYTES = 64 * 1024
# A stock row is well under a kilobyte. csv builds a whole row at once, so one line of millions of
# cells would take gigabytes: such a file is refused before it is parsed.
MAX_LINE_BYTES = 1024 * 1024
HEADER_SEARCH_ROWS = 20  # reports put a title, dates and blank lines above the header
Progress = Callable[[int, int], None]  # (done, total) in the reader's own unit
HeaderJudge = Callable[[list[str]], tuple[bool, int]]  # (complete, fields recognised), see rules

_CANDIDATES = ["gb18030", "cp1252", "big5", "shift_jis", "euc_kr"]
_READ_AS_GBK = {"gb18030", "euc_kr"}  # EUC-KR is what short GBK samples are most often mistaken for


def file_error(msgid: str, *, row: int | None = None, column: str | None = None, **params: object
               ) -> InvalidImportFile:
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
        return [_text(c) for c in cells]

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


def open_table(stream: BinaryIO, *, filename: str, encoding: str | None = None, sheet: str | None = None,
               max_bytes: int = MAX_FILE_BYTES, judge_header: HeaderJudge | None = None) -> TableReader:
    """Recognise the file (by content, not by name) and position a reader after its header row:
    the first row `judge_header` finds complete within the first rows (else the first row with text)."""
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size == 0:
        raise file_error("the file is empty")
    if size > max_bytes:
        raise file_error("the file is %(size)s MB; the limit is %(limit)s MB (split it, or use delta mode for "
                         "changes only)", size=f"{size / 1048576:.0f}", limit=max_bytes // 1048576)
    head = stream.read(80)
    stream.seek(0)
    if head.startswith(b"PK\x03\x04") and b"mimetypeapplication/vnd.oasis.opendocument" in head:
        raise file_error("this is an OpenDocument (.ods) spreadsheet; save it as .xlsx or CSV")
    if head.startswith(b"PK\x03\x04"):
        return XlsxReader(stream, sheet=sheet, total_bytes=size, judge_header=judge_header)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise file_error("this is an old Excel .xls file or a password-protected workbook; "
                         "save it as .xlsx without a password, or as CSV")
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise file_error("the file is named .xlsx but is not an Excel workbook")
    return CsvReader(stream, encoding=encoding, total_bytes=size, judge_header=judge_header)


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030; anything else must be chosen."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data" and error.start >= len(sample) - 3:
            return "utf-8"  # the sample cut a character in half
    # Short GBK samples also read as Korean or Big5 without any "chaos"; for our users a tie
    # means GBK. Other encodings are accepted only when the user names them.
    matches = sorted(from_bytes(sample, cp_isolation=_CANDIDATES), key=lambda m: m.chaos)
    if matches and _decodes(sample, "gb18030"):
        least_chaos = matches[0].chaos
        if matches[0].encoding in _READ_AS_GBK or any(
                m.encoding == "gb18030" and m.chaos <= least_chaos + 0.01 for m in matches):
            return "gb18030"  # a superset of GB2312 and GBK
    guess = matches[0].encoding if matches else "binary data"
    raise file_error("the file is not UTF-8 or GBK/GB18030 (it looks like %(guess)s); choose its encoding",
                     guess=guess)


def _decodes(sample: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        decoder.decode(sample, final=False)  # a cut multi-byte character at the end is fine
    except UnicodeDecodeError:
        return False
    return True


class CsvReader(TableReader):
    file_format = "csv"

    def __init__(self, stream: BinaryIO, *, encoding: str | None, total_bytes: int,
                 judge_header: HeaderJudge | None = None) -> None:
        self._stream = stream
        self.total = total_bytes
        sample = stream.read(SAMPLE_BYTES)
        stream.seek(0)
        if encoding:
            try:
                self.encoding = codecs.lookup(encoding).name
            except LookupError:
                raise file_error("unknown encoding %(encoding)s", column="encoding", encoding=repr(encoding)) from None
            if self.encoding == "utf-8" and sample.startswith(codecs.BOM_UTF8):
                self.encoding = "utf-8-sig"
            if not _decodes(sample, self.encoding):
                raise file_error("the file is not valid %(encoding)s; choose another encoding or let it be detected",
                                 encoding=encoding)
        else:
            self.encoding = detect_encoding(sample)
            if self.encoding == "utf-8" and not _decodes_whole(stream, "utf-8") and _decodes_whole(stream, "gb18030"):
                self.encoding = "gb18030"  # ASCII rows first, the first Chinese text after the sample
        _refuse_overlong_lines(stream)
        text_sample = codecs.getincrementaldecoder(self.encoding)(errors="replace").decode(sample)
        self.delimiter = _sniff_delimiter(text_sample)
        # Undecodable bytes are kept as surrogates and reported with the row they are in (a
        # strict decoder fails a whole read-ahead chunk earlier, naming the wrong row).
        self._text = io.TextIOWrapper(stream, encoding=self.encoding, errors="surrogateescape", newline="")
        self._reader = csv.reader(self._text, delimiter=self.delimiter)
        self._row = 0
        self._find_header(judge_header, no_header=Reason("the file has no header row"))

    def _header_texts(self, cells: list[object]) -> list[str]:
        return [c.strip() for c in cells]  # type: ignore[union-attr]

    def _records(self) -> Iterator[tuple[list[object], bool]]:
        """(cells, has text) per record; a byte the encoding cannot read stops at its row."""
        reader = self._reader
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise file_error("the CSV is malformed: %(error)s", row=self._row + 1, error=error) from None
            self._row += 1
            joined = "".join(cells)
            try:
                joined.encode("utf-8")
            except UnicodeEncodeError:
                raise file_error("the file is not valid %(encoding)s at row %(line)s; choose its encoding",
                                 row=self._row, encoding=self.encoding, line=self._row) from None
            yield cells, not joined.isspace() and joined != ""  # type: ignore[misc]

    def done(self) -> int:
        return self._stream.tell()

    def close(self) -> None:
        self._text.detach()  # a collected TextIOWrapper would close the caller's stream


def _decodes_whole(stream: BinaryIO, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    stream.seek(0)
    try:
        while chunk := stream.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)
    return True


def _refuse_overlong_lines(stream: BinaryIO) -> None:
    """Raise for a line longer than MAX_LINE_BYTES, reading in chunks no bigger than that limit
    (so only a line that crosses a chunk boundary can be too long)."""
    run = line = 0  # bytes since the last line break; line breaks seen
    stream.seek(0)
    while chunk := stream.read(MAX_LINE_BYTES):
        first = chunk.find(b"\n")
        if first < 0:
            run += len(chunk)
        else:
            run += first
        if run > MAX_LINE_BYTES:
            stream.seek(0)
            raise file_error("line %(line)s is longer than %(limit)s MB: this is not a stock list with one item "
                             "per line", row=line + 1, line=line + 1, limit=MAX_LINE_BYTES // 1048576)
        if first >= 0:
            line += chunk.count(b"\n")
            run = len(chunk) - chunk.rfind(b"\n") - 1
    stream.seek(0)


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the most lines into the same number of fields. (csv.Sniffer is
    fooled by a report title above the header and by "1,200.000" in a tab-separated file.)"""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last sampled line may be cut off
    unquoted = [re.sub(r'"[^"]*"', "", line) for line in lines]
    best, best_score = ",", (0, 0)
    for delimiter in ",;\t|":
        counts = Counter(line.count(delimiter) for line in unquoted)
        counts.pop(0, None)
        if counts:
            fields, lines_agreeing = max(counts.items(), key=lambda c: (c[1], c[0]))
            if (lines_agreeing, fields) > best_score:
                best, best_score = delimiter, (lines_agreeing, fields)
    return best


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
            yield cells, any(_text(c) for c in cells)

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


# The quantity as most files write it ("1200", "37.5"): checked by its shape alone, no Decimal made
# for a million cells. At most 15 significant digits, so floats order such quantities exactly.
_plain_quantity = re.compile(r"(?:0|[1-9][0-9]{0,8})(?:\.[0-9]{1,6})?").fullmatch


def _plain_text(quantity: Decimal) -> str:
    return format(quantity, "f")  # never "1E+3", which not every database reads as a number


@dataclass(frozen=True)
class FormulaWithoutValue:
    formula: str


def _text(value: object) -> str:
    if value is None or isinstance(value, FormulaWithoutValue):
        return "" if value is None else value.formula
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 10023.0 from a numeric item-code cell
    if isinstance(value, datetime | date):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


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
    sites_by_code: dict[str, int]  # keys upper-cased
    default_site_id: int | None
    today: date

    def __post_init__(self) -> None:
        self._index = tuple(self.columns.get(name, -1) for name in rules.FIELDS)
        self._site_of_text: dict[object, int] = {}  # a file names its few sites a million times

    def check(self, row: int, cells: list[object]) -> StockRow | list[RowError] | None:
        """The checked line, every problem of the row, or None for a row that is no stock line
        (a totals row, the header repeated on a new page)."""
        try:
            line = self._plain_row(row, cells)
        except (AttributeError, IndexError, KeyError, TypeError, ValueError, ArithmeticError, rules.CellError):
            line = None
        if line is not None:
            return line
        if self._not_a_line(cells):  # only rows the fast path refused pay for this
            return None
        return self._full_check(row, cells)

    def _not_a_line(self, cells: list[object]) -> bool:
        texts = [_text(c) for c in cells]
        if [t for t in texts if t] == [h for h in self.headers if h]:
            return True
        first = next((t for t in texts if t), "")
        if not rules.is_total_label(first):
            return False
        # the label may stand in the item column itself, but no real item may be named
        names = [texts[i] for f in ("item_code", "supplier_part_number") if (i := self.columns.get(f, -1)) >= 0
                 and i < len(texts)]
        return all(not name or rules.is_total_label(name) for name in names)

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
                site_id = self._site_of_text[text] = self.sites_by_code[text.strip().upper()]  # type: ignore[union-attr]
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
                next_date = rules.parse_date(text, today=self.today).isoformat()
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
            value = cells[index]
            if isinstance(value, FormulaWithoutValue):
                unreadable.add(field)
                errors.append(RowError(row, self.headers[index],
                                       Reason("formula without a saved value: open and save the file in a "
                                              "spreadsheet program, or paste values"), value.formula))
                return None
            text = _text(value)
            if text.startswith('="') and text.endswith('"') and len(text) > 2:
                value = text = text[2:-1].strip()  # ="00123": exports that keep Excel from dropping zeros
            if text in rules.SPREADSHEET_ERRORS:
                unreadable.add(field)
                errors.append(RowError(row, self.headers[index],
                                       Reason("the cell shows the spreadsheet error %(error)s: fix its formula",
                                              error=text), text))
                return None
            return None if text == "" else value

        def fail(field: str, reason: Reason, value: object = None) -> None:
            if field in unreadable:
                return
            index = self.columns.get(field)
            column = self.headers[index] if index is not None else field
            errors.append(RowError(row, column, reason, None if value is None else _text(value)))

        item = self._item(cell("item_code"), cell("supplier_part_number"), fail)
        site_id = self._site(cell("site"), fail)
        on_hand = self._quantity("on_hand", cell("on_hand"), fail, required=True)
        available = self._quantity("available", cell("available"), fail, required=False)
        next_date = lead_time = None
        raw_date = cell("next_available_date")
        if raw_date is not None:
            try:
                next_date = rules.parse_date(raw_date, today=self.today)
            except rules.CellError as error:
                fail("next_available_date", error.reason, raw_date)
        raw_days = cell("lead_time_days")
        if raw_days is not None:
            try:
                lead_time = rules.parse_days(raw_days)
            except rules.CellError as error:
                fail("lead_time_days", error.reason, raw_days)
        raw_unit = cell("unit")
        if raw_unit is not None and item is not None and not rules.same_unit(_text(raw_unit), item.unit):
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
            by_code = self.items_by_code.get(_text(code).upper())
            if by_code is None:
                fail("item_code", Reason("unknown item code (or not one of your supplier items)"), code)
                return None
        if part_number is not None:
            by_part = self.items_by_part_number.get(_text(part_number).upper())
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
        site_id = self.sites_by_code.get(_text(code).upper())
        if site_id is None:
            fail("site", Reason("unknown site (not one of your supplier sites)"), code)
        return site_id

    def _quantity(self, field: str, value: object, fail: Callable[[str, str, object], None], *,
                  required: bool) -> Decimal | None:
        if value is None:
            if required:
                fail(field, Reason("no quantity given"), None)
            return None
        try:
            return rules.parse_quantity(value)
        except rules.CellError as error:
            fail(field, error.reason, value)
            return None
