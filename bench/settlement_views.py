"""Settlement views: reconciliation of one supplier's month and the lines' totals per currency, over a
journal of ownership moves with their settlement lines, on PostgreSQL and SQLite, against raw baselines
measured in the same run.

Run `.venv/bin/python bench/settlement_views.py` (`--help` for the knobs). Not part of the test suite; it
creates throw-away databases (helpers of bench/supplier_stock_import.py) and drops them. See
bench/README.md.

Measured (median of `--repeats`, after one warm-up, alternating):
- reconcile: `settlement.reconciliation.reconcile` for one supplier over the last 30 local days;
- reconcile baseline: the supplier's moves of the period left-joined to their lines by one raw SQL
  statement, fetched as tuples (no second half for lines without moves, no amounts recomputed);
- totals: `settlement.queries.currency_totals` of every line (tax per line, summed per currency);
- totals baseline: `SELECT currency, count(*), sum(quantity), sum(net_amount) ... GROUP BY currency`.
"""
import argparse
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Connection, create_engine, insert, select, text

sys.path.insert(0, str(Path(__file__).parent))
from supplier_stock_import import DEFAULT_PG_URL, drop_database, new_database  # noqa: E402
from timing import alternate, load_average, summary  # noqa: E402

import openvmi.models  # noqa: E402,F401 - every table on Base.metadata
from openvmi.db import Base, create_db_engine, create_session_factory  # noqa: E402
from openvmi.settlement import queries  # noqa: E402
from openvmi.settlement.reconciliation import local_window, reconcile  # noqa: E402
from openvmi.settlement.rules import net_amount  # noqa: E402
from openvmi.settlement.schemas import LineFilter  # noqa: E402

ZONE = "Asia/Shanghai"
DAYS = 60  # the journal spans the last 60 days; the reconciled period is the last 30


@dataclass
class Consignment:
    """Ids of what `seed_agreements` made."""

    buyer: int
    suppliers: list[int]
    places: dict[str, int]
    items: list[int]
    supplier_of: dict[int, int]  # item id -> supplier id
    supplier_items: dict[int, int]  # item id -> supplier item id
    agreement_of: dict[int, int]  # supplier item id -> agreement id


def seed_agreements(c: Connection, *, suppliers: int, items: int, supplier_of: Callable[[int], int], now: datetime,
                    valid_from: date) -> Consignment:
    """A buyer with a plant, a VMI store and a production place, suppliers, and one item, supplier item and
    active monthly CNY agreement per item; `supplier_of(n)` says which supplier the n-th item is from."""
    t = Base.metadata.tables
    c.execute(insert(t["party"]), [{"code": "BUYER", "name": "Buyer", "kind": "buyer", "stale_after_days": 7,
                                    "active": True, "created_at": now}] + [
        {"code": f"S-{s:04d}", "name": f"Supplier {s}", "kind": "supplier", "stale_after_days": 7,
         "active": True, "created_at": now} for s in range(suppliers)])
    parties = dict(c.execute(select(t["party"].c.code, t["party"].c.id)).all())
    supplier_ids = [parties[f"S-{s:04d}"] for s in range(suppliers)]
    c.execute(insert(t["plant"]), [{"party_id": parties["BUYER"], "code": "PL", "name": "Plant"}])
    plant = c.scalar(select(t["plant"].c.id))
    c.execute(insert(t["location"]), [{"code": kind, "name": kind, "kind": kind, "plant_id": plant, "active": True}
                                      for kind in ("vmi", "production")])
    places = dict(c.execute(select(t["location"].c.code, t["location"].c.id)).all())
    c.execute(insert(t["item"]), [{"code": f"ITM-{i:06d}", "name": f"Item {i}", "unit": "PCS", "active": True,
                                   "created_at": now} for i in range(items)])
    item_ids = list(c.scalars(select(t["item"].c.id).order_by(t["item"].c.id)))
    supplier_of_item = {item_id: supplier_ids[supplier_of(n)] for n, item_id in enumerate(item_ids)}
    c.execute(insert(t["supplier_item"]), [
        {"supplier_id": supplier_of_item[item_id], "item_id": item_id, "supplier_part_number": f"P-{item_id}",
         "lead_time_days": 7, "moq": 0, "pack_size": 1, "active": True, "version": 1, "created_at": now}
        for item_id in item_ids])
    supplier_items = dict(c.execute(select(t["supplier_item"].c.item_id, t["supplier_item"].c.id)).all())
    c.execute(insert(t["vmi_agreement"]), [
        {"supplier_item_id": supplier_items[item_id], "supplier_id": supplier_of_item[item_id],
         "location_id": places["vmi"], "min_level": 0, "max_level": 1000, "settlement_cycle": "monthly",
         "currency": "CNY", "tax_rate_percent": 13, "adjustments_need_approval": True,
         "call_off_answer_hours": 48, "over_shipment_tolerance_percent": 0, "valid_from": valid_from,
         "state": "active", "created_at": now} for item_id in item_ids])
    agreement_of = dict(c.execute(select(t["vmi_agreement"].c.supplier_item_id, t["vmi_agreement"].c.id)).all())
    return Consignment(parties["BUYER"], supplier_ids, places, item_ids, supplier_of_item, supplier_items,
                       agreement_of)


def seed(url: str, *, moves: int, suppliers: int, agreements: int, now: datetime) -> int:
    """Suppliers with one agreement per item at one VMI store, and `moves` consumptions spread over the
    last DAYS days, each with its settlement line as the product writes it."""
    t = Base.metadata.tables
    engine = create_db_engine(url)
    with engine.begin() as c:
        made = seed_agreements(c, suppliers=suppliers, items=agreements, supplier_of=lambda n: n % suppliers,
                               now=now, valid_from=now.date())
        parties, places, items = {"BUYER": made.buyer}, made.places, made.items
        supplier_of, supplier_items, agreement_of = made.supplier_of, made.supplier_items, made.agreement_of
        step = timedelta(days=DAYS) / moves
        for start in range(0, moves, 5000):
            posting = c.execute(insert(t["posting"]).returning(t["posting"].c.id), [{
                "caller_key": "system", "request_hash": "bench", "document_kind": "consumption", "document_id": start + 1,
                "created_at": now}]).scalar_one()
            batch = range(start, min(start + 5000, moves))
            at = {n: now - timedelta(days=DAYS) + step * n for n in batch}
            item = {n: items[n * 7919 % len(items)] for n in batch}
            quantity = {n: Decimal(1 + n % 9) for n in batch}
            ids = c.execute(insert(t["stock_move"]).returning(t["stock_move"].c.id, sort_by_parameter_order=True), [{
                "posting_id": posting, "item_id": item[n], "quantity": quantity[n], "from_location_id": places["vmi"],
                "from_owner_id": supplier_of[item[n]], "to_location_id": places["production"],
                "to_owner_id": parties["BUYER"], "kind": "consumption", "created_at": at[n]} for n in batch]).scalars()
            price = {n: Decimal("0.335") + Decimal(n % 50) / 10 for n in batch}
            c.execute(insert(t["settlement_line"]), [{
                "kind": "consumption", "supplier_id": supplier_of[item[n]],
                "agreement_id": agreement_of[supplier_items[item[n]]], "supplier_item_id": supplier_items[item[n]],
                "item_id": item[n], "move_id": move_id, "quantity": quantity[n], "unit_price": price[n], "currency": "CNY",
                "tax_rate_percent": 13, "net_amount": net_amount(quantity[n], price[n], "CNY"),
                "price_day": at[n].date(), "occurred_at": at[n]} for n, move_id in zip(batch, ids, strict=True)])
    engine.dispose()
    return made.suppliers[0]


RECONCILE_BASELINE = text("""SELECT m.id, m.quantity, l.id, l.quantity, l.net_amount FROM stock_move m
    LEFT JOIN settlement_line l ON l.move_id = m.id AND l.supplier_id = :supplier
    WHERE m.from_owner_id = :supplier AND m.to_owner_id <> :supplier AND m.created_at >= :start AND m.created_at < :end""")
TOTALS_BASELINE = text("SELECT currency, count(*), sum(quantity), sum(net_amount) FROM settlement_line GROUP BY currency")


def measure(url: str, supplier_id: int, *, repeats: int, now: datetime) -> dict:
    engine = create_db_engine(url)
    sessions = create_session_factory(engine)
    raw = create_engine(url)
    until = now.date()
    since = until - timedelta(days=29)
    start, end = local_window(since, until, ZONE)
    if url.startswith("sqlite"):  # stored as naive UTC text there
        start, end = (moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ") for moment in (start, end))

    def reconciled() -> tuple[int, int]:
        with sessions() as session:
            answer = reconcile(session, supplier_id, since=since, until=until, zone=ZONE)
            return answer.moves, len(answer.differences)

    def baseline() -> int:
        with raw.connect() as connection:
            return len(connection.execute(RECONCILE_BASELINE, {"supplier": supplier_id, "start": start,
                                                               "end": end}).fetchall())

    def totals() -> int:
        with sessions() as session:
            return sum(total.lines for total in queries.currency_totals(session, LineFilter()))

    def totals_baseline() -> int:
        with raw.connect() as connection:
            return sum(row[1] for row in connection.execute(TOTALS_BASELINE))

    work = {"reconcile baseline": baseline, "reconcile": reconciled, "totals baseline": totals_baseline,
            "totals": totals}
    runs = alternate(work, repeats=repeats)
    engine.dispose()
    raw.dispose()
    return summary(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--moves", type=int, default=200_000)
    parser.add_argument("--suppliers", type=int, default=20)
    parser.add_argument("--agreements", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    args = parser.parse_args()
    now = datetime.now(UTC)
    print(f"load average at start: {load_average():.2f}")
    with tempfile.TemporaryDirectory() as workdir:
        for backend in args.backends.split(","):
            url = new_database(backend, args.pg_url, Path(workdir))
            try:
                supplier_id = seed(url, moves=args.moves, suppliers=args.suppliers, agreements=args.agreements,
                                   now=now)
                result = measure(url, supplier_id, repeats=args.repeats, now=now)
            finally:
                drop_database(url, args.pg_url)
            facts = result["facts"]
            moves, differences = facts["reconcile"]
            print(f"{backend}: {args.moves} ownership moves and lines; one supplier's 30 days: {moves} moves, "
                  f"{differences} differences ({facts['reconcile baseline']} baseline rows); totals of "
                  f"{facts['totals']} lines")
            for name, base in (("reconcile", "reconcile baseline"), ("totals", "totals baseline")):
                print(f"  {base:<19} {result[base] * 1000:8.1f} ms")
                print(f"  {name:<19} {result[name] * 1000:8.1f} ms   x{result[name] / result[base]:.1f} baseline")
    print(f"load average at end: {load_average():.2f}")


if __name__ == "__main__":
    main()
