"""Where a single-line consumption's time goes next to the bare ledger move, on PostgreSQL, in one process.

Alternates a consumption (`record_consumption`) and the bare move it posts (`post_moves`) on the
consumption bench's data (bench/consumption.py's `build`) and reports, per side, medians of: the client's
CPU for the call and for the COMMIT (time.process_time), their wall times, the server's time in the SQL
function (track_functions self time across the call, read in a separate pass so the timed pass sends nothing extra), and
the WAL bytes per transaction (pg_current_wal_insert_lsn before and after, also a separate pass). Also lists
the deferred constraints and constraint triggers on the tables a consumption writes (what could fire at
COMMIT). Not part of the test suite; see bench/README.md ("Consumption").

Run: `.venv/bin/python bench/consumption_split.py [--count 300] [--old-sql vmi/consumptions/sql/<file>]`; with
--old-sql, a third side runs the consumption through that version of the function (created beside the deployed
one under another name), so two versions alternate in one process.
"""
import argparse
import os
import random
import statistics
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from consumption import ZONE, build  # noqa: E402
from ledger import DEFAULT_PG_URL, create_pg_database, drop_pg_database  # noqa: E402

from sqlalchemy import text  # noqa: E402

from openvmi import migrations  # noqa: E402
from openvmi.access import Actor, Role  # noqa: E402
from openvmi.db import create_db_engine, create_session_factory  # noqa: E402
from openvmi.ledger import service as ledger_service  # noqa: E402
from openvmi.ledger.rules import DocumentKind  # noqa: E402
from openvmi.ledger.schemas import DocumentRef, MoveCreate, PostingCreate  # noqa: E402
from openvmi.migrations import sql_file  # noqa: E402
from openvmi.vmi.consumptions import fast_path  # noqa: E402
from openvmi.vmi.consumptions import service as consumptions  # noqa: E402
from openvmi.vmi.consumptions.schemas import ConsumptionCreate, ConsumptionLineCreate  # noqa: E402

WRITTEN = ("vmi_consumption", "vmi_consumption_line", "settlement_line", "posting", "stock_move", "stock_balance",
           "receipt_layer", "layer_draw")

_FUNCTION_TIME = text("SELECT coalesce(sum(self_time), 0) FROM pg_stat_xact_user_functions")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="transactions per side and pass (default 300)")
    parser.add_argument("--old-sql", help="another version of vmi_record_consumption to alternate with, e.g. "
                        "vmi/consumptions/sql/vmi_record_consumption.3.sql")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    args = parser.parse_args(argv)
    url = create_pg_database(args.pg_url, "openvmi_split")
    try:
        migrations.upgrade(url)
        plant = build(url, item_count=200, supplier_count=5)
        factory = create_session_factory(create_db_engine(url))
        actor = Actor(user_id=plant.actor_id, username="bench", role=Role.ADMIN, supplier_id=None)
        rng = random.Random(7)

        def consumption(session) -> None:  # type: ignore[no-untyped-def]
            item_id, _ = rng.choice(plant.items)
            consumptions.record_consumption(session, ConsumptionCreate(lines=[ConsumptionLineCreate(
                item_id=item_id, location_id=plant.store_id, quantity=Decimal(rng.randint(1, 9)))]), actor=actor,
                zone=ZONE, idempotency_key=uuid.uuid4().hex if rng.random() < 0.5 else None)

        def move(session) -> None:  # type: ignore[no-untyped-def]
            item_id, supplier_id = rng.choice(plant.items)
            ledger_service.post_moves(session, PostingCreate(moves=[MoveCreate(
                item_id=item_id, quantity=Decimal(rng.randint(1, 9)), from_location_id=plant.store_id,
                from_owner_id=supplier_id, to_location_id=plant.production_id, to_owner_id=plant.buyer_id,
                kind="consumption")]), actor=actor, idempotency_key=uuid.uuid4().hex if rng.random() < 0.5 else None,
                document=DocumentRef(kind=DocumentKind.CONSUMPTION, id=rng.randrange(1, 2**31)))

        sides = {"consumption": consumption, "move": move}
        if args.old_sql:
            old_call = fast_path._CALL.replace("vmi_record_consumption(", "vmi_record_consumption_old(")
            with factory() as session:  # the driver's text: the body holds JSON such as "id":null
                session.connection().exec_driver_sql("CREATE FUNCTION vmi_record_consumption_old" + sql_file(
                    args.old_sql).split("CREATE FUNCTION vmi_record_consumption", 1)[1].replace("%", "%%"))
                session.commit()

            def old_consumption(session) -> None:  # type: ignore[no-untyped-def]
                new_call, fast_path._CALL = fast_path._CALL, old_call
                try:
                    consumption(session)
                finally:
                    fast_path._CALL = new_call

            sides["consumption, old SQL"] = old_consumption
        with factory() as session:
            for name, call in sides.items():  # warm up: prepared statements, plans, caches
                for _ in range(20):
                    call(session)
                    session.commit()
        print(f"load average {os.getloadavg()[0]:.1f}; {args.count} transactions per side, alternating")
        timed: dict[str, dict[str, list[float]]] = {name: {} for name in sides}
        with factory() as session:
            for _ in range(args.count):
                for name, call in sides.items():
                    cpu, wall = time.process_time(), time.perf_counter()
                    call(session)
                    cpu_call, wall_call = time.process_time() - cpu, time.perf_counter() - wall
                    cpu, wall = time.process_time(), time.perf_counter()
                    session.commit()
                    figures = timed[name]
                    for key, value in (("call cpu", cpu_call), ("call wall", wall_call),
                                       ("commit cpu", time.process_time() - cpu),
                                       ("commit wall", time.perf_counter() - wall)):
                        figures.setdefault(key, []).append(value * 1000)
        with factory() as session:  # the server's side: function self time and WAL, untimed
            for _ in range(min(args.count, 200)):
                for name, call in sides.items():
                    lsn = session.execute(text("SELECT pg_current_wal_insert_lsn()")).scalar_one()
                    session.commit()
                    session.execute(text("SET track_functions = 'all'"))
                    # the backend's pending counts since its last report: the difference across the call
                    function_ms = -session.execute(_FUNCTION_TIME).scalar_one()
                    call(session)
                    function_ms += session.execute(_FUNCTION_TIME).scalar_one()
                    session.commit()
                    wal = session.execute(text("SELECT pg_current_wal_insert_lsn() - CAST(:lsn AS pg_lsn)"),
                                          {"lsn": lsn}).scalar_one()
                    session.commit()
                    timed[name].setdefault("function ms (server)", []).append(float(function_ms))
                    timed[name].setdefault("WAL bytes", []).append(float(wal))
            deferred = session.execute(text(
                "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE condeferrable "
                "AND conrelid::regclass::text = ANY(:tables)"), {"tables": list(WRITTEN)}).all()
            triggers = session.execute(text(
                "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal "
                "AND tgrelid::regclass::text = ANY(:tables)"), {"tables": list(WRITTEN)}).all()
        print(f"load average {os.getloadavg()[0]:.1f} at the end")
        print("\n| median | " + " | ".join(sides) + " |\n| --- | " + " | ".join("---:" for _ in sides) + " |")
        for key in timed["move"]:
            print(f"| {key} | " + " | ".join(f"{statistics.median(timed[name][key]):.2f}" for name in sides) + " |")
        print(f"\ndeferrable constraints on the written tables: {deferred or 'none'}; "
              f"user triggers: {triggers or 'none'}")
    finally:
        drop_pg_database(args.pg_url, url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
