"""vmi call-offs

Revision ID: b62e58cb7061
Revises: b3d8e61f0a27
Create Date: 2026-12-02 15:00:00
"""
import sqlalchemy as sa
from alembic import op

import openvmi.db


revision = 'b62e58cb7061'
down_revision = 'b3d8e61f0a27'
branch_labels = None
depends_on = None


# Call-offs: header (one supplier), lines (one agreement each), and the history of state changes.


def upgrade() -> None:
    op.create_table('vmi_call_off',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('created_at', openvmi.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', openvmi.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('draft', 'sent', 'accepted', 'rejected', 'counter_proposed', 'partly_shipped', 'shipped', 'closed', 'cancelled')", name=op.f('ck_vmi_call_off_state')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_vmi_call_off_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['supplier_id'], ['party.id'], name=op.f('fk_vmi_call_off_supplier_id_party')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vmi_call_off'))
    )
    with op.batch_alter_table('vmi_call_off', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vmi_call_off_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_vmi_call_off_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('vmi_call_off_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_off_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', openvmi.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.CheckConstraint("action IN ('create', 'send', 'accept', 'reject', 'counter_propose', 'accept_proposal', 'cancel', 'close', 'ship', 'unship')", name=op.f('ck_vmi_call_off_event_action')),
    sa.CheckConstraint("from_state IN ('draft', 'sent', 'accepted', 'rejected', 'counter_proposed', 'partly_shipped', 'shipped', 'closed', 'cancelled')", name=op.f('ck_vmi_call_off_event_from_state')),
    sa.CheckConstraint("to_state IN ('draft', 'sent', 'accepted', 'rejected', 'counter_proposed', 'partly_shipped', 'shipped', 'closed', 'cancelled')", name=op.f('ck_vmi_call_off_event_to_state')),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_vmi_call_off_event_actor_id_app_user')),
    sa.ForeignKeyConstraint(['call_off_id'], ['vmi_call_off.id'], name=op.f('fk_vmi_call_off_event_call_off_id_vmi_call_off'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supplier_id'], ['party.id'], name=op.f('fk_vmi_call_off_event_supplier_id_party')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vmi_call_off_event'))
    )
    with op.batch_alter_table('vmi_call_off_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vmi_call_off_event_call_off_id'), ['call_off_id'], unique=False)

    op.create_table('vmi_call_off_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_off_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('proposed_quantity', sa.Numeric(precision=18, scale=6), nullable=True),
    sa.Column('proposed_due_date', sa.Date(), nullable=True),
    sa.Column('shipped_quantity', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.CheckConstraint('proposed_quantity IS NULL OR proposed_quantity > 0', name=op.f('ck_vmi_call_off_line_proposed_quantity_positive')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_vmi_call_off_line_quantity_positive')),
    sa.CheckConstraint('shipped_quantity >= 0', name=op.f('ck_vmi_call_off_line_shipped_not_negative')),
    sa.ForeignKeyConstraint(['agreement_id'], ['vmi_agreement.id'], name=op.f('fk_vmi_call_off_line_agreement_id_vmi_agreement')),
    sa.ForeignKeyConstraint(['call_off_id'], ['vmi_call_off.id'], name=op.f('fk_vmi_call_off_line_call_off_id_vmi_call_off'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supplier_id'], ['party.id'], name=op.f('fk_vmi_call_off_line_supplier_id_party')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vmi_call_off_line'))
    )
    with op.batch_alter_table('vmi_call_off_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vmi_call_off_line_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vmi_call_off_line_call_off_id'), ['call_off_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vmi_call_off_line_supplier_id'), ['supplier_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('vmi_call_off_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vmi_call_off_line_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_vmi_call_off_line_call_off_id'))
        batch_op.drop_index(batch_op.f('ix_vmi_call_off_line_agreement_id'))

    op.drop_table('vmi_call_off_line')
    with op.batch_alter_table('vmi_call_off_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vmi_call_off_event_call_off_id'))

    op.drop_table('vmi_call_off_event')
    with op.batch_alter_table('vmi_call_off', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vmi_call_off_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_vmi_call_off_state'))

    op.drop_table('vmi_call_off')