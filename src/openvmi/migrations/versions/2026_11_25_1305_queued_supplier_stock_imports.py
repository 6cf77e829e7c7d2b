"""queued supplier stock imports

Revision ID: 7c2823053270
Revises: 335ec1e1aa00
Create Date: 2026-11-25 13:05:44.173711
"""
from alembic import op
import sqlalchemy as sa
import openvmi.db


revision = '7c2823053270'
down_revision = '335ec1e1aa00'
branch_labels = None
depends_on = None


OLD_STATUSES = "status IN ('rejected', 'previewed', 'applied')"
NEW_STATUSES = "status IN ('queued', 'running', 'rejected', 'previewed', 'applied', 'failed')"


def upgrade() -> None:
    with op.batch_alter_table('supplier_stock_import', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stored_file', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('options', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', openvmi.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.drop_constraint(batch_op.f('ck_supplier_stock_import_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_supplier_stock_import_status'), sa.text(NEW_STATUSES))
    with op.batch_alter_table('supplier_stock_import', schema=None) as batch_op:
        batch_op.alter_column('attempts', server_default=None)  # the model sets it


def downgrade() -> None:
    op.execute("DELETE FROM supplier_stock_import WHERE status IN ('queued', 'running', 'failed')")
    with op.batch_alter_table('supplier_stock_import', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_supplier_stock_import_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_supplier_stock_import_status'), sa.text(OLD_STATUSES))
        batch_op.drop_column('attempts')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('options')
        batch_op.drop_column('stored_file')
