"""What every command shares: the settings, a session factory, the console and how a command fails."""
from pathlib import Path

import typer
from rich.console import Console

from openvmi.db import create_db_engine, create_session_factory
from openvmi.settings import Settings

console = Console()


def load_settings() -> Settings:
    return Settings()


def session_factory(settings: Settings):
    return create_session_factory(create_db_engine(settings.database_url))


def prepare_sqlite_dir(settings: Settings) -> None:
    """Create the folder of a SQLite database file, so a first start needs no set-up."""
    if settings.database_url.startswith("sqlite:///"):
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def fail(error: Exception) -> typer.Exit:
    """Print the error; the caller raises what this returns, so the command exits with code 2."""
    console.print(f"[red]error:[/red] {error}")
    return typer.Exit(code=2)
