"""settlement lines

Revision ID: 5c1d8e3a7f20
Revises: 7d2c4f9e1a35
Create Date: 2026-12-03 10:00:00
"""
import sqlalchemy as sa
from alembic import op

import openvmi.db


revision = '5c1d8e3a7f20'
down_revision = '7d2c4f9e1a35'
branch_labels = None
depends_on = None


# One settlement line per ownership move (consumption, buyout) and per reversal of one.


def upgrade() -> None:
    op.create_table('settlement_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('supplier_item_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('move_id', sa.Integer(), nullable=False),
    sa.Column('reverses_line_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('unit_price', openvmi.db.Money(precision=18, scale=6), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('tax_rate_percent', sa.Numeric(precision=7, scale=4), nullable=False),
    sa.Column('net_amount', openvmi.db.Money(precision=18, scale=6), nullable=False),
    sa.Column('price_day', sa.Date(), nullable=False),
    sa.Column('occurred_at', openvmi.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(kind = 'reversal') = (quantity < 0)", name=op.f('ck_settlement_line_sign_follows_kind')),
    sa.CheckConstraint("(kind = 'reversal') = (reverses_line_id IS NOT NULL)", name=op.f('ck_settlement_line_reversal_names_its_line')),
    sa.CheckConstraint("kind IN ('consumption', 'reversal', 'buyout')", name=op.f('ck_settlement_line_kind')),
    sa.CheckConstraint('quantity <> 0', name=op.f('ck_settlement_line_quantity_not_zero')),
    sa.CheckConstraint('unit_price >= 0', name=op.f('ck_settlement_line_unit_price_not_negative')),
    sa.ForeignKeyConstraint(['agreement_id'], ['vmi_agreement.id'], name=op.f('fk_settlement_line_agreement_id_vmi_agreement')),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_settlement_line_item_id_item')),
    sa.ForeignKeyConstraint(['move_id'], ['stock_move.id'], name=op.f('fk_settlement_line_move_id_stock_move')),
    sa.ForeignKeyConstraint(['reverses_line_id'], ['settlement_line.id'], name=op.f('fk_settlement_line_reverses_line_id_settlement_line')),
    sa.ForeignKeyConstraint(['supplier_id'], ['party.id'], name=op.f('fk_settlement_line_supplier_id_party')),
    sa.ForeignKeyConstraint(['supplier_item_id'], ['supplier_item.id'], name=op.f('fk_settlement_line_supplier_item_id_supplier_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement_line')),
    sa.UniqueConstraint('move_id', name=op.f('uq_settlement_line_move_id'))
    )
    with op.batch_alter_table('settlement_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_line_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_settlement_line_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_settlement_line_reverses_line_id'), ['reverses_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_settlement_line_statement_id'), ['statement_id'], unique=False)
        batch_op.create_index('ix_settlement_line_supplier_occurred', ['supplier_id', 'occurred_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('settlement_line', schema=None) as batch_op:
        batch_op.drop_index('ix_settlement_line_supplier_occurred')
        batch_op.drop_index(batch_op.f('ix_settlement_line_statement_id'))
        batch_op.drop_index(batch_op.f('ix_settlement_line_reverses_line_id'))
        batch_op.drop_index(batch_op.f('ix_settlement_line_item_id'))
        batch_op.drop_index(batch_op.f('ix_settlement_line_agreement_id'))

    op.drop_table('settlement_line')
