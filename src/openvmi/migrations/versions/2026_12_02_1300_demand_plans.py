"""demand plans: versions and their lines

Revision ID: 3b8e6d1f9a24
Revises: 3e9b6d2a8c14
Create Date: 2026-12-01 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

from openvmi.db import UtcDateTime

revision = '3b8e6d1f9a24'
down_revision = '3e9b6d2a8c14'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'demand_plan_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('filename', sa.String(length=300), nullable=True),
        sa.Column('line_count', sa.Integer(), nullable=False),
        sa.Column('idempotency_key', sa.String(length=300), nullable=True),
        sa.Column('request_hash', sa.String(length=64), nullable=False),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.Column('published_at', UtcDateTime(), nullable=False),
        sa.CheckConstraint("source IN ('upload', 'api')", name=op.f('ck_demand_plan_version_source')),
        sa.ForeignKeyConstraint(['published_by_id'], ['app_user.id'],
                                name=op.f('fk_demand_plan_version_published_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_demand_plan_version')),
        sa.UniqueConstraint('idempotency_key', name=op.f('uq_demand_plan_version_idempotency_key')),
        sa.UniqueConstraint('number', name=op.f('uq_demand_plan_version_number')),
    )
    op.create_table(
        'demand_plan_line',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('plant_id', sa.Integer(), nullable=False),
        sa.Column('bucket', sa.String(length=10), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('week_start', sa.Date(), nullable=False),
        sa.Column('quantity', sa.Numeric(precision=18, scale=6), nullable=False),
        sa.CheckConstraint('quantity >= 0', name=op.f('ck_demand_plan_line_quantity_not_negative')),
        sa.CheckConstraint("bucket IN ('day', 'week')", name=op.f('ck_demand_plan_line_bucket')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_demand_plan_line')),
        sa.UniqueConstraint('version_id', 'item_id', 'plant_id', 'day',
                            name=op.f('uq_demand_plan_line_version_id_item_id_plant_id_day')),
    )
    op.create_index('ix_demand_plan_line_version_day', 'demand_plan_line', ['version_id', 'day'])


def downgrade() -> None:
    op.drop_index('ix_demand_plan_line_version_day', table_name='demand_plan_line')
    op.drop_table('demand_plan_line')
    op.drop_table('demand_plan_version')
