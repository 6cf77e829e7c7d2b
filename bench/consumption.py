"""Consumption throughput: record_consumption (move + FIFO drain + settlement line + VMI alert check) on
PostgreSQL and SQLite, single lines alternating with pgbench's tpcb-like and with the bare ledger move,
and backflush batches in lines/s.

Run `.venv/bin/python bench/consumption.py` (`--help` lists the knobs). Not part of the test suite. It
creates throw-away PostgreSQL databases (ours and pgbench's) on --pg-url and a temporary SQLite file,
and removes them at the end. See bench/README.md ("Consumption").
"""
import argparse
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from ledger import (  # noqa: E402 - the ledger bench's baseline and helpers
    DEFAULT_PG_URL, Pgbench, Result, check_ledger, combine, create_pg_database, drop_pg_database, run_clients,
    summarise,
)

from openvmi import migrations  # noqa: E402
from openvmi.access import Actor, Role  # noqa: E402
from openvmi.auth import service as auth_service  # noqa: E402
from openvmi.auth.schemas import UserCreate  # noqa: E402
from openvmi.catalog import service as catalog_service  # noqa: E402
from openvmi.catalog.schemas import ItemCreate, PriceCreate, SupplierItemCreate  # noqa: E402
from openvmi.db import create_db_engine, create_session_factory  # noqa: E402
from openvmi.ledger import service as ledger_service  # noqa: E402
from openvmi.ledger.rules import DocumentKind  # noqa: E402
from openvmi.ledger.schemas import DocumentRef, MoveCreate, PostingCreate  # noqa: E402
from openvmi.locations import service as locations_service  # noqa: E402
from openvmi.locations.schemas import LocationCreate  # noqa: E402
from openvmi.parties import service as parties_service  # noqa: E402
from openvmi.parties.schemas import PartyCreate, PlantCreate  # noqa: E402
from openvmi.vmi.agreements import service as agreements_service  # noqa: E402
from openvmi.vmi.agreements.schemas import AgreementCreate  # noqa: E402
from openvmi.vmi.consumptions import service as consumptions  # noqa: E402
from openvmi.vmi.consumptions.schemas import ConsumptionCreate, ConsumptionLineCreate  # noqa: E402

ZONE = "Asia/Shanghai"
OPENING_STOCK = 1_000_000  # per item: a run never runs short, so every posting is a full consumption


@dataclass(frozen=True)
class Plant:
    buyer_id: int
    actor_id: int
    store_id: int
    production_id: int
    items: list[tuple[int, int]]  # (item id, supplier id)


def build(url: str, *, item_count: int, supplier_count: int) -> Plant:
    """One plant with a VMI store and a production line, `item_count` items under active agreements with a
    two-break price, each with plenty of stock."""
    factory = create_session_factory(create_db_engine(url))
    with factory() as session:
        buyer = parties_service.create_party(session, PartyCreate(code="BENCH-BUYER", name="Buyer", kind="buyer"))
        suppliers = [parties_service.create_party(session, PartyCreate(code=f"S-{n:02d}", name=f"Supplier {n}"))
                     for n in range(supplier_count)]
        parties_service.create_plant(session, PlantCreate(code="SZ01", name="SZ01"))

        def location(code: str, kind: str, plant_code: str | None = "SZ01") -> int:
            return locations_service.create_location(
                session, LocationCreate(code=code, name=code, kind=kind, plant_code=plant_code)).id

        origin, store, production = location("ORIGIN", "virtual", None), location("VMI-SZ01", "vmi"), location(
            "PROD-SZ01", "production")
        items = []
        for n in range(item_count):
            supplier = suppliers[n % supplier_count]
            item = catalog_service.create_item(session, ItemCreate(code=f"ITEM-{n:05d}", name=f"Item {n}", unit="PCS"))
            supplier_item = catalog_service.create_supplier_item(session, SupplierItemCreate(
                supplier_code=supplier.code, item_code=item.code, supplier_part_number=f"SPN-{n}", prices=[
                    PriceCreate(price=Decimal("5.00"), currency="CNY", valid_from=date(2026, 1, 1)),
                    PriceCreate(price=Decimal("4.50"), currency="CNY", valid_from=date(2026, 1, 1),
                                min_quantity=Decimal(100))]))
            agreement = agreements_service.create_agreement(session, AgreementCreate(
                supplier_item_id=supplier_item.id, location_id=store, min_level=Decimal(10), max_level=Decimal(2_000_000),
                currency="CNY", tax_rate_percent=Decimal(13), valid_from=date(2026, 1, 1)), actor_id=None)
            agreements_service.activate_agreement(session, agreement.id)
            items.append((item.id, supplier.id))
        user = auth_service.create_user(session, UserCreate(username="bench", display_name="Bench",
                                                            password="bench-password-1", role=Role.ADMIN))
        session.commit()
        ledger_service.post_moves(session, PostingCreate(moves=[MoveCreate(
            item_id=item_id, quantity=Decimal(OPENING_STOCK), from_location_id=origin, from_owner_id=supplier_id,
            to_location_id=store, to_owner_id=supplier_id, kind="receipt") for item_id, supplier_id in items]),
            actor=None, document=DocumentRef(kind=DocumentKind.RECEIPT, id=1))
        session.commit()
        return Plant(buyer.id, user.id, store, production, items)


def _client(url: str, plant: Plant, what: str, lines: int, duration: float, seed: int, barrier: Any,
            results: Any) -> None:
    """Post `what` ("consumption": the use case; "move": the bare ledger move it makes) until the deadline."""
    rng = random.Random(seed)
    factory = create_session_factory(create_db_engine(url))
    actor = Actor(user_id=plant.actor_id, username="bench", role=Role.ADMIN, supplier_id=None)

    def post_one() -> None:
        chosen = rng.sample(plant.items, min(lines, len(plant.items))) if lines <= len(plant.items) else \
            [rng.choice(plant.items) for _ in range(lines)]
        key = uuid.uuid4().hex if rng.random() < 0.5 else None
        with factory() as session:
            if what == "consumption":
                consumptions.record_consumption(session, ConsumptionCreate(lines=[ConsumptionLineCreate(
                    item_id=item_id, location_id=plant.store_id, quantity=Decimal(rng.randint(1, 9)))
                    for item_id, _ in chosen]), actor=actor, zone=ZONE, idempotency_key=key)
            else:
                ledger_service.post_moves(session, PostingCreate(moves=[MoveCreate(
                    item_id=item_id, quantity=Decimal(rng.randint(1, 9)), from_location_id=plant.store_id,
                    from_owner_id=supplier_id, to_location_id=plant.production_id, to_owner_id=plant.buyer_id,
                    kind="consumption") for item_id, supplier_id in chosen]), actor=actor, idempotency_key=key,
                    document=DocumentRef(kind=DocumentKind.CONSUMPTION, id=rng.randrange(1, 2**31)))
            session.commit()

    for _ in range(5):
        post_one()
    barrier.wait()
    latencies = []
    started = time.perf_counter()
    while (now := time.perf_counter()) < started + duration:
        post_one()
        latencies.append(time.perf_counter() - now)
    results.put({"latencies": latencies, "elapsed": time.perf_counter() - started,
                 "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})


def run(system: str, url: str, plant: Plant, *, what: str, lines: int, clients: int, duration: float) -> Result:
    reports = run_clients(system, _client, lambda n: (url, plant, what, lines, duration, n * 7919 + lines),
                          clients=clients, timeout=duration + 300)
    return summarise(f"{system} {what}", lines, clients, reports)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per measured run (default 3)")
    parser.add_argument("--clients", default="1,2,4", help="client processes for single lines (default 1,2,4)")
    parser.add_argument("--batches", default="100,1000", help="lines per backflush batch (default 100,1000)")
    parser.add_argument("--backends", default="postgresql,sqlite", help="postgresql and/or sqlite")
    parser.add_argument("--items", type=int, default=200, help="items under agreements (default 200)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per client count (default 3)")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="a PostgreSQL database to connect to as admin")
    args = parser.parse_args(argv)
    client_counts = [int(c) for c in args.clients.split(",")]
    batches = [int(b) for b in args.batches.split(",")]
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, {args.duration:g} s per run, "
          f"clients {client_counts}, batches {batches}, {args.items} items")
    results: list[Result] = []
    ratios: dict[tuple[str, int], list[float]] = {}
    baseline_one_client: list[float] = []
    for backend in [b.strip() for b in args.backends.split(",")]:
        scratch = tempfile.mkdtemp(prefix="openvmi-bench-")
        pgbench = url = None
        try:
            if backend == "postgresql":
                url = create_pg_database(args.pg_url, "openvmi_bench")
                pgbench = Pgbench(args.pg_url, scale=max(client_counts))
            else:
                url = f"sqlite:///{scratch}/consumption.db"
            print(f"{backend}: migrating and loading {args.items} items ...", flush=True)
            migrations.upgrade(url)
            plant = build(url, item_count=args.items, supplier_count=5)
            for clients in client_counts:
                rounds: dict[str, list[Result]] = {"pgbench": [], "move": [], "consumption": []}
                for round_number in range(args.rounds):
                    if pgbench is not None:  # alternating, so the shared machine's load hits every side alike
                        rounds["pgbench"].append(pgbench.measure(clients=clients, duration=args.duration))
                    for what in ("move", "consumption"):
                        print(f"{backend}: {what}, {clients} client(s), round {round_number + 1} ...", flush=True)
                        rounds[what].append(run(backend, url, plant, what=what, lines=1, clients=clients,
                                                duration=args.duration))
                for name, measured in rounds.items():
                    if measured:
                        results.append(combine(measured))
                if pgbench is not None:
                    for what in ("move", "consumption"):
                        ratios[(what, clients)] = [ours.tps / base.tps for ours, base in
                                                   zip(rounds[what], rounds["pgbench"], strict=True)]
                    if clients == 1:
                        baseline_one_client = [base.tps for base in rounds["pgbench"]]
            for lines in batches:
                print(f"{backend}: batches of {lines} lines ...", flush=True)
                results.append(run(backend, url, plant, what="consumption", lines=lines, clients=1,
                                   duration=max(args.duration, 5.0)))
            check_ledger(url)
        finally:
            if pgbench is not None:
                pgbench.drop()
            if backend == "postgresql" and url is not None:
                drop_pg_database(args.pg_url, url)
            shutil.rmtree(scratch, ignore_errors=True)
    print("\n| system | lines/posting | clients | postings/s | lines/s | p50 ms | p95 ms | peak RSS/client MiB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        rss = f"{r.max_rss_mib:.0f}" if r.max_rss_mib is not None else "-"
        print(f"| {r.system} | {r.batch} | {r.clients} | {r.tps:.0f} | {r.tps * r.batch:.0f} | {r.p50_ms:.2f} | "
              f"{r.p95_ms:.2f} | {rss} |")
    if ratios:
        print("\n| single line | clients | ratio to pgbench per round | median |")
        print("| --- | ---: | --- | ---: |")
        for (what, clients), per_round in sorted(ratios.items()):
            print(f"| {what} | {clients} | {', '.join(f'{r:.2f}' for r in per_round)} | "
                  f"{statistics.median(per_round):.2f} |")
    if ratios:  # the settlement line's and the document's price: the use case against the move it posts
        print("\n| consumption / bare move | clients | per round | median |\n| --- | ---: | --- | ---: |")
        for (what, clients), per_round in sorted(ratios.items()):
            if what == "consumption" and ("move", clients) in ratios:
                against = [c / m for c, m in zip(per_round, ratios[("move", clients)], strict=True)]
                print(f"| consumption / move | {clients} | {', '.join(f'{r:.2f}' for r in against)} | "
                      f"{statistics.median(against):.2f} |")
    if baseline_one_client:
        base = statistics.mean(baseline_one_client)
        single = statistics.median(ratios[("consumption", 1)]) if ("consumption", 1) in ratios else 0.0
        print(f"\ntarget single line >= 0.75 of pgbench (1 client): {'met' if single >= 0.75 else 'NOT met'} "
              f"({single:.2f})")
        for r in results:
            if r.system == "postgresql consumption" and r.batch > 1:
                print(f"target batch of {r.batch} >= 5x pgbench's 1-client tps in lines/s: "
                      f"{'met' if r.tps * r.batch >= 5 * base else 'NOT met'} ({r.tps * r.batch / base:.1f}x)")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of the driver process: {own:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
