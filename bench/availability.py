"""Availability of one item across 1,000 suppliers at 1,000,000 stock lines, on PostgreSQL and
SQLite, against a baseline measured in the same run: the raw SQL of the supplier-lines query alone
(executed on the driver's connection, rows fetched, nothing built from them); beside it, request by
request, the API's body and the same answer built in Python (the portal's path, and the API's before).

Run `.venv/bin/python bench/availability.py` (`--help` for the knobs). Not part of the test suite.
Throw-away databases are created and removed unless --keep names a directory to keep them in
(then the next run with --keep reuses them and skips the seeding). See bench/README.md.
"""
import argparse
import os
import random
import statistics
import time
from pathlib import Path

from sqlalchemy import text
from supplier_stock_import import (
    DEFAULT_PG_URL, drop_database, new_database, seed_catalogue, seed_stock_lines,
)

from openvmi.db import create_db_engine, create_session_factory

# What the supplier-lines part of availability asks the database, written by hand.
RAW_SQL = """
SELECT s.supplier_id, s.item_id, s.location_id, s.on_hand, s.available, s.next_available_date,
       s.lead_time_days, s.reported_at, p.code, p.name, p.stale_after_days, l.code, si.lead_time_days
FROM supplier_stock s
JOIN party p ON p.id = s.supplier_id
JOIN location l ON l.id = s.location_id
LEFT JOIN supplier_item si ON si.supplier_id = s.supplier_id AND si.item_id = s.item_id
WHERE s.item_id = %s
"""


def percentiles(timings: list[float]) -> tuple[float, float]:
    timings = sorted(timings)
    return statistics.median(timings) * 1000, timings[max(0, int(len(timings) * 0.95) - 1)] * 1000


def measure(url: str, *, repeats: int) -> dict[str, tuple[float, float]]:
    """The baseline, the API's body (`availability_body`, the database writing the lines) and the
    portal's path (`list_availability` + `availability_json`, the lines built in Python: the API's path
    before) alternate per request on the same random items; wall and CPU time of each."""
    from openvmi.supplier_stock.availability import availability_body, availability_json, list_availability
    from openvmi.supplier_stock.schemas import AvailabilityQuery

    engine = create_db_engine(url)
    sessions = create_session_factory(engine, read_only=True)  # a GET request's, as the API's
    # The baseline on a connection of its own: ending its transaction must not touch the session's
    # (on PostgreSQL a ROLLBACK makes psycopg forget the statements it prepared on that connection).
    baseline_connection = engine.raw_connection()
    raw_sql = RAW_SQL if url.startswith("postgresql") else RAW_SQL.replace("%s", "?")
    timings: dict[str, list[float]] = {kind: [] for kind in (
        "baseline", "api", "api cpu", "python", "python cpu")}
    lines = 0

    def timed(kind: str, request, counted: bool):
        started, cpu = time.perf_counter(), time.process_time()
        result = request()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        if counted:
            timings[kind].append(elapsed)
            timings[f"{kind} cpu"].append(cpu)
        return result

    with sessions() as session:
        item_ids = [r[0] for r in session.execute(text("SELECT id FROM item ORDER BY id"))]
        rng = random.Random(3)
        for n in range(repeats + 5):  # the first five warm the caches and are not counted
            item_id = rng.choice(item_ids)
            query = AvailabilityQuery(item_ids=[item_id])
            cursor = baseline_connection.cursor()
            started = time.perf_counter()
            cursor.execute(raw_sql, (item_id,))
            cursor.fetchall()
            baseline = time.perf_counter() - started
            cursor.close()
            baseline_connection.rollback()
            if n >= 5:
                timings["baseline"].append(baseline)
            # in turn which one goes first, so neither always finds the other's pages warm
            order = ("api", "python") if n % 2 else ("python", "api")
            bodies = {}
            for kind in order:
                if kind == "api":
                    bodies[kind] = timed(kind, lambda: availability_body(session, query), n >= 5)
                else:
                    bodies[kind] = timed(kind, lambda: availability_json(list_availability(session, query)), n >= 5)
                session.rollback()  # a fresh transaction per request, like the API
            lines = bodies["api"].count(b'"source":')
    baseline_connection.close()
    engine.dispose()
    result = {kind: percentiles(values) for kind, values in timings.items()}
    result["lines"] = (lines, lines)
    return result


def database(backend: str, args: argparse.Namespace) -> tuple[str, bool]:
    """The seeded database's URL, and whether this run made it (and should remove it)."""
    if args.keep:
        marker = Path(args.keep) / f"availability-{backend}.url"
        if marker.exists():
            return marker.read_text().strip(), False
    url = new_database(backend, args.pg_url, Path(args.keep or args.workdir))
    started = time.perf_counter()
    seed_catalogue(url, items=args.items, sites=1, suppliers=args.suppliers)
    seed_stock_lines(url, suppliers=args.suppliers, items=args.items)
    # What autovacuum does after a bulk load: statistics, and on PostgreSQL the visibility map that
    # lets the covering indexes answer without visiting the table.
    engine = create_db_engine(url)
    if url.startswith("postgresql"):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    engine.dispose()
    print(f"{backend:8} seeded {args.suppliers * args.items:,} stock lines in {time.perf_counter() - started:.0f} s")
    if args.keep:
        (Path(args.keep) / f"availability-{backend}.url").write_text(url)
        return url, False
    return url, True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument("--suppliers", type=int, default=1000)
    parser.add_argument("--items", type=int, default=1000, help="items per supplier")
    parser.add_argument("--repeats", type=int, default=200, help="requests timed per backend")
    parser.add_argument("--keep", help="directory to keep the seeded databases in, and reuse them from")
    parser.add_argument("--workdir", default="/tmp")
    args = parser.parse_args()
    if args.keep:
        Path(args.keep).mkdir(parents=True, exist_ok=True)
    for backend in args.backends.split(","):
        url, made = database(backend, args)
        try:
            result = measure(url, repeats=args.repeats)
        finally:
            if made:
                drop_database(url, args.pg_url)
        load = os.getloadavg()[0]
        print(f"{backend:8} one item, {args.suppliers:,} suppliers, {args.suppliers * args.items:,} lines "
              f"({result['lines'][0]} answered), {args.repeats} requests, load average {load:.1f} "
              f"(target p95 < 20 ms):")
        base50, base95 = result["baseline"]
        print(f"{'':8}   baseline (raw SQL) p50 {base50:.1f} / p95 {base95:.1f} ms")
        for kind, label in (("api", "API body, lines by the database"), ("python", "lines built in Python")):
            (p50, p95), (c50, c95) = result[kind], result[f"{kind} cpu"]
            print(f"{'':8}   {label}: wall p50 {p50:.1f} / p95 {p95:.1f} ms, CPU p50 {c50:.1f} / p95 {c95:.1f} ms; "
                  f"ratio to baseline p50 {p50 / base50:.1f}, p95 {p95 / base95:.1f}")


if __name__ == "__main__":
    main()
