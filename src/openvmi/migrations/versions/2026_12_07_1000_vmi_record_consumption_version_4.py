"""vmi: vmi_record_consumption version 4, the same rows in fewer statements (PostgreSQL only)

Revision ID: 2d8f4b6a1c93
Revises: 9b2f6d4e8a13
Create Date: 2026-12-07 10:00:00
"""
from openvmi.migrations import replace_function

revision = '2d8f4b6a1c93'
down_revision = '9b2f6d4e8a13'
branch_labels = None
depends_on = None

_FUNCTION = ("vmi_record_consumption(varchar[], integer[], varchar[], integer[], varchar[], integer[], numeric[], "
             "varchar[], varchar, varchar, varchar, varchar, integer, timestamptz, date, varchar[], integer[], "
             "numeric, boolean)")


def upgrade() -> None:
    # version 1's plan-line type, created before the function, stays
    replace_function(_FUNCTION, "vmi/consumptions/sql/vmi_record_consumption.4.sql")


def downgrade() -> None:
    replace_function(_FUNCTION, "vmi/consumptions/sql/vmi_record_consumption.3.sql")
