"""vmi: vmi_record_consumption version 5, every balance and layer through its index (PostgreSQL only)

Revision ID: 6e1b9c3f5a28
Revises: 2d8f4b6a1c93
Create Date: 2026-12-08 10:00:00
"""
from openvmi.migrations import replace_function

revision = '6e1b9c3f5a28'
down_revision = '2d8f4b6a1c93'
branch_labels = None
depends_on = None

_FUNCTION = ("vmi_record_consumption(varchar[], integer[], varchar[], integer[], varchar[], integer[], numeric[], "
             "varchar[], varchar, varchar, varchar, varchar, integer, timestamptz, date, varchar[], integer[], "
             "numeric, boolean)")


def upgrade() -> None:
    # version 1's plan-line type, created before the function, stays
    replace_function(_FUNCTION, "vmi/consumptions/sql/vmi_record_consumption.5.sql")


def downgrade() -> None:
    replace_function(_FUNCTION, "vmi/consumptions/sql/vmi_record_consumption.4.sql")
