"""Availability of one item across 1,000 suppliers at 1,000,000 stock lines, on PostgreSQL and
SQLite, against a baseline measured in the same run: the raw SQL of the supplier-lines query alone
(executed on the driver's connection, rows fetched, nothing built from them).

Run `.venv/bin/python bench/availability.py` (`--help` for the knobs). Not part of the test suite.
Throw-away databases are created and removed unless --keep names a directory to keep them in
(then the next run with --keep reuses them and skips the seeding). See bench/README.md.
"""
import argparse
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
    """Baseline and list_availability alternate per request, on the same random items."""
    from openvmi.supplier_stock.availability import availability_json, list_availability
    from openvmi.supplier_stock.schemas import AvailabilityQuery

    engine = create_db_engine(url)
    sessions = create_session_factory(engine)
    raw_sql = RAW_SQL if url.startswith("postgresql") else RAW_SQL.replace("%s", "?")
    timings: dict[str, list[float]] = {"baseline": [], "availability": []}
    lines = 0
    with sessions() as session:
        item_ids = [r[0] for r in session.execute(text("SELECT id FROM item ORDER BY id"))]
        rng = random.Random(3)
        for n in range(repeats + 5):  # the first five warm the caches and are not counted
            item_id = rng.choice(item_ids)
            with engine.connect() as connection:
                cursor = connection.connection.driver_connection.cursor()
                started = time.perf_counter()
                cursor.execute(raw_sql, (item_id,))
                cursor.fetchall()
                baseline = time.perf_counter() - started
                cursor.close()
            started = time.perf_counter()
            answer = list_availability(session, AvailabilityQuery(item_ids=[item_id]))
            availability_json(answer)  # what the API sends
            elapsed = time.perf_counter() - started
            session.rollback()  # a fresh transaction per request, like the API
            if n >= 5:
                timings["baseline"].append(baseline)
                timings["availability"].append(elapsed)
            lines = len(answer.items[0]["lines"])
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
    for backend in args.backends.split(","):
        url, made = database(backend, args)
        try:
            result = measure(url, repeats=args.repeats)
        finally:
            if made:
                drop_database(url, args.pg_url)
        (base50, base95), (p50, p95) = result["baseline"], result["availability"]
        print(f"{backend:8} one item, {args.suppliers:,} suppliers, {args.suppliers * args.items:,} lines "
              f"({result['lines'][0]} answered), {args.repeats} requests: baseline (raw SQL) p50 {base50:.1f} / "
              f"p95 {base95:.1f} ms; availability p50 {p50:.1f} / p95 {p95:.1f} ms; "
              f"ratio p50 {p50 / base50:.1f}, p95 {p95 / base95:.1f} (target p95 < 20 ms)")


if __name__ == "__main__":
    main()
