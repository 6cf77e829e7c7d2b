"""vmi consumptions: the document production withdraws VMI stock with, and a line per ownership move

Revision ID: e6a2c9d4b813
Revises: 8b3e5d1c2a47
Create Date: 2026-11-30 17:01:58.804972
"""
import sqlalchemy as sa
from alembic import op

import openvmi.db


revision = 'e6a2c9d4b813'
down_revision = '8b3e5d1c2a47'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('vmi_consumption',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=True),
    sa.Column('caller_key', sa.String(length=60), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', openvmi.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_vmi_consumption_created_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vmi_consumption')),
    sa.UniqueConstraint('caller_key', 'idempotency_key', name=op.f('uq_vmi_consumption_caller_key_idempotency_key'))
    )
    op.create_table('vmi_consumption_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consumption_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('production_location_id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('move_id', sa.Integer(), nullable=False),
    sa.Column('settlement_line_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_vmi_consumption_line_quantity_positive')),
    sa.ForeignKeyConstraint(['agreement_id'], ['vmi_agreement.id'], name=op.f('fk_vmi_consumption_line_agreement_id_vmi_agreement')),
    sa.ForeignKeyConstraint(['buyer_id'], ['party.id'], name=op.f('fk_vmi_consumption_line_buyer_id_party')),
    sa.ForeignKeyConstraint(['consumption_id'], ['vmi_consumption.id'], name=op.f('fk_vmi_consumption_line_consumption_id_vmi_consumption')),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_vmi_consumption_line_item_id_item')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_vmi_consumption_line_location_id_location')),
    sa.ForeignKeyConstraint(['move_id'], ['stock_move.id'], name=op.f('fk_vmi_consumption_line_move_id_stock_move')),
    sa.ForeignKeyConstraint(['production_location_id'], ['location.id'], name=op.f('fk_vmi_consumption_line_production_location_id_location')),
    sa.ForeignKeyConstraint(['settlement_line_id'], ['settlement_line.id'], name=op.f('fk_vmi_consumption_line_settlement_line_id_settlement_line')),
    sa.ForeignKeyConstraint(['supplier_id'], ['party.id'], name=op.f('fk_vmi_consumption_line_supplier_id_party')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vmi_consumption_line')),
    sa.UniqueConstraint('move_id', name=op.f('uq_vmi_consumption_line_move_id')),
    sa.UniqueConstraint('settlement_line_id', name=op.f('uq_vmi_consumption_line_settlement_line_id'))
    )
    with op.batch_alter_table('vmi_consumption_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vmi_consumption_line_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vmi_consumption_line_consumption_id'), ['consumption_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vmi_consumption_line_supplier_id'), ['supplier_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('vmi_consumption_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vmi_consumption_line_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_vmi_consumption_line_consumption_id'))
        batch_op.drop_index(batch_op.f('ix_vmi_consumption_line_agreement_id'))

    op.drop_table('vmi_consumption_line')
    op.drop_table('vmi_consumption')
