"""site aliases and kept dry runs

Revision ID: 3e8b6d1f4a27
Revises: 3e9b7d2a4c61
Create Date: 2026-12-02 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import openvmi.db


revision = '3e8b6d1f4a27'
down_revision = '3e9b7d2a4c61'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'site_alias',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('supplier_id', sa.Integer(), nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('alias', sa.String(length=200), nullable=False),
        sa.Column('match_key', sa.String(length=200), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', openvmi.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['supplier_id'], ['party.id'], name=op.f('fk_site_alias_supplier_id_party')),
        sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_site_alias_location_id_location')),
        sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'],
                                name=op.f('fk_site_alias_created_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_site_alias')),
        sa.UniqueConstraint('supplier_id', 'match_key', name=op.f('uq_site_alias_supplier_id_match_key')),
    )
    op.create_index(op.f('ix_site_alias_location_id'), 'site_alias', ['location_id'], unique=False)
    with op.batch_alter_table('supplier_stock_import', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kept_until', openvmi.db.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('supplier_stock_import', schema=None) as batch_op:
        batch_op.drop_column('kept_until')
    op.drop_index(op.f('ix_site_alias_location_id'), table_name='site_alias')
    op.drop_table('site_alias')
