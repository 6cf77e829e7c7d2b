"""CSV and XLSX downloads of what a list shows, safe to open in a spreadsheet.

A text cell that starts with = + - @ (or a tab or carriage return) is read by Excel, LibreOffice
and Google Sheets as a formula, so a supplier name like `=HYPERLINK(...)` could run on a buyer's
machine (OWASP "CSV injection"). Every export goes through `neutralise`, which prefixes such
text with an apostrophe so it stays text. Numbers stay numbers.

Times are written in the configured zone, as the pages show them: a CSV cell carries its offset
(2026-11-30 18:05:00+08:00); a spreadsheet cell cannot, so the column's header names it
("Reported at (UTC+08:00)").
"""
import csv
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO, StringIO
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

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


def _cell(value: Any, zone: ZoneInfo) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        return value.astimezone(zone)
    if isinstance(value, (int, float, Decimal, date)):
        return value
    return neutralise(str(value))


def offset_label(offset: timedelta | None) -> str:
    """UTC+08:00, UTC-05:30, UTC."""
    minutes = int((offset or timedelta()).total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign, minutes = ("+" if minutes > 0 else "-"), abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _zoned_headers(headers: Sequence[str], rows: list[list[Any]]) -> list[str]:
    """Each time column's header with the offset its cells are written in (or the zone's name when
    they differ, across a change to summer time)."""
    named = []
    for index, header in enumerate(headers):
        offsets = {row[index].utcoffset() for row in rows if index < len(row) and isinstance(row[index], datetime)}
        if not offsets:
            named.append(header)
        elif len(offsets) == 1:
            named.append(f"{header} ({offset_label(offsets.pop())})")
        else:
            zone = next(row[index].tzinfo for row in rows if isinstance(row[index], datetime))
            named.append(f"{header} ({zone})")
    return named


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, timezone: str = "UTC") -> bytes:
    zone = ZoneInfo(timezone)
    cells = [[_cell(v, zone) for v in row] for row in rows]
    buffer = StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in _zoned_headers(headers, cells)])
    for row in cells:
        writer.writerow([_csv_text(v) for v in row])
    # The BOM makes Excel read UTF-8 (Chinese names) instead of the system code page.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    return value


def to_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet_title: str = "export",
            timezone: str = "UTC") -> bytes:
    zone = ZoneInfo(timezone)
    cells = [[_cell(v, zone) for v in row] for row in rows]
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append([neutralise(h) for h in _zoned_headers(headers, cells)])
    for row in cells:
        # a spreadsheet time has no zone: the wall-clock time, its offset named in the header
        sheet.append([v.replace(tzinfo=None) if isinstance(v, datetime) else v for v in row])
    for row in sheet.iter_rows(min_row=1):
        for cell in row:
            # openpyxl turns any str starting with "=" into a formula; keep text as text.
            if isinstance(cell.value, str):
                cell.data_type = TYPE_STRING
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(format: str, *, filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
                    timezone: str) -> Response:
    """A download of `rows` as CSV or XLSX, times in `timezone`; `filename` without extension."""
    if format == "xlsx":
        body, media_type = to_xlsx(headers, rows, sheet_title=filename, timezone=timezone), XLSX_MEDIA_TYPE
    else:
        body, media_type = to_csv(headers, rows, timezone=timezone), CSV_MEDIA_TYPE
    name = f"{filename}.{'xlsx' if format == 'xlsx' else 'csv'}"
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition,
                                                          "Cache-Control": "no-store"})


def export_list(request: Request, format: str, *, filename: str, columns: Sequence[str],
                rows: Iterable[Sequence[Any]]) -> Response:
    """A list page's download; `columns` are msgids, headed in the reader's language, and times in
    the zone the pages show them in."""
    headers = [translate(request, column) for column in columns]
    return export_response(format, filename=filename, headers=headers, rows=rows,
                           timezone=request.app.state.settings.timezone)
