"""Hostile workbooks, built at test time and small on disk: entities, parts that claim to inflate
to hundreds of megabytes, rows and columns past the limits, XML that would make a parser hoard."""
import io
import random
import struct
import zipfile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '{sheets}</Types>')
_SHEET_TYPE = ('<Override PartName="/xl/worksheets/sheet{n}.xml" '
               'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
_ROOT_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
              'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
              'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_REL = '<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}" Target="{target}"/>'
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?>{prolog}<workbook xmlns="' + MAIN + '" xmlns:r="http://schemas.'
             'openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheets}</sheets></workbook>')
_STRINGS = '<?xml version="1.0" encoding="UTF-8"?>{prolog}<sst xmlns="' + MAIN + '"><si><t>{text}</t></si></sst>'
HEADER_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>item</t></is></c><c r="B1" t="inlineStr"><is><t>qty</t></is></c></row>'

XXE = '<!DOCTYPE sst [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
BILLION_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)) + ']>')


def sheet_xml(rows: str = HEADER_ROW, *, prolog: str = "", head: str = "", tail: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN}">{head}'
            f'<sheetData>{rows}</sheetData>{tail}</worksheet>')


def workbook(sheets: list[str] | None = None, *, workbook_prolog: str = "", strings: str = "x",
             strings_prolog: str = "", extra_parts: int = 0) -> bytes:
    """A minimal workbook that openpyxl reads; each sheet's XML as given (the first by default
    holds a header row)."""
    sheets = sheets or [sheet_xml()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _TYPES.format(
            sheets="".join(_SHEET_TYPE.format(n=n) for n in range(1, len(sheets) + 1))))
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK.format(prolog=workbook_prolog, sheets="".join(
            f'<sheet name="Sheet{n}" sheetId="{n}" r:id="rId{n}"/>' for n in range(1, len(sheets) + 1))))
        rels = [_REL.format(n=n, kind="worksheet", target=f"worksheets/sheet{n}.xml") for n in range(1, len(sheets) + 1)]
        rels.append(_REL.format(n=len(sheets) + 1, kind="sharedStrings", target="sharedStrings.xml"))
        archive.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns='
                         '"http://schemas.openxmlformats.org/package/2006/relationships">' + "".join(rels) + "</Relationships>")
        archive.writestr("xl/sharedStrings.xml", _STRINGS.format(prolog=strings_prolog, text=strings))
        for n, xml in enumerate(sheets, start=1):
            archive.writestr(f"xl/worksheets/sheet{n}.xml", xml)
        for n in range(extra_parts):
            archive.writestr(f"docProps/extra{n}.xml", "<x/>")
    return out.getvalue()


def claiming(xlsx: bytes, sizes: dict[str, int]) -> bytes:
    """The archive with parts that claim (in the zip directory) to inflate to `sizes`: what a zip
    bomb looks like before anything is inflated. zipfile never inflates past the claim."""
    data = bytearray(xlsx)
    for name, size in sizes.items():
        encoded = name.encode()
        for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
            start = 0
            while (start := data.find(signature, start)) >= 0:
                if data[start + name_at:start + name_at + len(encoded)] == encoded:
                    struct.pack_into("<I", data, start + size_at, size)
                start += 4
    return bytes(data)


def noise_cells(count: int, *, seed: int = 7) -> str:
    """Cells of random numbers: XML that compresses about as well as real figures."""
    rng = random.Random(seed)
    return "".join(f"<c><v>{rng.randrange(10**9)}</v></c>" for _ in range(count))
