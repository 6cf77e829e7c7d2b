"""Supplier stock: a 1,000,000-row CSV imported in full mode on PostgreSQL and SQLite, against the
raw baseline of the same rows, and the availability query across 1,000 suppliers.

Run `.venv/bin/python bench/supplier_stock_import.py` (`--help` for the knobs). Not part of the test
suite. It creates throw-away PostgreSQL databases on --pg-url and temporary SQLite files, and removes
them at the end. Each import runs in a child process, so its peak memory is its own. See bench/README.md.

Baselines (the same file, the same target table, one transaction each):
- PostgreSQL: raw COPY of the CSV into a staging table, then one INSERT ... SELECT (codes joined to
  ids) ... ON CONFLICT DO UPDATE.
- SQLite: csv.reader, codes mapped to ids in dicts, one executemany upsert.
Neither validates rows, reports errors, keeps history, counts changes or checks thresholds.
"""
import argparse
import csv
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, insert, make_url, select, text

from openvmi import migrations
from openvmi.db import Base, create_db_engine, create_session_factory

DEFAULT_PG_URL = os.environ.get("OPENVMI_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SUPPLIER = "S-BENCH"


# -- data ----------------------------------------------------------------------------------------

def seed_catalogue(url: str, *, items: int, sites: int, suppliers: int = 1) -> None:
    """Suppliers, items, one supplier item per (supplier, item), `sites` sites per supplier, in bulk."""
    import openvmi.models  # noqa: F401 - every table on Base.metadata

    tables = Base.metadata.tables
    engine = create_db_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(insert(tables["party"]), [
            {"code": SUPPLIER if s == 0 else f"S-B{s:04d}", "name": f"Bench supplier {s}", "kind": "supplier",
             "stale_after_days": 7, "active": True, "created_at": now} for s in range(suppliers)])
        supplier_ids = [r[0] for r in connection.execute(select(tables["party"].c.id).order_by(tables["party"].c.id))]
        for start in range(0, items, 50_000):
            connection.execute(insert(tables["item"]), [
                {"code": f"ITM-{i:07d}", "name": f"Bench item {i}", "unit": "PCS", "active": True, "created_at": now}
                for i in range(start, min(items, start + 50_000))])
        item_ids = [r[0] for r in connection.execute(select(tables["item"].c.id).order_by(tables["item"].c.id))]
        connection.execute(insert(tables["location"]), [
            {"code": f"SITE-{s}-{n}", "name": f"Site {n}", "kind": "supplier_site", "supplier_id": supplier_id,
             "active": True} for s, supplier_id in enumerate(supplier_ids) for n in range(sites)])
        for supplier_id in supplier_ids:
            for start in range(0, len(item_ids), 50_000):
                connection.execute(insert(tables["supplier_item"]), [
                    {"supplier_id": supplier_id, "item_id": item_id, "supplier_part_number": f"P{supplier_id}-{item_id}",
                     "lead_time_days": 7 + item_id % 20, "moq": 0, "pack_size": 1, "active": True, "version": 1,
                     "created_at": now} for item_id in item_ids[start:start + 50_000]])
    engine.dispose()


def write_csv(path: Path, *, items: int, sites: int, seed: int = 1) -> int:
    """A realistic ERP export: Chinese headers, GBK-safe ASCII codes, quantities with decimals."""
    rng = random.Random(seed)
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["物料编码", "仓库", "现存量", "可用量", "交期"])
        for n in range(sites):
            for i in range(items):
                on_hand = rng.randrange(0, 5000)
                writer.writerow([f"ITM-{i:07d}", f"SITE-0-{n}", f"{on_hand}.5", on_hand, rng.randrange(1, 30)])
                rows += 1
    return rows


# -- the measured work, each in its own child process --------------------------------------------

def child_import(url: str, path: str) -> dict:
    from openvmi.supplier_stock.schemas import ImportRequest
    from openvmi.supplier_stock.service import imports

    sessions = create_session_factory(create_db_engine(url))
    started = time.perf_counter()
    with sessions() as session, open(path, "rb") as stream:
        outcome = imports.import_supplier_stock(session, ImportRequest(supplier_code=SUPPLIER, filename="bench.csv"),
                                                stream=stream, actor_id=None)
        session.commit()
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "rows": outcome.batch.row_count, "new": outcome.batch.new_count,
            "changed": outcome.batch.changed_count, "peak_mb": _peak_mb()}


def child_baseline(url: str, path: str) -> dict:
    engine = create_engine(url)
    started = time.perf_counter()
    rows = _baseline_postgres(engine, path) if engine.dialect.name == "postgresql" else _baseline_sqlite(engine, path)
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "rows": rows, "peak_mb": _peak_mb()}


def _baseline_postgres(engine, path: str) -> int:
    with engine.begin() as connection:
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE raw_stage (item_code text, site_code text, on_hand numeric, "
                           "available numeric, lead_time_days int) ON COMMIT DROP")
            with open(path, "rb") as handle, cursor.copy(
                    "COPY raw_stage FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
            cursor.execute("""
                INSERT INTO supplier_stock (supplier_id, item_id, location_id, on_hand, available, lead_time_days,
                                            unit, updated_at, reported_at, source, version)
                SELECT l.supplier_id, i.id, l.id, r.on_hand, r.available, r.lead_time_days, i.unit, now(), now(),
                       'baseline', 1
                FROM raw_stage r JOIN item i ON i.code = r.item_code JOIN location l ON l.code = r.site_code
                ON CONFLICT (supplier_id, item_id, location_id) DO UPDATE
                SET on_hand = excluded.on_hand, available = excluded.available,
                    lead_time_days = excluded.lead_time_days, reported_at = excluded.reported_at""")
            return cursor.rowcount


def _baseline_sqlite(engine, path: str) -> int:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    with engine.begin() as connection:
        raw = connection.connection.driver_connection
        items = dict(raw.execute("SELECT code, id FROM item"))
        sites = {code: (site_id, supplier_id) for code, site_id, supplier_id in
                 raw.execute("SELECT code, id, supplier_id FROM location")}
        sql = ("INSERT INTO supplier_stock (supplier_id, item_id, location_id, on_hand, available, lead_time_days, "
               "unit, updated_at, reported_at, source, version) VALUES (?, ?, ?, ?, ?, ?, 'PCS', ?, ?, 'baseline', 1) "
               "ON CONFLICT (supplier_id, item_id, location_id) DO UPDATE SET on_hand = excluded.on_hand, "
               "available = excluded.available, lead_time_days = excluded.lead_time_days, "
               "reported_at = excluded.reported_at")
        rows = 0
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)

            def values():
                nonlocal rows
                for item_code, site_code, on_hand, available, lead in reader:
                    site_id, supplier_id = sites[site_code]
                    rows += 1
                    yield supplier_id, items[item_code], site_id, on_hand, available, int(lead), now, now

            raw.executemany(sql, values())
        return rows


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def run_child(kind: str, url: str, path: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", kind, "--url", url, "--file", str(path)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- availability --------------------------------------------------------------------------------

def seed_stock_lines(url: str, *, suppliers: int, items: int) -> None:
    """One line per (supplier, item) at the supplier's first site: suppliers x items lines."""
    engine = create_db_engine(url)
    rng = random.Random(7)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        sites = dict(connection.execute(text(
            "SELECT supplier_id, min(id) FROM location WHERE kind = 'supplier_site' GROUP BY supplier_id")).all())
        item_ids = [r[0] for r in connection.execute(text("SELECT id FROM item ORDER BY id"))]
        table = Base.metadata.tables["supplier_stock"]
        for supplier_id, site_id in sites.items():
            connection.execute(insert(table), [
                {"supplier_id": supplier_id, "item_id": item_id, "location_id": site_id,
                 "on_hand": (quantity := rng.randrange(0, 1000)), "available": quantity, "unit": "PCS",
                 "updated_at": now, "reported_at": now, "source": "bench", "version": 1} for item_id in item_ids])
    engine.dispose()


def time_availability(url: str, *, repeats: int) -> tuple[float, float, int]:
    from openvmi.supplier_stock.availability import list_availability
    from openvmi.supplier_stock.schemas import AvailabilityQuery

    sessions = create_session_factory(create_db_engine(url))
    timings = []
    lines = 0
    with sessions() as session:
        item_ids = [r[0] for r in session.execute(text("SELECT id FROM item ORDER BY id"))]
        rng = random.Random(3)
        for _ in range(repeats):
            item_id = rng.choice(item_ids)
            started = time.perf_counter()
            answer = list_availability(session, AvailabilityQuery(item_ids=[item_id]))
            timings.append(time.perf_counter() - started)
            lines = len(answer.items[0]["lines"])
            session.rollback()  # a fresh transaction per request, like the API
    timings.sort()
    return statistics.median(timings) * 1000, timings[int(len(timings) * 0.95) - 1] * 1000, lines


# -- databases -----------------------------------------------------------------------------------

def new_database(backend: str, pg_url: str, workdir: Path) -> str:
    if backend == "sqlite":
        url = f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:6]}.db'}"
    else:
        name = f"openvmi_bench_ss_{uuid.uuid4().hex[:8]}"
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    migrations.upgrade(url)
    return url


def clone_database(template: str, pg_url: str, workdir: Path) -> str:
    """A copy of the seeded database, so that every measured run starts from the very same state
    (an import into tables just emptied by DELETE would pay for the free pages or dead rows)."""
    if template.startswith("sqlite"):
        source = Path(make_url(template).database)
        target = workdir / f"run-{uuid.uuid4().hex[:6]}.db"
        shutil.copyfile(source, target)  # the seeding engine checkpointed and closed the WAL
        return f"sqlite:///{target}"
    name = f"openvmi_bench_ss_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template).database}"'))
    admin.dispose()
    return make_url(pg_url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str, pg_url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(make_url(url).database)
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        return
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def measure_import(backend: str, template: str, args: argparse.Namespace, workdir: Path, path: Path) -> None:
    """Baseline and import alternate, each on a fresh copy of the seeded database; the ratio
    reported is the median of the rounds' ratios (the machine's load swings within seconds)."""
    ratios, results = [], []
    for _ in range(args.rounds):
        for kind in ("baseline", "import"):
            url = clone_database(template, args.pg_url, workdir)
            try:
                result = run_child(kind, url, path)
                if kind == "import":
                    result["again"] = run_child("import", url, path)["seconds"]  # a replay: nothing changes
                results.append((kind, result))
            finally:
                drop_database(url, args.pg_url)
        ratios.append(results[-2][1]["seconds"] / results[-1][1]["seconds"])
    for kind, result in results:
        again = f", same file again {result['again']:.1f} s" if "again" in result else ""
        print(f"{backend:8} {'openvmi import' if kind == 'import' else kind:15} {result['rows']:>9,} rows in "
              f"{result['seconds']:6.1f} s = {result['rows'] / result['seconds']:>8,.0f} rows/s, "
              f"peak {result['peak_mb']:4.0f} MB{again}")
    print(f"{backend:8} ratio to baseline per round: {', '.join(f'{r:.2f}' for r in ratios)}; "
          f"median {statistics.median(ratios):.2f} (target >= 0.5)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument("--items", type=int, default=100_000, help="items in the file (x sites = rows)")
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--suppliers", type=int, default=1000, help="suppliers for the availability query")
    parser.add_argument("--availability-items", type=int, default=1000, help="items per supplier there")
    parser.add_argument("--repeats", type=int, default=50, help="availability queries timed")
    parser.add_argument("--rounds", type=int, default=3, help="baseline/import pairs per backend")
    parser.add_argument("--skip-availability", action="store_true")
    parser.add_argument("--child")
    parser.add_argument("--url")
    parser.add_argument("--file")
    args = parser.parse_args()
    if args.child:
        work = child_import if args.child == "import" else child_baseline
        print(json.dumps(work(args.url, args.file)))
        return

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        path = workdir / "stock.csv"
        rows = write_csv(path, items=args.items, sites=args.sites)
        print(f"file: {rows:,} rows, {path.stat().st_size / 1048576:.0f} MB")
        for backend in args.backends.split(","):
            template = new_database(backend, args.pg_url, workdir)
            try:
                seed_catalogue(template, items=args.items, sites=args.sites)
                measure_import(backend, template, args, workdir, path)
            finally:
                drop_database(template, args.pg_url)
            if args.skip_availability:
                continue
            url = new_database(backend, args.pg_url, workdir)
            try:
                seed_catalogue(url, items=args.availability_items, sites=1, suppliers=args.suppliers)
                seed_stock_lines(url, suppliers=args.suppliers, items=args.availability_items)
                p50, p95, lines = time_availability(url, repeats=args.repeats)
                print(f"{backend:8} availability of one item, {args.suppliers:,} suppliers, "
                      f"{args.suppliers * args.availability_items:,} stock lines: p50 {p50:.1f} ms, "
                      f"p95 {p95:.1f} ms ({lines} lines answered)")
            finally:
                drop_database(url, args.pg_url)


if __name__ == "__main__":
    main()
