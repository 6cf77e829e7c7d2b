"""Replenishment: projections and suggestions of 1,000 active VMI agreements over an 8-week horizon with
a 20,000-line demand plan, on PostgreSQL and SQLite, against a raw baseline measured in the same run.

Run `.venv/bin/python bench/replenishment.py` (`--help` for the knobs). Not part of the test suite; it
creates throw-away databases (helpers of bench/supplier_stock_import.py) and drops them. See
bench/README.md.

Measured (median of `--repeats`, after one warm-up, the two alternating):
- projection: `vmi.replenishment.queries.project_agreements` for every agreement, in pages of 500, as
  the API answers them (read models with every day and suggestion);
- alert signals: `queries.alert_signals`, what the alert sweep reads and decides;
- baseline: the same inputs read with four raw SQL statements (agreements with their terms, ledger
  stock at VMI and in-transit places, the current plan summed per item, plant and day within the
  horizon, open accepted call-offs) and fetched as tuples: no projection, no objects.
"""
import argparse
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, select

sys.path.insert(0, str(Path(__file__).parent))
from supplier_stock_import import DEFAULT_PG_URL, drop_database, new_database  # noqa: E402
from timing import alternate, load_average, summary  # noqa: E402

import openvmi.models  # noqa: E402,F401 - every table on Base.metadata
from openvmi.db import Base, create_db_engine, create_session_factory  # noqa: E402
from openvmi.vmi.replenishment import queries  # noqa: E402

HORIZON = 56
DAILY_DAYS, WEEKS = 14, 6  # per agreement: the next 14 days one by one, then six whole weeks = 20 lines


def seed(url: str, *, agreements: int, suppliers: int, today: date) -> int:
    """Suppliers, one item and supplier item per agreement, two plants with a VMI store and an in-transit
    place each, supplier-owned stock, the plan (20 lines per agreement) and accepted call-offs."""
    t = Base.metadata.tables
    now = datetime.now(UTC)
    engine = create_db_engine(url)
    with engine.begin() as c:
        c.execute(insert(t["party"]), [{"code": "BUYER", "name": "Buyer", "kind": "buyer", "stale_after_days": 7,
                                        "active": True, "created_at": now}] + [
            {"code": f"S-{s:03d}", "name": f"Supplier {s}", "kind": "supplier", "stale_after_days": 7,
             "active": True, "created_at": now} for s in range(suppliers)])
        parties = dict(c.execute(select(t["party"].c.code, t["party"].c.id)).all())
        c.execute(insert(t["plant"]), [{"party_id": parties["BUYER"], "code": f"PL-{p}", "name": f"Plant {p}"}
                                       for p in range(2)])
        plants = dict(c.execute(select(t["plant"].c.code, t["plant"].c.id)).all())
        c.execute(insert(t["location"]), [{"code": f"PL-{p}-{kind}", "name": kind, "kind": kind,
                                           "plant_id": plants[f"PL-{p}"], "active": True}
                                          for p in range(2) for kind in ("vmi", "in_transit")])
        places = dict(c.execute(select(t["location"].c.code, t["location"].c.id)).all())
        c.execute(insert(t["item"]), [{"code": f"ITM-{i:05d}", "name": f"Item {i}", "unit": "PCS", "active": True,
                                       "created_at": now} for i in range(agreements)])
        items = [row[0] for row in c.execute(select(t["item"].c.id).order_by(t["item"].c.id))]
        supplier_of = {item_id: parties[f"S-{n % suppliers:03d}"] for n, item_id in enumerate(items)}
        c.execute(insert(t["supplier_item"]), [
            {"supplier_id": supplier_of[item_id], "item_id": item_id, "supplier_part_number": f"P-{item_id}",
             "lead_time_days": 3 + n % 12, "moq": 50 * (n % 4), "pack_size": (1, 10, 24, 50)[n % 4], "active": True,
             "version": 1, "created_at": now} for n, item_id in enumerate(items)])
        supplier_items = dict(c.execute(select(t["supplier_item"].c.item_id, t["supplier_item"].c.id)).all())
        plant_of = {item_id: n % 2 for n, item_id in enumerate(items)}
        c.execute(insert(t["vmi_agreement"]), [
            {"supplier_item_id": supplier_items[item_id], "supplier_id": supplier_of[item_id],
             "location_id": places[f"PL-{plant_of[item_id]}-vmi"], "min_level": 200, "max_level": 800,
             "settlement_cycle": "monthly", "currency": "CNY", "tax_rate_percent": 13,
             "adjustments_need_approval": True, "call_off_answer_hours": 48, "over_shipment_tolerance_percent": 0,
             "valid_from": today, "state": "active", "created_at": now} for item_id in items])
        balances = [{"item_id": item_id, "location_id": places[f"PL-{plant_of[item_id]}-vmi"],
                     "owner_id": supplier_of[item_id], "on_hand": 100 + n * 7 % 700, "is_physical": True,
                     "updated_at": now} for n, item_id in enumerate(items)]
        balances += [{"item_id": item_id, "location_id": places[f"PL-{plant_of[item_id]}-in_transit"],
                      "owner_id": supplier_of[item_id], "on_hand": 120, "is_physical": True, "updated_at": now}
                     for item_id in items[::3]]
        c.execute(insert(t["stock_balance"]), balances)
        c.execute(insert(t["demand_plan_version"]), [{"number": 1, "source": "api", "line_count": 0,
                                                      "request_hash": "bench", "published_at": now}])
        version = c.scalar(select(t["demand_plan_version"].c.id))
        monday = today - timedelta(days=today.weekday())
        lines = []
        for n, item_id in enumerate(items):
            per_day = 20 + n % 60
            for d in range(DAILY_DAYS):
                day = today + timedelta(days=d)
                lines.append({"version_id": version, "item_id": item_id, "plant_id": plants[f"PL-{plant_of[item_id]}"],
                              "bucket": "day", "day": day, "week_start": day - timedelta(days=day.weekday()),
                              "quantity": per_day})
            for w in range(WEEKS):
                week = monday + timedelta(weeks=3 + w)
                lines.append({"version_id": version, "item_id": item_id, "plant_id": plants[f"PL-{plant_of[item_id]}"],
                              "bucket": "week", "day": week, "week_start": week, "quantity": per_day * 5})
        for start in range(0, len(lines), 5000):
            c.execute(insert(t["demand_plan_line"]), lines[start:start + 5000])
        agreement_ids = [row[0] for row in c.execute(select(t["vmi_agreement"].c.id, t["vmi_agreement"].c.supplier_id)
                                                     .order_by(t["vmi_agreement"].c.id))]
        suppliers_of = dict(c.execute(select(t["vmi_agreement"].c.id, t["vmi_agreement"].c.supplier_id)).all())
        for agreement_id in agreement_ids[::4]:
            call_off = c.execute(insert(t["vmi_call_off"]).returning(t["vmi_call_off"].c.id), [{
                "supplier_id": suppliers_of[agreement_id], "state": "accepted", "created_at": now,
                "changed_at": now}]).scalar_one()
            c.execute(insert(t["vmi_call_off_line"]), [{
                "call_off_id": call_off, "supplier_id": suppliers_of[agreement_id], "agreement_id": agreement_id,
                "quantity": 300, "shipped_quantity": 0, "due_date": today + timedelta(days=10)}])
    engine.dispose()
    return len(lines)


BASELINE = {
    "agreements": """SELECT a.id, a.supplier_id, p.code, si.item_id, i.code, i.name, i.unit, a.location_id, l.code,
        l.plant_id, pl.code, a.min_level, a.max_level, si.lead_time_days, si.moq, si.pack_size
        FROM vmi_agreement a JOIN supplier_item si ON si.id = a.supplier_item_id JOIN item i ON i.id = si.item_id
        JOIN party p ON p.id = a.supplier_id JOIN location l ON l.id = a.location_id
        LEFT JOIN plant pl ON pl.id = l.plant_id WHERE a.state = 'active' ORDER BY a.id""",
    "stock": """SELECT b.item_id, b.location_id, b.owner_id, b.on_hand, l.kind, l.plant_id FROM stock_balance b
        JOIN location l ON l.id = b.location_id WHERE l.kind IN ('vmi', 'in_transit') AND b.on_hand <> 0""",
    "plan": """SELECT item_id, plant_id, day, sum(quantity) FROM demand_plan_line
        WHERE version_id = (SELECT id FROM demand_plan_version ORDER BY number DESC LIMIT 1)
        AND day >= '{since}' AND day <= '{until}' GROUP BY item_id, plant_id, day""",
    "call_offs": """SELECT l.agreement_id, l.due_date, sum(l.quantity - l.shipped_quantity) FROM vmi_call_off_line l
        JOIN vmi_call_off c ON c.id = l.call_off_id WHERE c.state IN ('accepted', 'partly_shipped')
        AND l.quantity > l.shipped_quantity GROUP BY l.agreement_id, l.due_date""",
}


def baseline(engine, today: date) -> int:
    until = today + timedelta(days=HORIZON - 1)
    rows = 0
    with engine.connect() as connection:
        for sql in BASELINE.values():
            rows += len(connection.exec_driver_sql(sql.format(since=today, until=until)).fetchall())
    return rows


def projections(sessions, today: date) -> tuple[int, int]:
    count = suggestions = 0
    cursor = None
    with sessions() as session:
        while True:
            page = queries.project_agreements(session, queries.Wanted(), today=today, horizon_days=HORIZON,
                                              cursor=cursor, limit=500)
            count += len(page.items)
            suggestions += sum(len(r.suggestions) for r in page.items)
            if page.next_cursor is None:
                return count, suggestions
            cursor = page.next_cursor


def signals(sessions, today: date) -> int:
    with sessions() as session:
        return len(queries.alert_signals(session, queries.Wanted(), today=today))


def measure(url: str, *, repeats: int, today: date) -> dict:
    engine = create_db_engine(url)
    sessions = create_session_factory(engine)
    raw = create_engine(url)
    runs = alternate({"baseline": lambda: baseline(raw, today), "projection": lambda: projections(sessions, today),
                      "signals": lambda: signals(sessions, today)}, repeats=repeats)
    engine.dispose()
    raw.dispose()
    return summary(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agreements", type=int, default=1000)
    parser.add_argument("--suppliers", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    args = parser.parse_args()
    today = datetime.now(UTC).date()
    print(f"load average at start: {load_average():.2f}")
    with tempfile.TemporaryDirectory() as workdir:
        for backend in args.backends.split(","):
            url = new_database(backend, args.pg_url, Path(workdir))
            try:
                lines = seed(url, agreements=args.agreements, suppliers=args.suppliers, today=today)
                result = measure(url, repeats=args.repeats, today=today)
            finally:
                drop_database(url, args.pg_url)
            agreements, suggestions = result["facts"]["projection"]
            print(f"{backend}: {agreements} agreements, {lines} plan lines, {suggestions} suggestions, "
                  f"{result['facts']['signals']} alert signals, {result['facts']['baseline']} baseline rows")
            for name in ("baseline", "projection", "signals"):
                print(f"  {name:<11} {result[name] * 1000:8.1f} ms   x{result[name] / result['baseline']:.1f} baseline")
    print(f"load average at end: {load_average():.2f}")


if __name__ == "__main__":
    main()
