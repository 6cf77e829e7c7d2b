"""vmi: vmi_record_consumption version 3, a single line on cached generic plans (PostgreSQL only)

Revision ID: 7c4e1a9d3b60
Revises: 5e8a2d4c7b19
Create Date: 2026-12-06 23:50:00
"""
from alembic import op

from openvmi.migrations import sql_file

revision = '7c4e1a9d3b60'
down_revision = '5e8a2d4c7b19'
branch_labels = None
depends_on = None

_FUNCTION = ("vmi_record_consumption(varchar[], integer[], varchar[], integer[], varchar[], integer[], numeric[], "
             "varchar[], varchar, varchar, varchar, varchar, integer, timestamptz, date, varchar[], integer[], "
             "numeric, boolean)")


def upgrade() -> None:
    _replace_with("vmi/consumptions/sql/vmi_record_consumption.3.sql")


def downgrade() -> None:
    _replace_with("vmi/consumptions/sql/vmi_record_consumption.2.sql")


def _replace_with(path: str) -> None:
    """The function as `path` writes it; version 1's plan-line type, created before it, stays."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION {_FUNCTION}")
        # As the driver's text: the function builds JSON (`"reverses_move_id":null`), not bind parameters.
        op.get_bind().exec_driver_sql("CREATE FUNCTION" + sql_file(path).split("CREATE FUNCTION", 1)[1])
