"""One pass over a worksheet's XML before openpyxl parses it: its merged cells and whether it has
formulas, and the shapes that would make openpyxl hold too much (a huge row, much XML between
rows, a row number past the limit) refused first."""
import re
from dataclasses import dataclass, field
from typing import IO

from openvmi.tabular.table_reader import file_error
from openvmi.tabular.xlsx_archive import ENTITIES, XlsxLimits, sizes

_CHUNK = 1 << 20
_LOOKAHEAD = 64  # a tag name cut by the end of a chunk is looked at again with the next one
# A row, formula or merged-cell tag whole (quoted values may hold ">"); else the start of a comment,
# CDATA, processing instruction or DOCTYPE; else such a tag cut off by the end of the chunk.
_MARK = re.compile(rb"""<(/?)(?:[A-Za-z_][\w.-]*:)?(row|f|mergeCell)(?=[\s/>])((?:[^>"'/]|/(?!>)|"[^"]*"|'[^']*')*)"""
                   rb"""(/?)>|<[!?]|</?(?:[A-Za-z_][\w.-]*:)?(?:row|f|mergeCell)(?=[\s/>])""")
_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["']([^"']*)["']""")
_MERGE_REF = re.compile(rb"""\sref\s*=\s*["']([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)["']""")
_SKIP_TO = {b"<!--": b"-->", b"<![CDATA[": b"]]>", b"<?": b"?>"}
_WHITESPACE = b" \t\r\n"


@dataclass
class SheetFacts:
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # rows, then columns (0-based)
    has_formulas: bool = False


def scan_sheet(xml: IO[bytes], *, sheet: str, limits: XlsxLimits) -> SheetFacts:
    """Read the sheet's XML in chunks (never whole) and refuse what openpyxl could not read in
    bounded memory: it builds each row whole and keeps all else it parses."""
    return _Scan(sheet, limits).run(xml)


class _Scan:
    def __init__(self, sheet: str, limits: XlsxLimits) -> None:
        self.sheet, self.limits = sheet, limits
        self.facts = SheetFacts()
        self.merged: set[tuple[int, int, int, int]] = set()
        self.in_row = False
        self.row = 0  # as openpyxl numbers rows: the r attribute, else one more than the last
        self.row_bytes = 0
        self.extra = 0  # XML outside rows, whitespace not counted
        self.done = 0  # absolute offset up to which bytes were counted
        self.position = 0  # absolute offset from which marks are looked for

    def run(self, xml: IO[bytes]) -> SheetFacts:
        buffer, base = b"", 0  # base: absolute offset of buffer[0]
        while True:
            chunk = xml.read(_CHUNK)
            buffer += chunk
            keep = self._scan(buffer, base, final=not chunk)  # buffer[keep:] is still needed
            if not chunk:
                break
            self._count(buffer, base, base + keep)
            buffer, base = buffer[keep:], base + keep
            if len(buffer) > _CHUNK + _LOOKAHEAD:  # one comment or tag longer than a chunk: it counts as it grows
                self._count(buffer, base, base + len(buffer))
        self.facts.merged = sorted(self.merged)
        return self.facts

    def _scan(self, buffer: bytes, base: int, *, final: bool) -> int:
        """Look at every mark from self.position on; the offset in `buffer` from which bytes are
        still needed (a construct cut by the end of the chunk, or the look-ahead)."""
        end = len(buffer) if final else max(len(buffer) - _LOOKAHEAD, 0)
        position = self.position - base
        restart = True
        while restart:
            restart = False
            for mark in _MARK.finditer(buffer, position):
                start = mark.start()
                if start >= end:
                    break
                closing, name = mark.group(1), mark.group(2)
                if name is None:
                    if buffer[start + 1] not in b"!?":  # a tag whose end is in the next chunk
                        return self._stop(base, start, final, buffer)
                    after = self._skip(buffer, start)  # <! or <?
                    if after < 0:
                        return self._stop(base, start, final, buffer)
                    position, restart = after, True
                    break
                position = mark.end()
                if name == b"f":
                    self.facts.has_formulas = self.facts.has_formulas or not closing
                elif name == b"mergeCell":
                    self._merge(mark.group(3))
                elif closing:
                    self._count(buffer, base, base + position)
                    self.in_row, self.row_bytes = False, 0
                else:
                    self._count(buffer, base, base + start)
                    self._start_row(mark.group(3))
                    self._count(buffer, base, base + position)
                    if mark.group(4):  # <row .../>: an empty row
                        self.in_row, self.row_bytes = False, 0
        self.position = base + max(position, end)
        return end

    def _stop(self, base: int, start: int, final: bool, buffer: bytes) -> int:
        """A construct that goes on in the next chunk: keep it from `start` (at the end: malformed,
        which openpyxl reports)."""
        self.position = base + start
        return len(buffer) if final else start

    def _skip(self, buffer: bytes, start: int) -> int:
        """The position after a comment, CDATA or processing instruction; -1 if it ends in a later chunk."""
        for opening, closing in _SKIP_TO.items():
            if buffer.startswith(opening, start):
                found = buffer.find(closing, start + len(opening))
                return -1 if found < 0 else found + len(closing)
        if len(buffer) - start < 9:
            return -1
        raise file_error(ENTITIES)  # <!DOCTYPE or <!ENTITY: no spreadsheet program writes either

    def _start_row(self, tag: bytes) -> None:
        self.in_row, self.row_bytes = True, 0
        number = _ROW_NUMBER.search(tag)
        try:
            self.row = int(number.group(1)) if number else self.row + 1
        except ValueError:
            try:
                self.row = int(float(number.group(1)))  # type: ignore[union-attr]  # as openpyxl reads "1e6"
            except ValueError:
                return  # openpyxl refuses the file
        if self.row > self.limits.max_rows:
            raise rows_over_limit(self.sheet, self.limits)

    def _merge(self, tag: bytes) -> None:
        ref = _MERGE_REF.search(tag)
        if ref:
            first_col, first_row, last_col, last_row = ref.groups()
            self.merged.add((int(first_row), int(last_row), column_index(first_col), column_index(last_col)))

    def _count(self, buffer: bytes, base: int, upto: int) -> None:
        """Count buffer bytes up to absolute offset `upto` in the row or outside rows."""
        if upto <= self.done:
            return
        if self.in_row:
            self.row_bytes += upto - self.done
            if self.row_bytes > self.limits.max_row_bytes:
                raise file_error("row %(line)s of sheet %(sheet)s is %(size)s of XML; the limit is %(limit)s "
                                 "(%(setting)s)", row=self.row, line=self.row, sheet=repr(self.sheet),
                                 **sizes(self.row_bytes, self.limits.max_row_bytes), setting="OPENVMI_XLSX_MAX_ROW_KB")
        else:
            self.extra += len(buffer[self.done - base:upto - base].translate(None, _WHITESPACE))
            if self.extra > self.limits.max_extra_bytes:
                raise file_error("sheet %(sheet)s has %(size)s of XML outside its rows; the limit is %(limit)s "
                                 "(%(setting)s)", sheet=repr(self.sheet), **sizes(self.extra, self.limits.max_extra_bytes),
                                 setting="OPENVMI_XLSX_MAX_EXTRA_KB")
        self.done = upto


def rows_over_limit(sheet: str, limits: XlsxLimits):
    return file_error("sheet %(sheet)s has more than %(limit)s rows (%(setting)s)", sheet=repr(sheet),
                      limit=limits.max_rows, setting="OPENVMI_XLSX_MAX_ROWS")


def column_index(letters: bytes) -> int:
    """0-based index of a column named by letters (A: 0)."""
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1
