"""vmi alert kinds: below min, above max, run-out within the lead time, call-off not answered, shipment
overdue, receipt with differences

Revision ID: 7d2c4f9e1a35
Revises: 7285d8506f2b
Create Date: 2026-12-02 16:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '7d2c4f9e1a35'
down_revision = '7285d8506f2b'
branch_labels = None
depends_on = None


OLD_KINDS = "kind IN ('low_stock', 'high_stock', 'stale_data')"
NEW_KINDS = ("kind IN ('low_stock', 'high_stock', 'stale_data', 'vmi_under_min', 'vmi_over_max', 'vmi_run_out', "
             "'vmi_call_off_unanswered', 'vmi_shipment_overdue', 'vmi_receipt_differences')")


def _check(kinds: str) -> None:
    # SQLite cannot alter a CHECK: batch mode copies the table (env.py turns foreign keys off for it).
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_alert_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_alert_kind'), sa.text(kinds))


def upgrade() -> None:
    _check(NEW_KINDS)


def downgrade() -> None:
    in_use = op.get_bind().scalar(sa.text("SELECT count(*) FROM alert WHERE kind LIKE 'vmi%'"))
    if in_use:
        # Alerts are an audit trail (comments, notifications point at them): not ours to delete.
        raise RuntimeError(f"{in_use} VMI alert(s) exist and the older schema cannot hold them")
    _check(OLD_KINDS)
