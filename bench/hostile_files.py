"""Peak memory and time of reading hostile XLSX files, each in a child process of its own.

    .venv/bin/python bench/hostile_files.py                 # the code in src/
    PYTHONPATH=/elsewhere/src .venv/bin/python bench/hostile_files.py --timeout 60   # another version

Builds real bombs (not files that only claim a size) in a temporary folder, then opens each as
an upload is opened (`open_table`, every row read) and reports the child's peak RSS (VmHWM),
its wall time and how it ended. Not part of the test suite: building the files takes ~30 s.
"""
import argparse
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.unit.supplier_stock.hostile_xlsx import (  # noqa: E402
    BILLION_LAUGHS, HEADER_ROW, MAIN, XXE, sheet_xml, workbook,
)

MB = 1024 * 1024


def replace_part(xlsx: bytes, name: str, chunks) -> bytes:
    """The workbook with part `name` streamed from `chunks` (bytes), deflated as Excel does."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info.filename, source.read(info.filename))
        with target.open(name, "w", force_zip64=True) as part:
            for chunk in chunks:
                part.write(chunk)
    return out.getvalue()


def repeated(head: bytes, unit: bytes, size: int, tail: bytes):
    yield head
    block = unit * (MB // len(unit))
    for _ in range(size // len(block)):
        yield block
    yield tail


def unique_strings(size: int):
    yield b'<?xml version="1.0"?><sst xmlns="' + MAIN.encode() + b'">'
    written = n = 0
    while written < size:
        block = b"".join(b"<si><t>ITEM-%08d</t></si>" % i for i in range(n, n + 10_000))
        n += 10_000
        written += len(block)
        yield block
    yield b"</sst>"


def legit(rows: int) -> bytes:
    """A stock list as openpyxl writes it (inline strings): the baseline."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("stock")
    sheet.append(["物料编码", "仓库", "库存数量", "可用量", "单位", "物料名称"])
    for n in range(rows):
        sheet.append([f"ITEM-{n:07d}", "WH-A", n % 1000, n % 500, "PCS", f"不锈钢螺栓 M{n % 30}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build(folder: Path, legit_rows: int) -> dict[str, Path]:
    rng = random.Random(14)
    files = {
        "legit": legit(legit_rows),
        "xxe": workbook(strings_prolog=XXE, strings="&secret;"),
        "billion-laughs": workbook(strings_prolog=BILLION_LAUGHS, strings="&lol9;"),
        "workbook.xml 400 MB": replace_part(workbook(), "xl/workbook.xml", repeated(
            b'<?xml version="1.0"?><workbook xmlns="' + MAIN.encode() + b'"><bookViews>', b"<x/>", 400 * MB,
            b"</bookViews></workbook>")),
        "sharedStrings 200 MB": replace_part(workbook(), "xl/sharedStrings.xml", repeated(
            b'<?xml version="1.0"?><sst xmlns="' + MAIN.encode() + b'">', b"<si><t>a</t></si>", 200 * MB, b"</sst>")),
        "sheet 1 GB": replace_part(workbook(), "xl/worksheets/sheet1.xml", repeated(
            sheet_xml(HEADER_ROW).split("</sheetData>")[0].encode(), b"<row><c><v>1</v></c></row>", 1024 * MB,
            b"</sheetData></worksheet>")),
        # Within every limit, and as costly as they get: shared strings just under their limit, a
        # million rows whose one cell is far right, and a million empty rows whose heights openpyxl keeps.
        "sharedStrings 31 MB unique": replace_part(workbook(), "xl/sharedStrings.xml", unique_strings(31 * MB)),
        "1M sparse far-right rows": workbook([sheet_xml(HEADER_ROW + "".join(
            f'<row r="{n}"><c r="IV{n}"><v>{rng.randrange(10**6)}</v></c></row>' for n in range(2, 1_000_000)))]),
        "1M rows with heights": workbook([sheet_xml(HEADER_ROW + "".join(
            f'<row r="{n}" ht="{rng.randrange(10, 99)}" customHeight="1"/>' for n in range(2, 1_000_000)))]),
    }
    paths = {}
    for name, data in files.items():
        path = folder / (name.replace(" ", "_").replace("/", "_") + ".xlsx")
        path.write_bytes(data)
        paths[name] = path
    return paths


def child(path: str) -> None:
    from openvmi.errors import InvalidImportFile
    from openvmi.tabular.formats import open_table

    started = time.perf_counter()
    try:
        with open(path, "rb") as stream:
            reader = open_table(stream, filename=path)
            rows = sum(1 for _ in reader.rows())
            reader.close()
        outcome = f"read {rows} rows"
    except InvalidImportFile as error:
        outcome = f"refused: {error.errors[0].reason}"
    except Exception as error:  # noqa: BLE001 - the old code's 500s are what is measured
        outcome = f"{type(error).__name__}: {str(error)[:80]}"
    print(json.dumps({"seconds": time.perf_counter() - started, "outcome": outcome, "peak_mb": peak_mb()}))


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--legit-rows", type=int, default=100_000)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        return child(args.child)
    baseline = subprocess.run([sys.executable, "-c", "import pathlib, openpyxl, openvmi.tabular.formats;"
                               "print([l for l in pathlib.Path('/proc/self/status').read_text().splitlines()"
                               " if l.startswith('VmHWM')][0].split()[1] + ' KB')"],
                              capture_output=True, text=True, check=True).stdout.strip()
    print(f"a child's peak RSS after its imports: {baseline}")
    print("| file | on disk | peak RSS MB | seconds | outcome |\n| --- | ---: | ---: | ---: | --- |")
    with tempfile.TemporaryDirectory() as folder:
        for name, path in build(Path(folder), args.legit_rows).items():
            try:
                done = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True,
                                      text=True, timeout=args.timeout, check=True)
                result = json.loads(done.stdout.strip().splitlines()[-1])
                figures = f"{result['peak_mb']:.0f} | {result['seconds']:.1f} | {result['outcome']}"
            except subprocess.TimeoutExpired:
                figures = f"- | > {args.timeout:.0f} | stopped after the timeout"
            print(f"| {name} | {path.stat().st_size / 1024:,.0f} KB | {figures} |", flush=True)


if __name__ == "__main__":
    main()
