"""quarantine location kind: damaged or blocked stock, physical but never available

Revision ID: 4f0c1d2e9a3b
Revises: 7c2823053270
Create Date: 2026-11-30 11:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '4f0c1d2e9a3b'
down_revision = '7c2823053270'
branch_labels = None
depends_on = None


OLD_KINDS = "kind IN ('supplier_site', 'vmi', 'warehouse', 'production', 'in_transit', 'virtual')"
NEW_KINDS = "kind IN ('supplier_site', 'vmi', 'warehouse', 'production', 'in_transit', 'quarantine', 'virtual')"


def upgrade() -> None:
    _allow_kinds(NEW_KINDS)


def downgrade() -> None:
    in_use = op.get_bind().scalar(sa.text("SELECT count(*) FROM location WHERE kind = 'quarantine'"))
    if in_use:
        # No other kind is a safe stand-in: blocked stock would become available, or stop counting.
        raise RuntimeError(f"{in_use} quarantine location(s) exist and the older schema cannot hold them; "
                           "give them another kind before downgrading")
    _allow_kinds(OLD_KINDS)


def _allow_kinds(condition: str) -> None:
    # SQLite cannot alter a CHECK: batch mode copies the table (env.py turns foreign keys off for it).
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_location_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_location_kind'), sa.text(condition))
