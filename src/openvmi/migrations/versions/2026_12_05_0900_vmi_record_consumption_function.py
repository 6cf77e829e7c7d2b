"""vmi: a consumption's happy path in one round trip on PostgreSQL (vmi_record_consumption version 1)

Revision ID: 3f9c2d7e1a05
Revises: 9b4e2a61c7d3
Create Date: 2026-12-05 09:00:00
"""
from alembic import op

from openvmi.migrations import sql_file

revision = '3f9c2d7e1a05'
down_revision = '9b4e2a61c7d3'
branch_labels = None
depends_on = None

_FUNCTION = ("vmi_record_consumption(varchar[], integer[], varchar[], integer[], varchar[], integer[], numeric[], "
             "varchar[], varchar, varchar, varchar, varchar, integer, timestamptz, date, varchar[], integer[], "
             "numeric, boolean)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        type_, function = sql_file("vmi/consumptions/sql/vmi_record_consumption.1.sql").split(";\nCREATE FUNCTION")
        # As the driver's text: the function builds JSON (`"reverses_move_id":null`), not bind parameters.
        op.get_bind().exec_driver_sql(type_)
        op.get_bind().exec_driver_sql("CREATE FUNCTION" + function)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION {_FUNCTION}")
        op.execute("DROP TYPE vmi_consumption_plan_line")
