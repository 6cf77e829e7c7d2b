"""Which kind of file an upload is, by its content: a reader for CSV and XLSX, advice for the rest."""
import hashlib
import io
from typing import BinaryIO

from openvmi.tabular.csv_reader import CsvReader
from openvmi.tabular.table_reader import HeaderJudge, TableReader, file_error
from openvmi.tabular.xlsx_archive import XlsxLimits
from openvmi.tabular.xlsx_reader import XlsxReader

MAX_FILE_BYTES = 256 * 1024 * 1024


def open_table(stream: BinaryIO, *, filename: str, encoding: str | None = None, sheet: str | None = None,
               max_bytes: int = MAX_FILE_BYTES, judge_header: HeaderJudge | None = None,
               xlsx_limits: XlsxLimits | None = None) -> TableReader:
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
        return XlsxReader(stream, sheet=sheet, total_bytes=size, judge_header=judge_header, limits=xlsx_limits)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise file_error("this is an old Excel .xls file or a password-protected workbook; "
                         "save it as .xlsx without a password, or as CSV")
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise file_error("the file is named .xlsx but is not an Excel workbook")
    return CsvReader(stream, encoding=encoding, total_bytes=size, judge_header=judge_header)


def file_sha256(stream: BinaryIO) -> str:
    """The upload's fingerprint (a retried upload is the same bytes), read without keeping it whole."""
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()
