"""The `openvmi` command: serve, migrate, demo data, users and tokens. Each command commits once."""
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from openvmi import migrations
from openvmi.access import Role
from openvmi.auth import queries as auth_queries
from openvmi.auth import service as auth_service
from openvmi.auth.schemas import TokenCreate, UserCreate
from openvmi.db import create_db_engine, create_session_factory
from openvmi.errors import DomainError
from openvmi.locations.rules import LocationKind
from openvmi.settings import Settings

app = typer.Typer(help="OpenVMI: supplier-collaboration inventory.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.")
user_app = typer.Typer(help="Users.")
token_app = typer.Typer(help="API tokens for ERP/MES integration.")
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
console = Console()


def _settings() -> Settings:
    return Settings()


def _sessions(settings: Settings):
    return create_session_factory(create_db_engine(settings.database_url))


def _prepare_sqlite_dir(settings: Settings) -> None:
    if settings.database_url.startswith("sqlite:///"):
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    settings = _settings()
    _prepare_sqlite_dir(settings)
    migrations.upgrade(settings.database_url, revision)
    console.print(f"database at migration {migrations.head_revision() if revision == 'head' else revision}")


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Undo migrations down to REVISION ('base' empties the schema)."""
    migrations.downgrade(_settings().database_url, revision)


@app.command()
def demo(force: bool = typer.Option(False, help="Load even if the database already has data.")) -> None:
    """Load the demo company (buyer, 2 plants, ~30 suppliers, ~500 items, users for each role)."""
    from openvmi.jobs.demo import DEMO_USERS, has_data, load_demo

    settings = _settings()
    _prepare_sqlite_dir(settings)
    migrations.upgrade(settings.database_url)
    with _sessions(settings)() as session:
        if has_data(session) and not force:
            console.print("the database already has data; demo not loaded (use --force)")
        else:
            summary = load_demo(session, progress=True)
            session.commit()
            console.print(summary)
    _print_logins(DEMO_USERS)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default from settings: 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option()] = None,
    load_demo: Annotated[bool, typer.Option("--demo/--no-demo", help="Load the demo company into an empty database.")] = False,
    reload: bool = False,
) -> None:
    """Migrate the database and serve the API (and portal) with uvicorn."""
    import uvicorn

    from openvmi.jobs.demo import DEMO_USERS, has_data
    from openvmi.jobs.demo import load_demo as load

    settings = _settings()
    _prepare_sqlite_dir(settings)
    migrations.upgrade(settings.database_url)
    if load_demo:
        with _sessions(settings)() as session:
            if not has_data(session):
                console.print("empty database: loading the demo company ...")
                console.print(load(session, progress=True))
                session.commit()
        _print_logins(DEMO_USERS)
    host, port = host or settings.host, port or settings.port
    console.print(f"OpenVMI on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    uvicorn.run("openvmi.app:create_app", factory=True, host=host, port=port, reload=reload)


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[Role, typer.Option(help="admin, buyer, warehouse, finance or supplier")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    display_name: Annotated[str | None, typer.Option()] = None,
    supplier: Annotated[str | None, typer.Option(help="Supplier code (supplier users only).")] = None,
    email: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Add a user."""
    with _sessions(_settings())() as session:
        try:
            user = auth_service.create_user(session, UserCreate(
                username=username, display_name=display_name or username, password=password,
                role=role, supplier_code=supplier, email=email))
        except DomainError as error:
            raise _fail(error) from error
        session.commit()
        console.print(f"user {user.username} ({user.role}) created, id {user.id}")


@token_app.command("create")
def token_create(
    username: Annotated[str, typer.Option("--user", help="The user the token acts as.")],
    name: Annotated[str, typer.Option(help="What the token is for, e.g. 'SAP nightly export'.")],
    expires_in_days: Annotated[int | None, typer.Option()] = None,
) -> None:
    """Create an integration token; its secret is printed once."""
    with _sessions(_settings())() as session:
        user = auth_queries.find_user_by_username(session, username)
        if user is None:
            raise _fail(DomainError(f"no such user: {username}"))
        issued = auth_service.create_api_token(session, TokenCreate(name=name, expires_in_days=expires_in_days),
                                               owner=user)
        session.commit()
    console.print(f"token {issued.id} for {username}: [bold]{issued.token}[/bold]  (shown once)")


@token_app.command("revoke")
def token_revoke(token_id: int) -> None:
    """Revoke a token at once."""
    from openvmi.auth.models import ApiToken
    from openvmi.db import utcnow

    with _sessions(_settings())() as session:
        token = session.scalar(select(ApiToken).where(ApiToken.id == token_id))
        if token is None:
            raise _fail(DomainError(f"no such token: {token_id}"))
        token.revoked_at = token.revoked_at or utcnow()
        session.commit()
    console.print(f"token {token_id} revoked")


# -- master data: the same use cases as the API, for scripted set-up -------------------------------

supplier_app = typer.Typer(help="Suppliers (and the buying company).")
plant_app = typer.Typer(help="Plants of the buying company.")
item_app = typer.Typer(help="The item master.")
supplier_item_app = typer.Typer(help="What each supplier supplies: part number, lead time, MOQ, price.")
location_app = typer.Typer(help="Stock locations.")
app.add_typer(supplier_app, name="supplier")
app.add_typer(plant_app, name="plant")
app.add_typer(item_app, name="item")
app.add_typer(supplier_item_app, name="supplier-item")
app.add_typer(location_app, name="location")


def _run_use_case(use_case, describe) -> None:  # noqa: ANN001 - small local helper
    """Run one use case in its own transaction; bad input is printed field by field, exit code 2."""
    from pydantic import ValidationError

    with _sessions(_settings())() as session:
        try:
            row = use_case(session)
        except ValidationError as error:
            for problem in error.errors():
                console.print(f"[red]error:[/red] {'.'.join(map(str, problem['loc'])) or 'input'}: {problem['msg']}")
            raise typer.Exit(code=2) from None
        except DomainError as error:
            raise _fail(error) from error
        session.commit()
        console.print(describe(row))


@supplier_app.command("add")
def supplier_add(code: str, name: str, country: Annotated[str | None, typer.Option()] = None,
                 email: Annotated[str | None, typer.Option()] = None,
                 stale_after_days: Annotated[int, typer.Option(help="Days without a stock update before a stale-data alert.")] = 7,
                 buyer: Annotated[bool, typer.Option("--buyer", help="Register the buying company instead.")] = False) -> None:
    """Register a supplier (or, with --buyer, the buying company)."""
    from openvmi.parties import service
    from openvmi.parties.schemas import PartyCreate

    _run_use_case(lambda session: service.create_party(session, PartyCreate(
        code=code, name=name, kind="buyer" if buyer else "supplier", country=country, contact_email=email,
        stale_after_days=stale_after_days)), lambda party: f"{party.kind} {party.code} created, id {party.id}")


@supplier_app.command("list")
def supplier_list(search: Annotated[str | None, typer.Option("--search", "-q")] = None) -> None:
    """List suppliers, optionally filtered by code or name."""
    from openvmi.parties import queries

    with _sessions(_settings())() as session:
        page = queries.list_parties(session, kind="supplier", search=search, cursor=None, limit=500)
    table = Table("code", "name", "country", "stale after (days)")
    for party in page.items:
        table.add_row(party.code, party.name, party.country or "", str(party.stale_after_days))
    console.print(table)


@plant_app.command("add")
def plant_add(code: str, name: str, address: Annotated[str | None, typer.Option()] = None) -> None:
    """Add a plant of the buying company."""
    from openvmi.parties import service
    from openvmi.parties.schemas import PlantCreate

    _run_use_case(lambda session: service.create_plant(session, PlantCreate(code=code, name=name, address=address)),
                  lambda plant: f"plant {plant.code} created, id {plant.id}")


@item_app.command("add")
def item_add(code: str, name: str, unit: Annotated[str, typer.Option(help="Unit of measure, e.g. PCS, KG, M.")],
             category: Annotated[str | None, typer.Option()] = None,
             low_water: Annotated[str | None, typer.Option(help="Default low-water threshold for every supplier.")] = None) -> None:
    """Add an item to the item master."""
    from openvmi.catalog import service
    from openvmi.catalog.schemas import ItemCreate

    _run_use_case(lambda session: service.create_item(session, ItemCreate(
        code=code, name=name, unit=unit, category=category, default_low_water=low_water)),
        lambda item: f"item {item.code} created, id {item.id}")


@supplier_item_app.command("add")
def supplier_item_add(
    supplier: Annotated[str, typer.Option(help="Supplier code.")],
    item: Annotated[str, typer.Option(help="Item code.")],
    part_number: Annotated[str, typer.Option(help="The supplier's own part number.")],
    lead_time_days: Annotated[int, typer.Option()] = 0,
    moq: Annotated[str, typer.Option(help="Minimum order quantity.")] = "0",
    pack_size: Annotated[str, typer.Option()] = "1",
    price: Annotated[str | None, typer.Option(help="Price per unit, valid from --valid-from.")] = None,
    currency: Annotated[str, typer.Option()] = "CNY",
    valid_from: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today).")] = None,
) -> None:
    """Record that a supplier supplies an item, with its terms and an opening price."""
    from datetime import date

    from openvmi.catalog import service
    from openvmi.catalog.schemas import PriceCreate, SupplierItemCreate

    def use_case(session):  # noqa: ANN001, ANN202
        prices = [] if price is None else [PriceCreate(price=price, currency=currency,
                                                       valid_from=valid_from or date.today())]
        return service.create_supplier_item(session, SupplierItemCreate(
            supplier_code=supplier, item_code=item, supplier_part_number=part_number,
            lead_time_days=lead_time_days, moq=moq, pack_size=pack_size, prices=prices))

    _run_use_case(use_case, lambda row: f"supplier item {supplier}/{item} ({part_number}) created, id {row.id}")


@location_app.command("add")
def location_add(code: str, name: str,
                 kind: Annotated[str, typer.Option(help=", ".join(LocationKind.values()))],
                 plant: Annotated[str | None, typer.Option(help="Plant code (buyer-side locations).")] = None,
                 supplier: Annotated[str | None, typer.Option(help="Supplier code (supplier sites only).")] = None) -> None:
    """Add a stock location."""
    from openvmi.locations import service
    from openvmi.locations.schemas import LocationCreate

    _run_use_case(lambda session: service.create_location(session, LocationCreate(
        code=code, name=name, kind=kind, plant_code=plant, supplier_code=supplier)),
        lambda location: f"location {location.code} ({location.kind}) created, id {location.id}")


@app.command()
def worker(
    once: Annotated[bool, typer.Option("--once", help="One pass over the due deliveries, then exit.")] = False,
    batch_size: Annotated[int | None, typer.Option(help="Rows claimed per pass (default from settings).")] = None,
) -> None:
    """Deliver notifications from the outbox (e-mail, webhooks), retrying failures with back-off,
    and run queued supplier stock imports (as each `serve` process also does)."""
    import signal
    import threading

    import httpx

    from openvmi.alerts import queries as alerts_queries
    from openvmi.jobs.imports import ImportRunner
    from openvmi.jobs.worker import deliverable_channels, new_worker_id, run_forever, run_once

    settings = _settings()
    if batch_size is not None:
        settings = settings.model_copy(update={"outbox_batch_size": batch_size})
    sessions = _sessions(settings)
    channels = ", ".join(deliverable_channels(settings))
    console.print(f"worker delivering {channels}" + ("" if settings.smtp_host else " (e-mail waits: no SMTP host)"))

    def report(result) -> None:
        from openvmi.db import utcnow

        console.print(f"{utcnow():%H:%M:%S} claimed {result.claimed}: delivered {result.delivered}, "
                      f"retrying {result.retrying}, dead {result.dead}")

    imports = ImportRunner(sessions, settings)
    if once:
        with httpx.Client(follow_redirects=False) as client:
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
    run_forever(sessions, settings, stop=stop, report=report)
    imports.stop()
    console.print("worker stopped")


import_app = typer.Typer(help="Bulk data in.")
alerts_app = typer.Typer(help="Alerts.")
app.add_typer(import_app, name="import")
app.add_typer(alerts_app, name="alerts")


@import_app.command("supplier-stock")
def import_supplier_stock(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV or XLSX file.")],
    supplier: Annotated[str, typer.Option(help="Supplier code, e.g. S-NBHD.")],
    mode: Annotated[str, typer.Option(help="full: a snapshot per site (missing lines go to zero); delta: only these rows.")] = "full",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and count the changes; write no stock.")] = False,
    encoding: Annotated[str | None, typer.Option(help="e.g. gbk (detected when left out).")] = None,
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet (the first by default).")] = None,
    idempotency_key: Annotated[str | None, typer.Option(help="A retry with the same key changes nothing.")] = None,
) -> None:
    """Import a supplier's stock file: checked whole, then applied all or nothing."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from openvmi.errors import InvalidImportFile
    from openvmi.jobs.supplier_stock import import_file
    from openvmi.supplier_stock.rules import ImportMode
    from openvmi.supplier_stock.schemas import ImportRequest

    if mode not in ImportMode.values():
        raise _fail(DomainError(f"--mode must be {' or '.join(ImportMode.values())}"))
    request = ImportRequest(supplier_code=supplier, filename=file.name, mode=mode, dry_run=dry_run,
                            encoding=encoding, sheet=sheet)
    columns = [TextColumn("checking {task.fields[name]}"), BarColumn(), TimeRemainingColumn()]
    if not file.name.lower().endswith((".xlsx", ".xlsm")):
        columns.insert(2, DownloadColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("import", total=None, name=file.name)
        try:
            outcome = import_file(_sessions(_settings()), file, request, idempotency_key=idempotency_key,
                                  progress=lambda done, total: bar.update(task, completed=done, total=total))
        except InvalidImportFile as error:
            bar.stop()
            table = Table(title=f"{error.error_count} problem(s); nothing was imported (import {error.import_id})")
            for column in ("row", "column", "reason", "value"):
                table.add_column(column)
            for row_error in error.errors[:50]:
                table.add_row(str(row_error.row or ""), row_error.column or "", row_error.reason, row_error.value or "")
            console.print(table)
            raise typer.Exit(code=2) from None
        except DomainError as error:
            raise _fail(error) from error
    batch = outcome.batch
    verb = "replayed (nothing changed)" if outcome.replayed else batch.status
    console.print(f"import {batch.id} {verb}: {batch.row_count} rows, {batch.new_count} new, {batch.changed_count} "
                  f"changed, {batch.unchanged_count} unchanged, {batch.zeroed_count} set to zero")


@alerts_app.command("sweep")
def alerts_sweep() -> None:
    """Raise stale-data alerts and re-check thresholds for every supplier (run it from cron)."""
    from openvmi.jobs.supplier_stock import sweep_alerts

    result = sweep_alerts(_sessions(_settings()))
    console.print(f"alerts: {result.opened} opened, {result.resolved} resolved, {result.unchanged} unchanged")


def _print_logins(users: list[tuple[str, str, str, str | None]]) -> None:
    table = Table(title="Demo log-ins")
    for column in ("username", "password", "role", "supplier"):
        table.add_column(column)
    for username, password, role, supplier in users:
        table.add_row(username, password, role, supplier or "")
    console.print(table)


def _fail(error: Exception) -> typer.Exit:
    console.print(f"[red]error:[/red] {error}")
    return typer.Exit(code=2)


if __name__ == "__main__":
    app()
