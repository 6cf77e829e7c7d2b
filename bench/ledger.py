"""Ledger throughput: post_moves on PostgreSQL and SQLite, measured against pgbench's tpcb-like.

Run `.venv/bin/python bench/ledger.py` (or `make bench`); `--help` lists the knobs. Not part of the
test suite. It creates a throw-away PostgreSQL database (and one for pgbench) on the server named
by --pg-url plus a temporary SQLite file, and removes all of them at the end. See bench/README.md.
"""
import argparse
import itertools
import multiprocessing
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
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, text

from openvmi import migrations
from openvmi.access import Actor, Role
from openvmi.auth import service as auth_service
from openvmi.auth.schemas import UserCreate
from openvmi.catalog import service as catalog_service
from openvmi.catalog.schemas import ItemCreate
from openvmi.db import create_db_engine, create_session_factory
from openvmi.errors import InsufficientStock
from openvmi.ledger import service as ledger_service
from openvmi.ledger.queries import invariant_violations
from openvmi.vmi.consumptions.queries import line_link_violations
from openvmi.ledger.rules import DocumentKind
from openvmi.ledger.schemas import DocumentRef, MoveCreate, PostingCreate
from openvmi.locations import service as locations_service
from openvmi.locations.schemas import LocationCreate
from openvmi.parties import service as parties_service
from openvmi.parties.schemas import PartyCreate, PlantCreate

DEFAULT_PG_URL = os.environ.get("OPENVMI_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
CONSUMPTION_SHARE = 0.7  # production withdraws far more often than trucks arrive
# Receipts are bigger than withdrawals, so stock drifts neither up nor down on average.
CONSUMED_QUANTITY = (1, 9)
RECEIVED_QUANTITY = (10, 15)
OPENING_STOCK = 500
ITEM_SKEW = 0.8  # Zipf-like exponent: a few items are hot, most are slow movers, as on a real shop floor


# -- the company the traffic runs against -------------------------------------------------------

@dataclass(frozen=True)
class StockedItem:
    item_id: int
    supplier_id: int
    vmi_location_id: int
    production_location_id: int


@dataclass
class Company:
    buyer_id: int
    actor_id: int
    origin_location_id: int  # the virtual "supplier origin" receipts come from
    items: list[StockedItem]
    cum_weights: list[float] = field(default_factory=list)


def build_company(url: str, *, item_count: int, supplier_count: int) -> Company:
    """Master data through the services, then opening stock at every VMI balance."""
    engine = create_db_engine(url)
    session_factory = create_session_factory(engine)
    with session_factory() as session:
        buyer = parties_service.create_party(session, PartyCreate(code="BENCH-BUYER", name="Buyer", kind="buyer"))
        suppliers = [parties_service.create_party(session, PartyCreate(code=f"S-{n:02d}", name=f"Supplier {n}"))
                     for n in range(supplier_count)]
        plants = [parties_service.create_plant(session, PlantCreate(code=code, name=code)) for code in ("SZ01", "SH02")]

        def location(code: str, kind: str, plant_code: str | None = None) -> int:
            return locations_service.create_location(
                session, LocationCreate(code=code, name=code, kind=kind, plant_code=plant_code)).id

        origin = location("SUPPLIER-ORIGIN", "virtual")
        vmi_sites = [(location("VMI-SZ01-A", "vmi", "SZ01"), "SZ01"), (location("VMI-SZ01-B", "vmi", "SZ01"), "SZ01"),
                     (location("VMI-SH02", "vmi", "SH02"), "SH02")]
        production = {plant.code: location(f"PROD-{plant.code}", "production", plant.code) for plant in plants}
        items = []
        for n in range(item_count):
            item = catalog_service.create_item(session, ItemCreate(code=f"ITEM-{n:05d}", name=f"Item {n}", unit="PCS"))
            vmi_id, plant_code = vmi_sites[n % len(vmi_sites)]
            items.append(StockedItem(item.id, suppliers[n % supplier_count].id, vmi_id, production[plant_code]))
        actor = auth_service.create_user(session, UserCreate(
            username="bench", display_name="Bench", password="bench-password-1", role=Role.ADMIN))
        session.commit()
        company = Company(buyer_id=buyer.id, actor_id=actor.id, origin_location_id=origin, items=items)
        _index(company)
        opening = [_receipt(company, stocked, OPENING_STOCK) for stocked in items]
        for start in range(0, len(opening), 1000):
            ledger_service.post_moves(session, PostingCreate(moves=opening[start:start + 1000]), actor=None,
                                      document=DocumentRef(kind=DocumentKind.RECEIPT, id=start + 1))
        session.commit()
    engine.dispose()
    return company


def _index(company: Company) -> None:
    weights = [1 / (rank + 1) ** ITEM_SKEW for rank in range(len(company.items))]
    random.Random(0).shuffle(weights)  # hot items spread over suppliers and sites
    company.cum_weights = list(itertools.accumulate(weights))


def _receipt(company: Company, stocked: StockedItem, quantity: int) -> MoveCreate:
    return MoveCreate(item_id=stocked.item_id, quantity=Decimal(quantity),
                      from_location_id=company.origin_location_id, from_owner_id=stocked.supplier_id,
                      to_location_id=stocked.vmi_location_id, to_owner_id=stocked.supplier_id,
                      kind="receipt", reference="ASN")


def _consumption(company: Company, stocked: StockedItem, quantity: int) -> MoveCreate:
    # Withdrawing consigned stock hands it to the buyer: the ownership transfer.
    return MoveCreate(item_id=stocked.item_id, quantity=Decimal(quantity),
                      from_location_id=stocked.vmi_location_id, from_owner_id=stocked.supplier_id,
                      to_location_id=stocked.production_location_id, to_owner_id=company.buyer_id,
                      kind="consumption", reference="WO")


def _pick(rng: random.Random, company: Company, size: int) -> list[StockedItem]:
    """`size` distinct items, hot ones more often."""
    chosen: dict[int, None] = {}
    while len(chosen) < size:
        for index in rng.choices(range(len(company.items)), cum_weights=company.cum_weights, k=size - len(chosen)):
            chosen[index] = None
    return [company.items[i] for i in list(chosen)[:size]]


def make_posting(rng: random.Random, company: Company, size: int) -> tuple[PostingCreate, DocumentRef]:
    """A production backflush (consumption of `size` items) or the dock's receipts of `size` items,
    with the document it posts for. Both draw items from the same skewed distribution, so every
    balance drifts neither up nor down."""
    picked = _pick(rng, company, min(size, len(company.items)))
    number = rng.randrange(1, 2**31)
    if rng.random() < CONSUMPTION_SHARE:
        return (PostingCreate(moves=[_consumption(company, s, rng.randint(*CONSUMED_QUANTITY)) for s in picked]),
                DocumentRef(kind=DocumentKind.CONSUMPTION, id=number))
    return (PostingCreate(moves=[_receipt(company, s, rng.randint(*RECEIVED_QUANTITY)) for s in picked]),
            DocumentRef(kind=DocumentKind.RECEIPT, id=number))


# -- one client: a process with its own engine, posting until the deadline ----------------------

def _client(url: str, company: Company, batch: int, duration: float, key_share: float, seed: int,
            barrier: Any, results: Any) -> None:
    rng = random.Random(seed)
    engine = create_db_engine(url)
    session_factory = create_session_factory(engine)

    actor = Actor(user_id=company.actor_id, username="bench", role=Role.ADMIN, supplier_id=None)

    def post_one() -> bool:
        posting, document = make_posting(rng, company, batch)
        key = uuid.uuid4().hex if rng.random() < key_share else None
        with session_factory() as session:  # like the API: one session, the entrypoint commits
            try:
                ledger_service.post_moves(session, posting, actor=actor, idempotency_key=key, document=document)
            except InsufficientStock:
                session.rollback()
                return False
            session.commit()
        return True

    for _ in range(10):  # warm caches and the connection pool outside the measured window
        post_one()
    barrier.wait()
    latencies, refused = [], 0  # only committed postings count; a refused one is rolled back
    started = time.perf_counter()
    deadline = started + duration
    while (now := time.perf_counter()) < deadline:
        if post_one():
            latencies.append(time.perf_counter() - now)
        else:
            refused += 1
    elapsed = time.perf_counter() - started
    engine.dispose()
    results.put({"latencies": latencies, "refused": refused, "elapsed": elapsed,
                 "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})


@dataclass
class Result:
    system: str
    batch: int
    clients: int
    tps: float
    p50_ms: float
    p95_ms: float
    max_rss_mib: float | None = None
    refused: int = 0

    @property
    def moves_per_second(self) -> float:
        return self.tps * self.batch


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run_clients(system: str, client: Any, arguments: Any, *, clients: int, timeout: float) -> list[dict]:
    """`client(*arguments(n), barrier, results)` in `clients` forked processes (children inherit the
    data; each opens its own engine), started together at the barrier; their reports."""
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(clients), context.Queue()
    workers = [context.Process(target=client, args=(*arguments(n), barrier, results)) for n in range(clients)]
    for worker in workers:
        worker.start()
    reports = [results.get(timeout=timeout) for _ in workers]
    for worker in workers:
        worker.join()
        if worker.exitcode != 0:
            raise SystemExit(f"a {system} client failed (exit code {worker.exitcode})")
    return reports


def run_ledger(system: str, url: str, company: Company, *, batch: int, clients: int, duration: float,
               key_share: float) -> Result:
    reports = run_clients(system, _client, lambda n: (url, company, batch, duration, key_share,
                                                      batch * 1000 + clients * 10 + n),
                          clients=clients, timeout=duration + 120)
    return summarise(system, batch, clients, reports)


def summarise(system: str, batch: int, clients: int, reports: list[dict]) -> Result:
    """The clients' reports (latencies, elapsed, peak RSS, refused postings) as one row."""
    latencies = [latency for report in reports for latency in report["latencies"]]
    elapsed = max(report["elapsed"] for report in reports)
    return Result(system, batch, clients, tps=len(latencies) / elapsed,
                  p50_ms=percentile(latencies, 0.50) * 1000, p95_ms=percentile(latencies, 0.95) * 1000,
                  max_rss_mib=max(report["max_rss_kib"] for report in reports) / 1024,
                  refused=sum(report.get("refused", 0) for report in reports))


# -- databases --------------------------------------------------------------------------------

def create_pg_database(admin_url: str, prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(admin_url: str, url: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


# -- the baseline -----------------------------------------------------------------------------

class Pgbench:
    """pgbench's built-in TPC-B-like script (5 statements in one transaction) on a scratch database."""

    def __init__(self, admin_url: str, *, scale: int) -> None:
        self.executable = shutil.which("pgbench")
        if self.executable is None:
            raise SystemExit("pgbench not found (apt-get install postgresql-client), or pass --no-pgbench")
        self.admin_url = admin_url
        self.url = create_pg_database(admin_url, "openvmi_pgbench")
        parsed = make_url(self.url)
        self.arguments = ["-h", parsed.host or "127.0.0.1", "-p", str(parsed.port or 5432),
                          "-U", parsed.username or "postgres"]
        self.environment = os.environ | ({"PGPASSWORD": parsed.password} if parsed.password else {})
        # Scale >= clients, as pgbench's docs advise, so clients do not all queue on one branch row.
        self._run("-i", "-q", "-s", str(scale))

    def _run(self, *arguments: str) -> str:
        return subprocess.run([self.executable, *arguments, *self.arguments, make_url(self.url).database],
                              check=True, capture_output=True, text=True, env=self.environment).stdout

    def measure(self, *, clients: int, duration: float) -> Result:
        with tempfile.TemporaryDirectory() as logs:
            output = self._run("-n", "-b", "tpcb-like", "-c", str(clients), "-j", str(clients),
                               "-T", str(max(1, round(duration))), "-l", "--log-prefix", f"{logs}/tx")
            # Per-transaction log lines: client_id transaction_no latency_us script_no epoch us.
            latencies = [int(line.split()[2]) / 1e6 for path in Path(logs).iterdir()
                         for line in path.read_text().splitlines()]
        tps = next(float(line.split("=")[1].split()[0]) for line in output.splitlines() if line.startswith("tps ="))
        return Result("pgbench tpcb-like", 1, clients, tps=tps, p50_ms=percentile(latencies, 0.50) * 1000,
                      p95_ms=percentile(latencies, 0.95) * 1000)

    def drop(self) -> None:
        drop_pg_database(self.admin_url, self.url)


def combine(results: list[Result]) -> Result:
    """Rounds of one scenario as one row: mean throughput, latency of the middle round."""
    middle = sorted(results, key=lambda r: r.tps)[len(results) // 2]
    rss = [r.max_rss_mib for r in results if r.max_rss_mib is not None]
    return Result(middle.system, middle.batch, middle.clients, tps=statistics.mean(r.tps for r in results),
                  p50_ms=middle.p50_ms, p95_ms=middle.p95_ms, max_rss_mib=max(rss) if rss else None,
                  refused=sum(r.refused for r in results))


def check_ledger(url: str) -> None:
    """The run must leave the ledger adding up: every balance equals the sum of its moves, no
    physical stock is negative, and every physical balance equals the sum of its FIFO layers."""
    engine = create_db_engine(url)
    with create_session_factory(engine)() as session:
        problems = invariant_violations(session) + line_link_violations(session)
    engine.dispose()
    if problems:
        raise SystemExit(f"ledger does not add up after the run: {problems[:5]}")


# -- report -----------------------------------------------------------------------------------

def print_results(results: list[Result]) -> None:
    print("\n| system | moves/posting | clients | postings/s | moves/s | p50 ms | p95 ms | peak RSS/client MiB | refused |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        rss = f"{r.max_rss_mib:.0f}" if r.max_rss_mib is not None else "-"
        print(f"| {r.system} | {r.batch} | {r.clients} | {r.tps:.0f} | {r.moves_per_second:.0f} | "
              f"{r.p50_ms:.2f} | {r.p95_ms:.2f} | {rss} | {r.refused} |")


def print_ratios(ratios: dict[int, list[tuple[float, float]]]) -> None:
    """Single-move postings on PostgreSQL against pgbench, run alternately so both see the same load."""
    if not ratios:
        return
    print("\n| clients | post_moves (1 move) tps | pgbench tps | ratio per round | median ratio |")
    print("| ---: | ---: | ---: | --- | ---: |")
    for clients, rounds in sorted(ratios.items()):
        per_round = [ours / baseline for ours, baseline in rounds]
        print(f"| {clients} | {statistics.mean(o for o, _ in rounds):.0f} | {statistics.mean(b for _, b in rounds):.0f} "
              f"| {', '.join(f'{r:.2f}' for r in per_round)} | {statistics.median(per_round):.2f} |")
    if 1 in ratios:
        median = statistics.median(ours / baseline for ours, baseline in ratios[1])
        print(f"\ntarget (1 client, single move, >= 0.50 of pgbench): {'met' if median >= 0.5 else 'NOT met'}"
              f" ({median:.2f})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=2.0, help="seconds per measured run (default 2)")
    parser.add_argument("--clients", default="1,2", help="client processes, comma-separated (default 1,2)")
    parser.add_argument("--batches", default="1,10,100", help="moves per posting, comma-separated (default 1,10,100)")
    parser.add_argument("--backends", default="postgresql,sqlite", help="postgresql and/or sqlite")
    parser.add_argument("--items", type=int, default=1000, help="items in the catalogue (default 1000)")
    parser.add_argument("--suppliers", type=int, default=5, help="suppliers (default 5)")
    parser.add_argument("--key-share", type=float, default=0.5,
                        help="share of postings sent with an Idempotency-Key, like integrations do (default 0.5)")
    parser.add_argument("--rounds", type=int, default=7,
                        help="alternating pgbench / single-move rounds per client count (default 7)")
    parser.add_argument("--no-pgbench", action="store_true", help="skip the pgbench baseline")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="a PostgreSQL database to connect to as admin")
    args = parser.parse_args(argv)
    client_counts = [int(c) for c in args.clients.split(",")]
    batches = [int(b) for b in args.batches.split(",")]
    backends = [b.strip() for b in args.backends.split(",")]
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, {args.duration:g} s per run, "
          f"clients {client_counts}, moves/posting {batches}, {args.items} items, {args.suppliers} suppliers")
    results: list[Result] = []
    ratios: dict[int, list[tuple[float, float]]] = {}
    started = time.perf_counter()
    for backend in backends:
        scratch = tempfile.mkdtemp(prefix="openvmi-bench-")
        pgbench = url = None
        try:
            if backend == "postgresql":
                url = create_pg_database(args.pg_url, "openvmi_bench")
                if not args.no_pgbench:
                    print("pgbench: initialising ...", flush=True)
                    pgbench = Pgbench(args.pg_url, scale=max(client_counts))
            else:
                url = f"sqlite:///{scratch}/ledger.db"
            print(f"{backend}: migrating and loading {args.items} items ...", flush=True)
            migrations.upgrade(url)
            company = build_company(url, item_count=args.items, supplier_count=args.suppliers)
            for batch in batches:
                for clients in client_counts:
                    # The baseline and the single-move runs alternate, so a change in the
                    # machine's load (it is shared) hits both sides of the ratio alike.
                    alternate = pgbench is not None and batch == 1
                    rounds, baseline = [], []
                    for round_number in range(args.rounds if alternate else 1):
                        if alternate:
                            print(f"pgbench: {clients} client(s), round {round_number + 1} ...", flush=True)
                            baseline.append(pgbench.measure(clients=clients, duration=args.duration))
                        print(f"{backend}: {batch} move(s)/posting, {clients} client(s) ...", flush=True)
                        rounds.append(run_ledger(backend, url, company, batch=batch, clients=clients,
                                                 duration=args.duration, key_share=args.key_share))
                    if alternate:
                        results.append(combine(baseline))
                        ratios[clients] = [(o.tps, b.tps) for o, b in zip(rounds, baseline, strict=True)]
                    results.append(combine(rounds))
            check_ledger(url)
        finally:
            if pgbench is not None:
                pgbench.drop()
            if backend == "postgresql" and url is not None:
                drop_pg_database(args.pg_url, url)
            shutil.rmtree(scratch, ignore_errors=True)
    print_results(results)
    print_ratios(ratios)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    print(f"\npeak RSS: benchmark process {own:.0f} MiB, largest child (client or pgbench) {children:.0f} MiB; "
          f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
