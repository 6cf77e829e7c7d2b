"""Demand plans: a 100,000-line plan file published on PostgreSQL and SQLite, against a raw baseline
of the same rows, next to a 100,000-row supplier stock import measured in the same run.

Run `.venv/bin/python bench/demand_plan_upload.py` (`--help` for the knobs). Not part of the test
suite; it creates throw-away databases like bench/supplier_stock_import.py (whose helpers it uses)
and runs each measured upload in a child process. See bench/README.md.

Baseline (the same file, one transaction): PostgreSQL: COPY of the CSV into a temporary table, then
one INSERT ... SELECT into demand_plan_line with codes joined to ids; SQLite: csv.reader, codes
mapped to ids in dicts, one executemany. Neither checks dates, weeks, quantities or duplicates.
"""
import argparse
import csv
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, select

sys.path.insert(0, str(Path(__file__).parent))
from supplier_stock_import import (  # noqa: E402 - a sibling script, not a package
    DEFAULT_PG_URL, _peak_mb, clone_database, drop_database, new_database, seed_catalogue, write_csv,
)

import openvmi.models  # noqa: E402,F401 - every table on Base.metadata
from openvmi.db import Base, create_db_engine, create_session_factory  # noqa: E402

PLANTS = ("PL-1", "PL-2")
DAILY, WEEKLY = 10, 10  # per item and plant: the weekdays of the next two weeks, then ten whole weeks


def add_buyer_and_plants(url: str) -> None:
    tables = Base.metadata.tables
    engine = create_db_engine(url)
    with engine.begin() as connection:
        connection.execute(insert(tables["party"]), [{"code": "BUYER", "name": "Bench buyer", "kind": "buyer",
                                                      "stale_after_days": 7, "active": True,
                                                      "created_at": datetime.now(UTC)}])
        buyer_id = connection.scalar(select(tables["party"].c.id).where(tables["party"].c.code == "BUYER"))
        connection.execute(insert(tables["plant"]), [{"party_id": buyer_id, "code": code, "name": code}
                                                      for code in PLANTS])
        connection.execute(insert(tables["app_user"]), [{
            "username": "bench-buyer", "display_name": "Bench buyer", "password_hash": "x", "role": "buyer",
            "active": True, "created_at": datetime.now(UTC)}])
    engine.dispose()


def write_plan(path: Path, *, items: int) -> int:
    """items x plants x (DAILY days + WEEKLY weeks) rows, Chinese headers, as an MRP export writes them."""
    today = date.today()
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
    days = [monday + timedelta(days=d + 7 * (d // 5) - 5 * (d // 5)) for d in range(DAILY)]
    weeks = [monday + timedelta(weeks=2 + w) for w in range(WEEKLY)]
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["物料编码", "工厂", "日期", "周", "需求数量"])
        for i in range(items):
            for plant in PLANTS:
                for n, day in enumerate(days):
                    writer.writerow([f"ITM-{i:07d}", plant, day.isoformat(), "", (i * 7 + n) % 500 + 1])
                for n, week in enumerate(weeks):
                    year, number, _ = week.isocalendar()
                    writer.writerow([f"ITM-{i:07d}", plant, "", f"{year}-W{number:02d}", (i * 3 + n) % 2000 + 10])
                rows += DAILY + WEEKLY
    return rows


# -- the measured work, each in its own child process --------------------------------------------

def child_plan(url: str, path: str) -> dict:
    from openvmi.access import Actor, Role
    from openvmi.planning import service
    from openvmi.planning.schemas import PlanUploadRequest

    sessions = create_session_factory(create_db_engine(url))
    with sessions() as session:
        user_id = session.scalar(select(Base.metadata.tables["app_user"].c.id))
    actor = Actor(user_id=user_id, username="bench-buyer", role=Role.BUYER, supplier_id=None)
    started = time.perf_counter()
    with sessions() as session, open(path, "rb") as stream:
        publication = service.publish_plan_file(session, PlanUploadRequest(filename="plan.csv"), stream=stream,
                                                actor=actor)
        session.commit()
    return {"seconds": time.perf_counter() - started, "rows": publication.version.line_count, "peak_mb": _peak_mb()}


def child_baseline(url: str, path: str) -> dict:
    engine = create_engine(url)
    started = time.perf_counter()
    with engine.begin() as connection:
        version_id = connection.execute(insert(Base.metadata.tables["demand_plan_version"]).values(
            number=1, source="upload", line_count=0, request_hash="baseline", published_at=datetime.now(UTC))
        ).inserted_primary_key[0]
        raw = connection.connection.driver_connection
        rows = (_baseline_postgres(raw, path, version_id) if engine.dialect.name == "postgresql"
                else _baseline_sqlite(raw, path, version_id))
    return {"seconds": time.perf_counter() - started, "rows": rows, "peak_mb": _peak_mb()}


def _baseline_postgres(raw, path: str, version_id: int) -> int:
    with raw.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE raw_plan (item_code text, plant_code text, day date, week text, "
                       "quantity numeric) ON COMMIT DROP")
        with open(path, "rb") as handle, cursor.copy("COPY raw_plan FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        cursor.execute("""
            INSERT INTO demand_plan_line (version_id, item_id, plant_id, bucket, day, week_start, quantity)
            SELECT %s, i.id, p.id, CASE WHEN r.day IS NULL THEN 'week' ELSE 'day' END, d.day,
                   date_trunc('week', d.day)::date, r.quantity
            FROM raw_plan r JOIN item i ON i.code = r.item_code JOIN plant p ON p.code = r.plant_code
            CROSS JOIN LATERAL (SELECT coalesce(r.day, to_date(r.week || '-1', 'IYYY-"W"IW-ID')) AS day) d""",
                       (version_id,))
        return cursor.rowcount


def _baseline_sqlite(raw, path: str, version_id: int) -> int:
    items = dict(raw.execute("SELECT code, id FROM item"))
    plants = dict(raw.execute("SELECT code, id FROM plant"))
    rows = 0
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)

        def values():
            nonlocal rows
            for item_code, plant_code, day, week, quantity in reader:
                if day:
                    when, bucket = date.fromisoformat(day), "day"
                else:
                    year, number = week.split("-W")
                    when, bucket = date.fromisocalendar(int(year), int(number), 1), "week"
                rows += 1
                yield (version_id, items[item_code], plants[plant_code], bucket, when.isoformat(),
                       (when - timedelta(days=when.weekday())).isoformat(), quantity)

        raw.executemany("INSERT INTO demand_plan_line (version_id, item_id, plant_id, bucket, day, week_start, "
                        "quantity) VALUES (?, ?, ?, ?, ?, ?, ?)", values())
    return rows


def run_child(kind: str, url: str, path: Path) -> dict:
    script = Path(__file__).with_name("supplier_stock_import.py") if kind == "stock" else Path(__file__)
    done = subprocess.run([sys.executable, str(script), "--child", "import" if kind == "stock" else kind,
                           "--url", url, "--file", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(backend: str, template: str, args: argparse.Namespace, workdir: Path, plan: Path, stock: Path) -> None:
    """Baseline, plan upload and stock import alternate, each on a fresh copy of the seeded database;
    ratios are medians of the rounds' ratios (the machine's load swings within seconds)."""
    results: dict[str, list[dict]] = {"baseline": [], "plan": [], "stock": []}
    for _ in range(args.rounds):
        for kind, path in (("baseline", plan), ("plan", plan), ("stock", stock)):
            url = clone_database(template, args.pg_url, workdir)
            try:
                results[kind].append(run_child(kind, url, path))
            finally:
                drop_database(url, args.pg_url)
    names = {"baseline": "raw baseline", "plan": "plan upload", "stock": "stock import"}
    for kind, runs in results.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        each = ", ".join(f"{r['seconds']:.2f}" for r in runs)
        print(f"{backend:8} {names[kind]:13} {runs[0]['rows']:>8,} rows: median {seconds:5.2f} s "
              f"= {runs[0]['rows'] / seconds:>8,.0f} rows/s, peak {max(r['peak_mb'] for r in runs):4.0f} MB "
              f"({each})")
    to_baseline = [b["seconds"] / p["seconds"] for b, p in zip(results["baseline"], results["plan"], strict=True)]
    to_stock = [s["seconds"] / p["seconds"] for s, p in zip(results["stock"], results["plan"], strict=True)]
    print(f"{backend:8} plan upload speed vs raw baseline: median {statistics.median(to_baseline):.2f}; "
          f"vs stock import of as many rows: median {statistics.median(to_stock):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument("--items", type=int, default=2500, help="items in the plan (x 2 plants x 20 rows)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child")
    parser.add_argument("--url")
    parser.add_argument("--file")
    args = parser.parse_args()
    if args.child:
        print(json.dumps((child_plan if args.child == "plan" else child_baseline)(args.url, args.file)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        plan, stock = workdir / "plan.csv", workdir / "stock.csv"
        rows = write_plan(plan, items=args.items)
        stock_rows = write_csv(stock, items=rows, sites=1)
        print(f"plan file: {rows:,} rows, {plan.stat().st_size / 1048576:.1f} MB; "
              f"stock file: {stock_rows:,} rows, {stock.stat().st_size / 1048576:.1f} MB")
        for backend in args.backends.split(","):
            template = new_database(backend, args.pg_url, workdir)
            try:
                seed_catalogue(template, items=stock_rows, sites=1)
                add_buyer_and_plants(template)
                measure(backend, template, args, workdir, plan, stock)
            finally:
                drop_database(template, args.pg_url)


if __name__ == "__main__":
    main()
