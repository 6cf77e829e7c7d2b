"""Running OpenVMI: the database schema, the demo company, the web server and the background worker."""
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from openvmi import migrations
from openvmi.cli.common import console, load_settings, prepare_sqlite_dir, reporting_database_failures, session_factory

commands = typer.Typer()  # top-level commands: `openvmi demo`, `openvmi serve`, `openvmi worker`
db_app = typer.Typer(help="Database schema.")


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    settings = load_settings()
    prepare_sqlite_dir(settings)
    with reporting_database_failures(settings):
        migrations.upgrade(settings.database_url, revision)
    console.print(f"database at migration {migrations.head_revision() if revision == 'head' else revision}")


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Undo migrations down to REVISION ('base' empties the schema)."""
    migrations.downgrade(load_settings().database_url, revision)


@commands.command()
def demo(force: bool = typer.Option(False, help="Load even if the database already has data.")) -> None:
    """Load the demo company (buyer, 2 plants, ~30 suppliers, ~500 items, users for each role)."""
    from openvmi.jobs.demo import DEMO_USERS, has_data, load_demo

    settings = load_settings()
    prepare_sqlite_dir(settings)
    migrations.upgrade(settings.database_url)
    with session_factory(settings)() as session:
        if has_data(session) and not force:
            console.print("the database already has data; demo not loaded (use --force)")
        else:
            summary = load_demo(session, progress=True)
            session.commit()
            console.print(summary)
    _print_logins(DEMO_USERS)


@commands.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default from settings: 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option()] = None,
    load_demo: Annotated[bool, typer.Option("--demo/--no-demo", help="Load the demo company into an empty database.")] = False,
    reload: bool = False,
    embedded_worker: Annotated[bool | None, typer.Option(
        "--worker/--no-worker", help="Deliver notifications and sweep alerts in each server process (default "
        "from settings: yes). Use --no-worker when `openvmi worker` runs as its own service.")] = None,
    workers: Annotated[int | None, typer.Option(min=1, max=64, help=(
        "Server processes (default from settings: one per core, at most 4; one with --reload). A process "
        "answers on one core at a time, so each core needs its own. On SQLite their writes queue for the one "
        "write lock; on PostgreSQL use two per core when requests wait on the database."))] = None,
    access_log: Annotated[bool, typer.Option(
        "--access-log/--no-access-log", help="A line per request on the console (off by default: it costs "
        "each request time, and a reverse proxy in front usually keeps this log).")] = False,
) -> None:
    """Migrate the database and serve the API (and portal) with uvicorn."""
    import os

    import uvicorn

    from openvmi.jobs.demo import DEMO_USERS, has_data
    from openvmi.jobs.demo import load_demo as load

    if embedded_worker is not None:  # the app (built by uvicorn's factory) reads its settings from the environment
        os.environ["OPENVMI_EMBEDDED_WORKER"] = "true" if embedded_worker else "false"
    settings = load_settings()
    if refusal := settings.default_secret_key_refusal():
        console.print(f"[red]error:[/red] {escape(refusal)}", soft_wrap=True)
        raise typer.Exit(code=2)
    prepare_sqlite_dir(settings)
    with reporting_database_failures(settings):
        migrations.upgrade(settings.database_url)
        if load_demo:
            with session_factory(settings)() as session:
                if not has_data(session):
                    console.print("empty database: loading the demo company ...")
                    console.print(load(session, progress=True))
                    session.commit()
    if load_demo:
        _print_logins(DEMO_USERS)
    host, port = host or settings.host, port or settings.port
    if reload and (workers or 1) > 1:
        console.print("[red]error:[/red] --reload serves one process; leave out --workers")
        raise typer.Exit(code=2)
    workers = 1 if reload else workers or settings.serve_processes()
    console.print(f"OpenVMI on http://{host}:{port}/  (API docs: http://{host}:{port}/docs), "
                  + ("1 process" if workers == 1 else f"{workers} processes"))
    # uvloop and httptools (pinned dependencies) are picked by uvicorn's "auto" loop and parser.
    uvicorn.run("openvmi.app:create_served_app", factory=True, host=host, port=port, reload=reload, workers=workers,
                access_log=access_log, timeout_worker_healthcheck=settings.worker_healthcheck_seconds)


@commands.command()
def worker(
    once: Annotated[bool, typer.Option("--once", help="One pass over the due deliveries, then exit.")] = False,
    batch_size: Annotated[int | None, typer.Option(help="Rows claimed per pass (default from settings).")] = None,
) -> None:
    """Deliver notifications from the outbox (e-mail, webhooks), retrying failures with back-off,
    sweep alerts (stale data) and run queued supplier stock imports (as each `serve` process also
    does unless OPENVMI_EMBEDDED_WORKER / OPENVMI_IMPORT_RUNNER are false)."""
    import signal
    import threading

    from openvmi.alerts import queries as alerts_queries
    from openvmi.alerts.delivery import webhook_client
    from openvmi.jobs.background import BackgroundWork
    from openvmi.jobs.imports import ImportRunner
    from openvmi.jobs.worker import deliverable_channels, new_worker_id, run_once

    settings = load_settings()
    if batch_size is not None:
        settings = settings.model_copy(update={"outbox_batch_size": batch_size})
    sessions = session_factory(settings)
    channels = ", ".join(deliverable_channels(settings))
    console.print(f"worker delivering {channels}" + ("" if settings.smtp_host else " (e-mail waits: no SMTP host)"))

    def report(result) -> None:
        from openvmi.db import utcnow

        console.print(f"{utcnow():%H:%M:%S} claimed {result.claimed}: delivered {result.delivered}, "
                      f"retrying {result.retrying}, dead {result.dead}")

    imports = ImportRunner(sessions, settings)
    if once:
        with webhook_client() as client:
            report(run_once(sessions, settings, worker_id=new_worker_id(), client=client))
        console.print(f"queued stock imports run: {imports.run_pending()}")
        with sessions() as session:
            counts = alerts_queries.outbox_counts(session)
        console.print("outbox: " + ", ".join(f"{name} {count}" for name, count in counts.items()))
        return
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    imports.start()
    work = BackgroundWork(sessions, settings, report=report)
    work.start()
    while not stop.wait(1):  # wakes now and then so the signal handlers run
        pass
    work.stop()
    imports.stop()
    console.print("worker stopped")


def _print_logins(users: list[tuple[str, str, str, str | None]]) -> None:
    table = Table(title="Demo log-ins")
    for column in ("username", "password", "role", "supplier"):
        table.add_column(column)
    for username, password, role, supplier in users:
        table.add_row(username, password, role, supplier or "")
    console.print(table)
