"""login throttle per account and address

Revision ID: 5c2d8e41a7b3
Revises: 9e3a51c7d2f4
Create Date: 2026-12-01 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import openvmi.db


revision = '5c2d8e41a7b3'
down_revision = '9e3a51c7d2f4'
branch_labels = None
depends_on = None

# The account-wide lock (app_user.failed_logins, locked_until) let anyone keep a user out from any
# address; the throttle now counts per account and client address (auth.rules). Running pauses
# are not carried over: they end within minutes anyway.


def upgrade() -> None:
    op.create_table('login_throttle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', openvmi.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', openvmi.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_login_throttle_user_id_app_user'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_throttle')),
    sa.UniqueConstraint('user_id', 'address', name=op.f('uq_login_throttle_user_id_address'))
    )
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('locked_until')


def downgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_until', openvmi.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.alter_column('failed_logins', server_default=None)
    op.drop_table('login_throttle')
