"""CSV and XLSX downloads of what a list shows, safe to open in a spreadsheet.

A text cell that starts with = + - @ (or a tab or carriage return) is read by Excel, LibreOffice
and Google Sheets as a formula, so a supplier name like `=HYPERLINK(...)` could run on a buyer's
machine (OWASP "CSV injection"). Every export goes through `neutralise`, which prefixes such
text with an apostrophe so it stays text. Numbers stay numbers.
"""
import csv
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO, StringIO
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING

from openvmi.web.rendering import translate

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: Any) -> Any:
    """The value as a spreadsheet cell that can never be evaluated as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        # Spreadsheets have no time zones: write UTC and say so in the header.
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, (int, float, Decimal, date)):
        return value
    return neutralise(str(value))


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_text(_cell(v)) for v in row])
    # The BOM makes Excel read UTF-8 (Chinese names) instead of the system code page.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    return value


def to_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet_title: str = "export") -> bytes:
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append([neutralise(h) for h in headers])
    for row in rows:
        sheet.append([_cell(v) for v in row])
    for row in sheet.iter_rows(min_row=1):
        for cell in row:
            # openpyxl turns any str starting with "=" into a formula; keep text as text.
            if isinstance(cell.value, str):
                cell.data_type = TYPE_STRING
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(format: str, *, filename: str, headers: Sequence[str],
                    rows: Iterable[Sequence[Any]]) -> Response:
    """A download of `rows` as CSV or XLSX; `filename` without extension."""
    if format == "xlsx":
        body, media_type = to_xlsx(headers, rows, sheet_title=filename), XLSX_MEDIA_TYPE
    else:
        body, media_type = to_csv(headers, rows), CSV_MEDIA_TYPE
    name = f"{filename}.{'xlsx' if format == 'xlsx' else 'csv'}"
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition,
                                                          "Cache-Control": "no-store"})


def export_list(request: Request, format: str, *, filename: str, columns: Sequence[str],
                rows: Iterable[Sequence[Any]]) -> Response:
    """A list page's download; `columns` are msgids, headed in the reader's language."""
    headers = [translate(request, column) for column in columns]
    return export_response(format, filename=filename, headers=headers, rows=rows)
