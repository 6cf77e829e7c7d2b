"""What an XLSX archive may inflate to: checked before any XML is parsed, and again, part by part,
for what openpyxl does with each part when it reads it (whole, as a stream, or kept as text)."""
import zipfile
from dataclasses import dataclass
from typing import IO, Any, BinaryIO

from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import fromstring
from openpyxl.reader.excel import ExcelReader
from openpyxl.workbook import Workbook

from openvmi.enums import N_
from openvmi.tabular.table_reader import file_error

MB = 1024 * 1024
_RATIO_FROM_BYTES = MB  # small parts (styles, a sheet of blanks) may compress better than any limit
_SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
ENTITIES = N_("the file contains XML entities, which are not allowed")


@dataclass(frozen=True)
class XlsxLimits:
    """Limits in bytes and counts. The settings (OPENVMI_XLSX_*) hold them in MB and KB for
    people; `setting` names the one a refusal is about."""

    max_parts: int = 1000
    max_total_bytes: int = 1024 * MB
    max_ratio: int = 100
    max_sheet_bytes: int = 512 * MB
    max_shared_strings_bytes: int = 32 * MB
    max_part_bytes: int = 16 * MB
    max_rows: int = 1_048_576
    max_columns: int = 256
    max_row_bytes: int = MB
    max_extra_bytes: int = 8 * MB

    @classmethod
    def from_settings(cls, settings: Any) -> "XlsxLimits":
        return cls(max_parts=settings.xlsx_max_parts, max_total_bytes=settings.xlsx_max_total_mb * MB,
                   max_ratio=settings.xlsx_max_ratio, max_sheet_bytes=settings.xlsx_max_sheet_mb * MB,
                   max_shared_strings_bytes=settings.xlsx_max_shared_strings_mb * MB,
                   max_part_bytes=settings.xlsx_max_part_mb * MB, max_rows=settings.xlsx_max_rows,
                   max_columns=settings.xlsx_max_columns, max_row_bytes=settings.xlsx_max_row_kb * 1024,
                   max_extra_bytes=settings.xlsx_max_extra_kb * 1024)


def sizes(size: int, limit: int) -> dict[str, str]:
    """A size and its limit as a refusal shows them."""
    def text(value: int) -> str:
        return f"{value / MB:.0f} MB" if value >= 10 * MB else f"{value / MB:.1f} MB" if value >= MB else \
            f"{value / 1024:.0f} KB"
    return {"size": text(size), "limit": text(limit)}


def refuse_entities(error: BaseException) -> None:
    """Raise the entities refusal if `error` was caused by one (openpyxl wraps parse errors)."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, DefusedXmlException):
            raise file_error(ENTITIES) from None
        cause = cause.__cause__ or cause.__context__


class GuardedArchive(zipfile.ZipFile):
    """The workbook's zip as openpyxl reads it. A part read whole (workbook.xml, styles, rels ...)
    may inflate to max_part_bytes; the shared strings, kept in memory, to their own limit; any
    other part is a worksheet, streamed, whose rows must start within max_extra_bytes (openpyxl
    reads every sheet's head when it opens a workbook)."""

    def __init__(self, stream: BinaryIO, limits: XlsxLimits) -> None:
        super().__init__(stream)
        self.limits = limits
        parts = self.infolist()
        if len(parts) > limits.max_parts:
            raise file_error("the workbook has %(count)s parts; the limit is %(limit)s (%(setting)s)",
                             count=len(parts), limit=limits.max_parts, setting="OPENVMI_XLSX_MAX_PARTS")
        for part in parts:  # no part may be bigger than a sheet, whatever it turns out to be
            self._check(part, limits.max_sheet_bytes, "OPENVMI_XLSX_MAX_SHEET_MB", ratio=False)
        total = sum(part.file_size for part in parts)
        if total > limits.max_total_bytes:
            raise file_error("the workbook inflates to %(size)s in all; the limit is %(limit)s (%(setting)s)",
                             **sizes(total, limits.max_total_bytes), setting="OPENVMI_XLSX_MAX_TOTAL_MB")
        self.shared_strings_part = self._find_shared_strings()

    def read(self, name: str | zipfile.ZipInfo, pwd: bytes | None = None) -> bytes:
        self._check(self._info(name), self.limits.max_part_bytes, "OPENVMI_XLSX_MAX_PART_MB")
        with super().open(name, "r", pwd) as part:  # not self.open: a whole part has no sheet head
            return part.read()

    def open(self, name: str | zipfile.ZipInfo, mode: str = "r", pwd: bytes | None = None, *,  # type: ignore[override]
             force_zip64: bool = False) -> IO[bytes]:
        stream = super().open(name, mode, pwd, force_zip64=force_zip64)
        if mode != "r":
            return stream
        info = self._info(name)
        if info.filename == self.shared_strings_part:
            self._check(info, self.limits.max_shared_strings_bytes, "OPENVMI_XLSX_MAX_SHARED_STRINGS_MB")
            return stream
        self._check(info, self.limits.max_sheet_bytes, "OPENVMI_XLSX_MAX_SHEET_MB")
        return _HeadGuard(stream, info.filename, self.limits.max_extra_bytes)  # type: ignore[return-value]

    def _info(self, name: str | zipfile.ZipInfo) -> zipfile.ZipInfo:
        return name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)

    def _check(self, part: zipfile.ZipInfo, limit: int, setting: str, *, ratio: bool = True) -> None:
        """The sizes in the archive's directory; zipfile never inflates a part past its stated
        size (a part that lies fails its checksum), so these bound what is read. The ratio is
        checked for parts that are read, after the limit for what they are."""
        if part.file_size > limit:
            raise file_error("%(part)s inflates to %(size)s; the limit is %(limit)s (%(setting)s)", part=part.filename,
                             **sizes(part.file_size, limit), setting=setting)
        if not ratio:
            return
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > _RATIO_FROM_BYTES and ratio > self.limits.max_ratio:
            raise file_error("%(part)s is compressed %(ratio)s times; more than %(limit)s times is refused as a "
                             "zip bomb (%(setting)s)", part=part.filename, ratio=f"{ratio:.0f}",
                             limit=self.limits.max_ratio, setting="OPENVMI_XLSX_MAX_RATIO")

    def _find_shared_strings(self) -> str | None:
        """The shared strings part, found as openpyxl finds it: by its content type."""
        try:
            types = fromstring(self.read("[Content_Types].xml"))
        except KeyError:
            return None  # not a workbook: openpyxl says so
        except DefusedXmlException:
            raise file_error(ENTITIES) from None
        for override in types.iter(f"{_TYPES_NS}Override"):
            if override.get("ContentType") == _SHARED_STRINGS:
                return (override.get("PartName") or "").lstrip("/")
        return None


class _HeadGuard:
    """A worksheet stream that stops once more than `limit` bytes came before its first rows:
    openpyxl keeps everything it parses there until it reaches them."""

    def __init__(self, stream: IO[bytes], name: str, limit: int) -> None:
        self._stream, self._name, self._limit = stream, name, limit
        self._read = 0
        self._tail: bytes | None = b""  # the end of what was read, for a tag cut in two; None: rows reached

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        if self._tail is not None:
            self._read += len(data)
            window = self._tail + data
            if b"sheetData" in window:
                self._tail = None
            elif self._read > self._limit:
                raise file_error("%(part)s has %(size)s of XML before its rows; the limit is %(limit)s (%(setting)s)",
                                 part=self._name, **sizes(self._read, self._limit), setting="OPENVMI_XLSX_MAX_EXTRA_KB")
            else:
                self._tail = window[-16:]
        return data

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> "_HeadGuard":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class _GuardedReader(ExcelReader):
    """openpyxl's own reader on the guarded archive; the book of formulas reuses the shared
    strings of the book of values instead of holding a second copy."""

    def __init__(self, archive: GuardedArchive, *, data_only: bool, shared_strings: Any = None) -> None:
        super().__init__(archive.fp, read_only=True, data_only=data_only, keep_links=False)
        self.archive = archive  # ExcelReader opened a plain ZipFile of its own; nothing was read yet
        self.valid_files = archive.namelist()
        self._reused_strings = shared_strings

    def read_strings(self) -> None:
        if self._reused_strings is None:
            super().read_strings()
        else:
            self.shared_strings = self._reused_strings


def load_workbook(archive: GuardedArchive, *, data_only: bool, shared_strings: Any = None) -> tuple[Workbook, Any]:
    """A read-only workbook (cached values with `data_only`, else formulas) and its shared
    strings; given `shared_strings` (of the other book) are used instead of reading them again."""
    reader = _GuardedReader(archive, data_only=data_only, shared_strings=shared_strings)
    reader.read()
    return reader.wb, reader.shared_strings
