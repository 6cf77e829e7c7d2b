"""vmi shipments and receipts

Revision ID: 7285d8506f2b
Revises: b62e58cb7061
Create Date: 2026-12-02 15:10:00
"""
import sqlalchemy as sa
from alembic import op

import openvmi.db


revision = '7285d8506f2b'
down_revision = 'b62e58cb7061'
branch_labels = None
depends_on = None


# Shipments (ASN) with their lines, and receipts: one per shipment, a line per shipment line.


def upgrade() -> None:
    op.create_table('vmi_shipment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('carrier', sa.String(length=200), nullable=True),
    sa.Column('tracking_number', sa.String(length=200), nullable=True),
    sa.Column('expected_arrival', sa.Date(), nullable=False),
    sa.Column('origin_location_id', sa.Integer(), nullable=False),
    sa.Column('in_transit_location_id', sa.Integer(), nullable=False),
    sa.Column('created_at', openvmi.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', openvmi.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', openvmi.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("state IN ('in_transit', 'received', 'closed', 'cancelled')", name=op.f('ck_vmi_shipment_state')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['app_user.id'], name=op.f('fk_vmi_shipment_closed_by_id_app_user')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_vmi_shipment_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['in_transit_location_id'], ['location.id'], name=op.f('fk_vmi_shipment_in_transit_location_id_location')),
    sa.ForeignKeyConstraint(['origin_location_id'], ['location.id'], name=op.f('fk_vmi_shipment_origin_location_id_location')),
    sa.ForeignKeyConstraint(['supplier_id'], ['party.id'], name=op.f('fk_vmi_shipment_supplier_id_party')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vmi_shipment')),
    sa.UniqueConstraint('number', name=op.f('uq_vmi_shipment_number'))
    )
    with op.batch_alter_table('vmi_shipment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vmi_shipment_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_vmi_shipment_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('vmi_receipt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('quarantine_location_id', sa.Integer(), nullable=True),
    sa.Column('received_at', openvmi.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('received_by_id', sa.Integer(), nullable=True),
    sa.Column('caller_key', sa.String(length=60), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['quarantine_location_id'], ['location.id'], name=op.f('fk_vmi_receipt_quarantine_location_id_location')),
    sa.ForeignKeyConstraint(['received_by_id'], ['app_user.id'], name=op.f('fk_vmi_receipt_received_by_id_app_user')),
    sa.ForeignKeyConstraint(['shipment_id'], ['vmi_shipment.id'], name=op.f('fk_vmi_receipt_shipment_id_vmi_shipment')),
    sa.ForeignKeyConstraint(['supplier_id'], ['party.id'], name=op.f('fk_vmi_receipt_supplier_id_party')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vmi_receipt')),
    sa.UniqueConstraint('caller_key', 'idempotency_key', name=op.f('uq_vmi_receipt_caller_key_idempotency_key')),
    sa.UniqueConstraint('shipment_id', name=op.f('uq_vmi_receipt_shipment_id'))
    )
    with op.batch_alter_table('vmi_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vmi_receipt_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('vmi_shipment_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('call_off_line_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('lot_number', sa.String(length=60), nullable=True),
    sa.Column('move_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_vmi_shipment_line_quantity_positive')),
    sa.ForeignKeyConstraint(['call_off_line_id'], ['vmi_call_off_line.id'], name=op.f('fk_vmi_shipment_line_call_off_line_id_vmi_call_off_line')),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_vmi_shipment_line_item_id_item')),
    sa.ForeignKeyConstraint(['move_id'], ['stock_move.id'], name=op.f('fk_vmi_shipment_line_move_id_stock_move')),
    sa.ForeignKeyConstraint(['shipment_id'], ['vmi_shipment.id'], name=op.f('fk_vmi_shipment_line_shipment_id_vmi_shipment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supplier_id'], ['party.id'], name=op.f('fk_vmi_shipment_line_supplier_id_party')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vmi_shipment_line'))
    )
    with op.batch_alter_table('vmi_shipment_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vmi_shipment_line_call_off_line_id'), ['call_off_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vmi_shipment_line_shipment_id'), ['shipment_id'], unique=False)

    op.create_table('vmi_receipt_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('receipt_id', sa.Integer(), nullable=False),
    sa.Column('shipment_line_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('accepted', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('short', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('over', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('damaged', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('short_reason', sa.String(length=30), nullable=True),
    sa.Column('over_reason', sa.String(length=30), nullable=True),
    sa.Column('damaged_reason', sa.String(length=30), nullable=True),
    sa.CheckConstraint("damaged_reason IN ('not_delivered', 'count_difference', 'packing_error', 'damaged_in_transit', 'quality_defect', 'wrong_item', 'other')", name=op.f('ck_vmi_receipt_line_damaged_reason')),
    sa.CheckConstraint("over_reason IN ('not_delivered', 'count_difference', 'packing_error', 'damaged_in_transit', 'quality_defect', 'wrong_item', 'other')", name=op.f('ck_vmi_receipt_line_over_reason')),
    sa.CheckConstraint("short_reason IN ('not_delivered', 'count_difference', 'packing_error', 'damaged_in_transit', 'quality_defect', 'wrong_item', 'other')", name=op.f('ck_vmi_receipt_line_short_reason')),
    sa.CheckConstraint('accepted >= 0 AND short >= 0 AND over >= 0 AND damaged >= 0', name=op.f('ck_vmi_receipt_line_parts_not_negative')),
    sa.ForeignKeyConstraint(['receipt_id'], ['vmi_receipt.id'], name=op.f('fk_vmi_receipt_line_receipt_id_vmi_receipt'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shipment_line_id'], ['vmi_shipment_line.id'], name=op.f('fk_vmi_receipt_line_shipment_line_id_vmi_shipment_line')),
    sa.ForeignKeyConstraint(['supplier_id'], ['party.id'], name=op.f('fk_vmi_receipt_line_supplier_id_party')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vmi_receipt_line')),
    sa.UniqueConstraint('shipment_line_id', name=op.f('uq_vmi_receipt_line_shipment_line_id'))
    )
    with op.batch_alter_table('vmi_receipt_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vmi_receipt_line_receipt_id'), ['receipt_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('vmi_receipt_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vmi_receipt_line_receipt_id'))

    op.drop_table('vmi_receipt_line')
    with op.batch_alter_table('vmi_shipment_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vmi_shipment_line_shipment_id'))
        batch_op.drop_index(batch_op.f('ix_vmi_shipment_line_call_off_line_id'))

    op.drop_table('vmi_shipment_line')
    with op.batch_alter_table('vmi_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vmi_receipt_supplier_id'))

    op.drop_table('vmi_receipt')
    with op.batch_alter_table('vmi_shipment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vmi_shipment_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_vmi_shipment_state'))

    op.drop_table('vmi_shipment')