"""Statement generation at a million lines: May's monthly statements of 1,000 suppliers from 1,000,000
settlement lines (and June's first lines, which must stay off them), on PostgreSQL and SQLite, against a
baseline measured in the same run.

Run `.venv/bin/python bench/settlement.py` (`--help` for the knobs). Not part of the test suite. The seeded
databases are thrown away unless --keep names a directory to keep them in (the next run with --keep
reuses them and skips the seeding). Every measured call runs in its own process on a fresh copy of the
seeded database (CREATE DATABASE ... TEMPLATE, or a copy of the SQLite file), so each starts from the very
same state and its peak RSS is its own. See bench/README.md.

Measured (median of `--repeats`, after one warm-up round, the two alternating):
- generate: `settlement.statements.service.generate_statements` for May 31st as the API calls it (finance,
  `vmi.agreements.queries.settlement_cycles` for the cycles), then the commit; then, as a fact, a second
  run that finds nothing left;
- baseline: the same assignment as two raw statements and a commit: the drafts by one
  `INSERT ... SELECT DISTINCT` of the suppliers' lines on no statement, then one `INSERT INTO
  settlement_statement_line SELECT l.id, (SELECT s.id FROM settlement_statement s WHERE <the line's key>)
  FROM settlement_line l WHERE <on no statement> AND price_day <= :end` (no cycles looked up, no events, no
  answer built).
After each generation the run checks that every line of May is on its supplier's statement, none of
June is, and that each statement's net (`statements.queries.statement_money`) is the sum of the
lines seeded for it, and fails if not.
"""
import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text

sys.path.insert(0, str(Path(__file__).parent))
from supplier_stock_import import DEFAULT_PG_URL, clone_database, drop_database, new_database  # noqa: E402
from settlement_views import seed_agreements  # noqa: E402
from timing import Run, alternate, load_average, median, timed  # noqa: E402

import openvmi.models  # noqa: E402,F401 - every table on Base.metadata
from openvmi.db import Base, create_db_engine, create_session_factory  # noqa: E402
from openvmi.settlement.rules import net_amount  # noqa: E402

MAY_1, MAY_31 = date(2026, 5, 1), date(2026, 5, 31)
JUNE_SHARE = 50  # one line in 50 is priced on June 1st-3rd: after the period, so it stays off May's statements
LINE_COLUMNS = ("id", "kind", "supplier_id", "agreement_id", "supplier_item_id", "item_id", "move_id", "quantity",
                "unit_price", "currency", "tax_rate_percent", "net_amount", "price_day", "occurred_at")
MOVE_COLUMNS = ("id", "posting_id", "item_id", "quantity", "from_location_id", "from_owner_id", "to_location_id",
                "to_owner_id", "kind", "created_at")


# -- data ----------------------------------------------------------------------------------------

def seed(url: str, *, suppliers: int, lines: int, agreements: int) -> int:
    """A buyer, `suppliers` suppliers with `agreements` monthly CNY agreements each (an item per agreement),
    a finance user, and `lines` consumptions with their settlement lines spread over May (and a few in
    June), as the product writes them. The finance user's id."""
    t = Base.metadata.tables
    now = datetime(2026, 6, 4, tzinfo=UTC)
    engine = create_db_engine(url)
    with engine.begin() as c:
        made = seed_agreements(c, suppliers=suppliers, items=suppliers * agreements,
                               supplier_of=lambda n: n // agreements, now=now, valid_from=MAY_1)
        buyer, places, items = made.buyer, made.places, made.items
        supplier_of, supplier_items, agreement_of = made.supplier_of, made.supplier_items, made.agreement_of
        finance = c.execute(insert(t["app_user"]).returning(t["app_user"].c.id), [{
            "username": "finance", "display_name": "Finance", "password_hash": "-", "role": "finance",
            "active": True, "created_at": now}]).scalar_one()
        postings = lines // 1000 + 1
        c.execute(insert(t["posting"]), [{"caller_key": "system", "request_hash": "bench",
                                          "document_kind": "consumption", "document_id": n + 1, "created_at": now}
                                         for n in range(postings)])
        posting_ids = list(c.scalars(select(t["posting"].c.id).order_by(t["posting"].c.id)))

    def rows():
        """(move, line) per consumption: item n*7919 mod items spreads each supplier's lines over May."""
        step = timedelta(days=31) / lines
        for n in range(lines):
            item_id = items[n * 7919 % len(items)]
            at = datetime.combine(MAY_1, datetime.min.time(), tzinfo=UTC) + step * n
            day = (at + timedelta(hours=8)).date()  # the local day in Shanghai
            if n % JUNE_SHARE == 0:
                day, at = date(2026, 6, 1 + n % 3), datetime(2026, 6, 1 + n % 3, 4, tzinfo=UTC)
            quantity, price = Decimal(1 + n % 9), Decimal("0.335") + Decimal(n % 50) / 10
            yield ((n + 1, posting_ids[n // 1000], item_id, quantity, places["vmi"], supplier_of[item_id],
                    places["production"], buyer, "consumption", at),
                   (n + 1, "consumption", supplier_of[item_id], agreement_of[supplier_items[item_id]],
                    supplier_items[item_id], item_id, n + 1, quantity, price, "CNY", Decimal(13),
                    net_amount(quantity, price, "CNY"), day, at))

    load_moves_and_lines(engine, rows)
    engine.dispose()
    return finance


def load_moves_and_lines(engine, rows: Callable[[], Iterator[tuple[tuple, tuple]]]) -> None:
    """COPY on PostgreSQL (foreign keys unchecked: the rows are consistent by construction), one executemany
    transaction on SQLite, each value stored as its column's type stores it. `rows` is read twice, moves
    first, so that a million rows are never held in memory."""
    t = Base.metadata.tables
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            for table, columns, part in (("stock_move", MOVE_COLUMNS, 0), ("settlement_line", LINE_COLUMNS, 1)):
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for pair in rows():
                        copy.write_row(pair[part])
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        else:
            cursor.execute("BEGIN")
            for table, columns, part in (("stock_move", MOVE_COLUMNS, 0), ("settlement_line", LINE_COLUMNS, 1)):
                convert = [t[table].c[name].type.bind_processor(engine.dialect) or (lambda v: v) for name in columns]
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                    (tuple(f(v) for f, v in zip(convert, pair[part], strict=True)) for pair in rows()))
        raw.commit()
    finally:
        raw.close()
    if engine.dialect.name == "postgresql":  # what autovacuum does after a bulk load
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))


# -- measuring ------------------------------------------------------------------------------------

def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds(backend_pid: int | None) -> float:
    """CPU seconds (user + system) used so far by this process, and by the PostgreSQL backend serving it
    when it runs on this machine: the work itself, whatever share of the shared cores the load left it."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    spent = usage.ru_utime + usage.ru_stime
    if backend_pid is not None:
        fields = Path(f"/proc/{backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
        spent += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return spent


def backend_pid(connection) -> int | None:
    """The PostgreSQL backend's process id if the server is local (its /proc readable), else None."""
    if connection.dialect.name != "postgresql":
        return None
    pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    return pid if Path(f"/proc/{pid}/stat").exists() else None


def generate(url: str, finance_id: int) -> Run:
    """In a child process: May's generation as the API runs it and commits it; then once more, which
    finds nothing left."""
    from openvmi.access import Actor, Role
    from openvmi.settlement.statements import service
    from openvmi.settlement.statements.schemas import StatementGenerate
    from openvmi.vmi.agreements.queries import settlement_cycles

    sessions = create_session_factory(create_db_engine(url))
    actor = Actor(user_id=finance_id, username="finance", role=Role.FINANCE, supplier_id=None)

    def run() -> tuple[list, float]:
        with sessions() as session:
            pid = backend_pid(session.connection())
            cpu = cpu_seconds(pid)
            made = service.generate_statements(session, StatementGenerate(day=MAY_31), actor=actor,
                                               cycle_of=settlement_cycles)
            session.commit()
            return made, cpu_seconds(pid) - cpu

    rss_before = peak_rss_mib()
    first = timed(run)
    rss = peak_rss_mib()
    again = timed(run)
    (made, cpu), (again_made, again_cpu) = first.fact, again.fact
    return Run(first.seconds, {"statements": len(made), "lines": sum(s.added_lines for s in made), "cpu_s": cpu,
                               "again_s": again.seconds, "again_cpu_s": again_cpu, "again_statements": len(again_made),
                               "rss_mib": rss, "rss_rise_mib": rss - rss_before}, first.load)


BASELINE = (
    """INSERT INTO settlement_statement (supplier_id, currency, cycle, period_start, period_end, state, created_at,
           changed_at)
       SELECT DISTINCT supplier_id, currency, 'monthly', :start, :end, 'draft', :now, :now FROM settlement_line l
       WHERE NOT EXISTS (SELECT 1 FROM settlement_statement_line k WHERE k.line_id = l.id) AND price_day <= :end""",
    """INSERT INTO settlement_statement_line (line_id, statement_id)
       SELECT l.id, (SELECT s.id FROM settlement_statement s WHERE s.supplier_id = l.supplier_id
                     AND s.currency = l.currency AND s.cycle = 'monthly' AND s.period_start = :start)
       FROM settlement_line l
       WHERE NOT EXISTS (SELECT 1 FROM settlement_statement_line k WHERE k.line_id = l.id) AND l.price_day <= :end""",
)


def baseline(url: str) -> Run:
    """In a child process: the same assignment as two raw statements and a commit."""
    engine = create_engine(url)
    now = datetime.now(UTC)
    values = {"start": MAY_1, "end": MAY_31, "now": now}
    if url.startswith("sqlite"):  # stored as text there
        values = {"start": MAY_1.isoformat(), "end": MAY_31.isoformat(),
                  "now": now.replace(tzinfo=None).isoformat(sep=" ")}

    def run() -> tuple[int, float]:
        with engine.begin() as connection:
            pid = backend_pid(connection)
            cpu = cpu_seconds(pid)
            connection.execute(text(BASELINE[0]), values)
            if connection.dialect.name == "postgresql":  # as the generation does: no seq scan of a growing table
                connection.execute(text("SET LOCAL enable_seqscan = off"))
            lines = connection.execute(text(BASELINE[1]), values).rowcount
        return lines, cpu_seconds(pid) - cpu

    rss_before = peak_rss_mib()
    done = timed(run)
    lines, cpu = done.fact
    return Run(done.seconds, {"lines": lines, "cpu_s": cpu, "rss_mib": peak_rss_mib(),
                              "rss_rise_mib": peak_rss_mib() - rss_before}, done.load)


def in_child(call: Callable[..., Run], *args) -> Run:
    """`call` in a process of its own, so that its peak RSS is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(call, *args).result()


def check(url: str, *, suppliers: int) -> None:
    """Every line of May on its supplier's statement, none of June; each statement's net is its lines' sum."""
    from openvmi.settlement.models import SettlementLine as Line
    from openvmi.settlement.queries import ON_A_STATEMENT
    from openvmi.settlement.statements.models import SettlementStatement
    from openvmi.settlement.statements.queries import statement_money

    engine = create_db_engine(url)
    with create_session_factory(engine)() as session:
        misplaced = session.scalar(select(func.count()).select_from(Line).where(
            (~ON_A_STATEMENT & (Line.price_day <= MAY_31)) | (ON_A_STATEMENT & (Line.price_day > MAY_31))))
        statements = list(session.scalars(select(SettlementStatement)))
        money = statement_money(session, statements)
        by_supplier = {s: (net, n) for s, net, n in session.execute(
            select(Line.supplier_id, func.sum(Line.net_amount), func.count())
            .where(Line.price_day <= MAY_31).group_by(Line.supplier_id))}
    engine.dispose()
    drift = [s.id for s in statements if (money[s.id][0].net, money[s.id][1]) != by_supplier[s.supplier_id]]
    if misplaced or drift or len(statements) != suppliers:
        raise SystemExit(f"wrong statements: {misplaced} misplaced lines, {len(drift)} statements whose totals "
                         f"differ from their lines, {len(statements)} statements for {suppliers} suppliers")


def database(backend: str, args: argparse.Namespace, workdir: Path) -> tuple[str, int, bool]:
    """The seeded database's URL, the finance user's id, and whether this run made it (and removes it)."""
    marker = Path(args.keep or workdir) / f"settlement-{backend}.url"
    if args.keep and marker.exists():
        url, finance = marker.read_text().split()
        return url, int(finance), False
    url = new_database(backend, args.pg_url, Path(args.keep or workdir))
    started = time.perf_counter()
    finance = seed(url, suppliers=args.suppliers, lines=args.lines, agreements=args.agreements)
    print(f"{backend:10} seeded {args.lines:,} lines in {time.perf_counter() - started:.0f} s")
    if args.keep:
        marker.write_text(f"{url} {finance}")
    return url, finance, not args.keep


def measure(backend: str, template: str, finance: int, args: argparse.Namespace, workdir: Path) -> None:
    def on_a_copy(call: Callable[..., Run], *extra) -> Callable[[], Run]:
        def run() -> Run:
            url = clone_database(template, args.pg_url, workdir)
            try:
                result = in_child(call, url, *extra)
                if call is generate:
                    check(url, suppliers=args.suppliers)
                return result
            finally:
                drop_database(url, args.pg_url)
        return run

    runs = alternate({"baseline": on_a_copy(baseline), "generate": on_a_copy(generate, finance)},
                     repeats=args.repeats, warm_up=args.warm_up)
    for name, times in runs.items():
        for run in times:
            facts = ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in run.fact.items())
            print(f"{backend:10} {name:9} {run.seconds:7.2f} s  load {run.load:5.2f}  ({facts})")
    ratio = median(runs["generate"]) / median(runs["baseline"])
    print(f"{backend:10} median: baseline {median(runs['baseline']):.2f} s, generate {median(runs['generate']):.2f} s"
          f" = x{ratio:.2f} baseline (target under 10 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suppliers", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--agreements", type=int, default=5, help="agreements (items) per supplier")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-warm-up", dest="warm_up", action="store_false",
                        help="count the first round too (each call runs on a fresh copy anyway)")
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--keep", help="directory to keep the seeded databases in, and reuse them from")
    parser.add_argument("--workdir", default=tempfile.gettempdir())
    args = parser.parse_args()
    print(f"load average at start: {load_average():.2f}")
    with tempfile.TemporaryDirectory(dir=args.workdir) as workdir:
        for backend in args.backends.split(","):
            template, finance, made = database(backend, args, Path(workdir))
            try:
                measure(backend, template, finance, args, Path(workdir))
            finally:
                if made:
                    drop_database(template, args.pg_url)
    print(f"load average at end: {load_average():.2f}")


if __name__ == "__main__":
    main()
