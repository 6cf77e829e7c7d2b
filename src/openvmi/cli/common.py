"""What every command shares: the settings, a session factory, the console and how a command fails."""
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from openvmi.db import create_db_engine, create_session_factory, database_failure
from openvmi.settings import Settings

console = Console()


def load_settings() -> Settings:
    return Settings()


def session_factory(settings: Settings):
    return create_session_factory(create_db_engine(settings.database_url, **settings.engine_options(web=False)))


def prepare_sqlite_dir(settings: Settings) -> None:
    """Create the folder of a SQLite database file, so a first start needs no set-up."""
    if settings.database_url.startswith("sqlite:///"):
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def fail(error: Exception) -> typer.Exit:
    """Print the error; the caller raises what this returns, so the command exits with code 2."""
    console.print(f"[red]error:[/red] {error}")
    return typer.Exit(code=2)


@contextmanager
def reporting_database_failures(settings: Settings) -> Iterator[None]:
    """A database that is down, unreachable or busy ends the command with one line saying so and a
    hint, exit code 2, instead of a traceback; any other error propagates."""
    try:
        yield
    except SQLAlchemyError as error:
        failure = database_failure(error)
        if failure is None:
            raise
        url = make_url(settings.database_url).render_as_string(hide_password=True)
        reason = (str(getattr(error, "orig", error)).strip().splitlines() or [type(error).__name__])[0]
        what = "is busy" if failure == "busy" else "cannot be reached"
        console.print(f"[red]error:[/red] the database {escape(url)} {what}: {escape(reason)}", soft_wrap=True)
        console.print("hint: start the database server, or set OPENVMI_DATABASE_URL to one that runs "
                      "(without it OpenVMI uses the embedded SQLite file var/openvmi.db)", soft_wrap=True)
        raise typer.Exit(code=2) from None
