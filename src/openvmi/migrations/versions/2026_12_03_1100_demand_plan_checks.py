"""demand plan checks: a checked plan file is kept for its checker to publish without choosing it again

Revision ID: 5c1e8a7d3b90
Revises: 5c1d8e3a7f20
Create Date: 2026-11-30 17:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

from openvmi.db import UtcDateTime

revision = '5c1e8a7d3b90'
down_revision = '5c1d8e3a7f20'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'demand_plan_check',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=300), nullable=False),
        sa.Column('encoding', sa.String(length=40), nullable=True),
        sa.Column('sheet', sa.String(length=100), nullable=True),
        sa.Column('file_hash', sa.String(length=64), nullable=False),
        sa.Column('line_count', sa.Integer(), nullable=False),
        sa.Column('stored_file', sa.String(length=500), nullable=True),
        sa.Column('kept_until', UtcDateTime(), nullable=False),
        sa.Column('checked_by_id', sa.Integer(), nullable=True),
        sa.Column('checked_at', UtcDateTime(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['checked_by_id'], ['app_user.id'],
                                name=op.f('fk_demand_plan_check_checked_by_id_app_user')),
        sa.ForeignKeyConstraint(['version_id'], ['demand_plan_version.id'],
                                name=op.f('fk_demand_plan_check_version_id_demand_plan_version')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_demand_plan_check')),
    )


def downgrade() -> None:
    op.drop_table('demand_plan_check')
