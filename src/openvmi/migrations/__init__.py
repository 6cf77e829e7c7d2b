"""Alembic migrations, shipped inside the package so an installed OpenVMI can upgrade itself."""
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

HERE = Path(__file__).parent


def sql_file(path: str) -> str:
    """A versioned SQL file of the package (a database function, as released), relative to
    `openvmi/`. Released versions are never edited, so old migrations replay as they ran."""
    return (HERE.parent / path).read_text(encoding="utf-8")


def replace_function(signature: str, path: str) -> None:
    """In a migration, on PostgreSQL: drop the function `signature` and create it as the versioned file
    `path` writes it, from its CREATE FUNCTION on (a type the file creates before it stays). Sent as the
    driver's text: a function body may hold JSON such as `"id":null`, which is no bind parameter."""
    from alembic import op

    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION {signature}")
        op.get_bind().exec_driver_sql("CREATE FUNCTION" + sql_file(path).split("CREATE FUNCTION", 1)[1])


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


def head_revision() -> str | None:
    return ScriptDirectory(str(HERE)).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()
