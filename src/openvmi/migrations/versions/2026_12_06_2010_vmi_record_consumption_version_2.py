"""vmi: vmi_record_consumption version 2, a batch's rows written set-based (PostgreSQL only)

Revision ID: 5e8a2d4c7b19
Revises: 8d3b6f1c2e47
Create Date: 2026-12-06 20:10:00
"""
from openvmi.migrations import replace_function

revision = '5e8a2d4c7b19'
down_revision = '8d3b6f1c2e47'
branch_labels = None
depends_on = None

_FUNCTION = ("vmi_record_consumption(varchar[], integer[], varchar[], integer[], varchar[], integer[], numeric[], "
             "varchar[], varchar, varchar, varchar, varchar, integer, timestamptz, date, varchar[], integer[], "
             "numeric, boolean)")


def upgrade() -> None:
    # version 1's plan-line type, created before the function, stays
    replace_function(_FUNCTION, "vmi/consumptions/sql/vmi_record_consumption.2.sql")


def downgrade() -> None:
    replace_function(_FUNCTION, "vmi/consumptions/sql/vmi_record_consumption.1.sql")
