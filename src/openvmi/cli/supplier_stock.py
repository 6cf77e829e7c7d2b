"""Supplier stock from the shell: import a stock file, and the alert sweep cron runs."""
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from openvmi.cli.common import console, fail, load_settings, session_factory
from openvmi.errors import DomainError

import_app = typer.Typer(help="Bulk data in.")
alerts_app = typer.Typer(help="Alerts.")


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
    from pydantic import ValidationError
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from openvmi.errors import InvalidImportFile
    from openvmi.jobs.supplier_stock import import_file
    from openvmi.tabular.xlsx_archive import XlsxLimits
    from openvmi.supplier_stock.rules import ImportMode
    from openvmi.supplier_stock.schemas import ImportRequest

    if mode not in ImportMode.values():
        raise fail(DomainError(f"--mode must be {' or '.join(ImportMode.values())}"))
    try:
        request = ImportRequest(supplier_code=supplier, filename=file.name, mode=mode, dry_run=dry_run,
                                encoding=encoding, sheet=sheet)
    except ValidationError as error:
        raise fail(DomainError("; ".join(f"--{'-'.join(str(p) for p in e['loc'])}: {e['msg']}"
                                         for e in error.errors()))) from None
    columns = [TextColumn("checking {task.fields[name]}"), BarColumn(), TimeRemainingColumn()]
    if not file.name.lower().endswith((".xlsx", ".xlsm")):
        columns.insert(2, DownloadColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("import", total=None, name=file.name)
        try:
            settings = load_settings()
            outcome = import_file(session_factory(settings), file, request, idempotency_key=idempotency_key,
                                  progress=lambda done, total: bar.update(task, completed=done, total=total),
                                  xlsx_limits=XlsxLimits.from_settings(settings))
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
            raise fail(error) from error
    batch = outcome.batch
    verb = "replayed (nothing changed)" if outcome.replayed else batch.status
    console.print(f"import {batch.id} {verb}: {batch.row_count} rows, {batch.new_count} new, {batch.changed_count} "
                  f"changed, {batch.unchanged_count} unchanged, {batch.zeroed_count} set to zero")


@alerts_app.command("sweep")
def alerts_sweep() -> None:
    """Raise stale-data alerts, re-check thresholds for every supplier and the VMI agreements' min, max
    and run-out (run it from cron)."""
    from openvmi.jobs.alerts import sweep_every_alert

    result = sweep_every_alert(session_factory(load_settings()))
    console.print(f"alerts: {result.opened} opened, {result.resolved} resolved, {result.unchanged} unchanged")
