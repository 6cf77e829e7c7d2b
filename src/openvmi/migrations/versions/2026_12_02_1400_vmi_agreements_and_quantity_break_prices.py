"""vmi agreements and quantity-break prices

Revision ID: b3d8e61f0a27
Revises: 3b8e6d1f9a24
Create Date: 2026-12-01 10:00:00
"""
import sqlalchemy as sa
from alembic import op

import openvmi.db


revision = 'b3d8e61f0a27'
down_revision = '3b8e6d1f9a24'
branch_labels = None
depends_on = None


# One active agreement per supplier item and VMI location: a partial unique index, on both engines.
# Prices gain a minimum quantity (a quantity break); existing prices apply from 0, i.e. to any quantity.


def upgrade() -> None:
    op.create_table('vmi_agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_item_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('min_level', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('max_level', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('settlement_cycle', sa.String(length=20), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('tax_rate_percent', sa.Numeric(precision=7, scale=4), nullable=False),
    sa.Column('adjustments_need_approval', sa.Boolean(), nullable=False),
    sa.Column('call_off_answer_hours', sa.Integer(), nullable=False),
    sa.Column('over_shipment_tolerance_percent', sa.Numeric(precision=7, scale=4), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_at', openvmi.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('activated_at', openvmi.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', openvmi.db.UtcDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("settlement_cycle IN ('weekly', 'semi_monthly', 'monthly')", name=op.f('ck_vmi_agreement_settlement_cycle')),
    sa.CheckConstraint("state IN ('draft', 'active', 'ended')", name=op.f('ck_vmi_agreement_state')),
    sa.CheckConstraint('call_off_answer_hours > 0', name=op.f('ck_vmi_agreement_answer_hours_positive')),
    sa.CheckConstraint('max_level >= min_level', name=op.f('ck_vmi_agreement_max_not_below_min')),
    sa.CheckConstraint('min_level >= 0', name=op.f('ck_vmi_agreement_min_level_not_negative')),
    sa.CheckConstraint('over_shipment_tolerance_percent >= 0 AND over_shipment_tolerance_percent <= 100', name=op.f('ck_vmi_agreement_tolerance_range')),
    sa.CheckConstraint('tax_rate_percent >= 0 AND tax_rate_percent <= 100', name=op.f('ck_vmi_agreement_tax_rate_range')),
    sa.CheckConstraint('valid_to IS NULL OR valid_to >= valid_from', name=op.f('ck_vmi_agreement_valid_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_vmi_agreement_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_vmi_agreement_location_id_location')),
    sa.ForeignKeyConstraint(['supplier_id'], ['party.id'], name=op.f('fk_vmi_agreement_supplier_id_party')),
    sa.ForeignKeyConstraint(['supplier_item_id'], ['supplier_item.id'], name=op.f('fk_vmi_agreement_supplier_item_id_supplier_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vmi_agreement'))
    )
    with op.batch_alter_table('vmi_agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vmi_agreement_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vmi_agreement_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_vmi_agreement_supplier_id'), ['supplier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vmi_agreement_supplier_item_id'), ['supplier_item_id'], unique=False)
        batch_op.create_index('uq_vmi_agreement_active', ['supplier_item_id', 'location_id'], unique=True, sqlite_where=sa.text("state = 'active'"), postgresql_where=sa.text("state = 'active'"))

    with op.batch_alter_table('supplier_item_price', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_quantity', sa.Numeric(precision=18, scale=6), server_default='0', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_supplier_item_price_supplier_item_id_valid_from'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_supplier_item_price_supplier_item_id_valid_from_min_quantity'), ['supplier_item_id', 'valid_from', 'min_quantity'])
        batch_op.create_check_constraint(batch_op.f('ck_supplier_item_price_min_quantity_not_negative'), 'min_quantity >= 0')



def downgrade() -> None:
    # Only the base price (from quantity 0) of each period survives: the old key allows one per day.
    op.execute("DELETE FROM supplier_item_price WHERE min_quantity > 0")
    with op.batch_alter_table('supplier_item_price', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_supplier_item_price_min_quantity_not_negative'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_supplier_item_price_supplier_item_id_valid_from_min_quantity'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_supplier_item_price_supplier_item_id_valid_from'), ['supplier_item_id', 'valid_from'])
        batch_op.drop_column('min_quantity')

    with op.batch_alter_table('vmi_agreement', schema=None) as batch_op:
        batch_op.drop_index('uq_vmi_agreement_active', sqlite_where=sa.text("state = 'active'"), postgresql_where=sa.text("state = 'active'"))
        batch_op.drop_index(batch_op.f('ix_vmi_agreement_supplier_item_id'))
        batch_op.drop_index(batch_op.f('ix_vmi_agreement_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_vmi_agreement_state'))
        batch_op.drop_index(batch_op.f('ix_vmi_agreement_location_id'))

    op.drop_table('vmi_agreement')
