"""alert kind check

Revision ID: 4b1e9d7c2a60
Revises: c4d1e7a90b12
Create Date: 2026-11-30 11:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '4b1e9d7c2a60'
down_revision = 'c4d1e7a90b12'
branch_labels = None
depends_on = None


# As the alerts.rules.AlertKind enum lists them today; tests/migrations/test_enum_checks.py holds
# the deployed CHECK to the enum, so a new kind needs a migration of its own.
KINDS = "kind IN ('low_stock', 'high_stock', 'stale_data')"


def upgrade() -> None:
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f('ck_alert_kind'), sa.text(KINDS))


def downgrade() -> None:
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_alert_kind'), type_='check')
