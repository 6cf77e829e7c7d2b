"""vmi: vmi_record_consumption version 3, a single line on cached generic plans (PostgreSQL only)

Revision ID: 7c4e1a9d3b60
Revises: 5e8a2d4c7b19
Create Date: 2026-12-06 23:50:00
"""
from openvmi.migrations import replace_function

revision = '7c4e1a9d3b60'
down_revision = '5e8a2d4c7b19'
branch_labels = None
depends_on = None

_FUNCTION = ("vmi_record_consumption(varchar[], integer[], varchar[], integer[], varchar[], integer[], numeric[], "
             "varchar[], varchar, varchar, varchar, varchar, integer, timestamptz, date, varchar[], integer[], "
             "numeric, boolean)")


def upgrade() -> None:
    # version 1's plan-line type, created before the function, stays
    replace_function(_FUNCTION, "vmi/consumptions/sql/vmi_record_consumption.3.sql")


def downgrade() -> None:
    replace_function(_FUNCTION, "vmi/consumptions/sql/vmi_record_consumption.2.sql")
