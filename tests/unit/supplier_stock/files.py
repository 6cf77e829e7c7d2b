"""Real stock files written the way suppliers' tools write them: CSV in several encodings and
delimiters, XLSX from openpyxl (with formulas, and with formulas whose values were saved)."""
import csv
import io
import re
import zipfile
from collections.abc import Sequence

from openpyxl import Workbook


def csv_bytes(rows: Sequence[Sequence[object]], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[object]], *, sheet: str = "库存", extra_sheets: Sequence[str] = ()) -> bytes:
    book = Workbook()
    first = book.active
    first.title = sheet
    for row in rows:
        first.append(list(row))
    for name in extra_sheets:
        book.create_sheet(name).append(["ignored"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_cached_values(xlsx: bytes, values: dict[str, object]) -> bytes:
    """The workbook as a spreadsheet program saves it: each formula cell (e.g. "C2") also carries
    its last computed value, which is what an importer must read (openpyxl writes none)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/workbook.xml":  # a program that computed the values drops the flag
                data = re.sub(rb'\s*fullCalcOnLoad="1"', b"", data)
            if info.filename.startswith("xl/worksheets/sheet"):
                xml = data.decode("utf-8")
                for ref, value in values.items():
                    xml = re.sub(rf'(<c r="{ref}"[^>]*>)(<f>.*?</f>)(<v\s*/>|<v></v>)?',
                                 lambda m, v=value: f"{m.group(1)}{m.group(2)}<v>{v}</v>", xml)
                data = xml.encode("utf-8")
            target.writestr(info, data)
    return out.getvalue()
