"""vmi adjustments (with approval), buyouts and returns to supplier; alert kind for adjustments waiting

Revision ID: d7a19e343554
Revises: e6a2c9d4b813
Create Date: 2026-11-30 17:02:14.338593
"""
import sqlalchemy as sa
from alembic import op

import openvmi.db


revision = 'd7a19e343554'
down_revision = 'e6a2c9d4b813'
branch_labels = None
depends_on = None


OLD_KINDS = ("kind IN ('low_stock', 'high_stock', 'stale_data', 'vmi_under_min', 'vmi_over_max', 'vmi_run_out', "
             "'vmi_call_off_unanswered', 'vmi_shipment_overdue', 'vmi_receipt_differences')")
NEW_KINDS = ("kind IN ('low_stock', 'high_stock', 'stale_data', 'vmi_under_min', 'vmi_over_max', 'vmi_run_out', "
             "'vmi_call_off_unanswered', 'vmi_shipment_overdue', 'vmi_receipt_differences', 'vmi_adjustment_waiting')")


def _check(kinds: str) -> None:
    # SQLite cannot alter a CHECK: batch mode copies the table (env.py turns foreign keys off for it).
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_alert_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_alert_kind'), sa.text(kinds))


def upgrade() -> None:
    _check(NEW_KINDS)
    op.create_table('vmi_adjustment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('adjustment_location_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=20), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('comment', sa.String(length=1000), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('requested_at', openvmi.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', openvmi.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_comment', sa.String(length=1000), nullable=True),
    sa.Column('posting_id', sa.Integer(), nullable=True),
    sa.Column('caller_key', sa.String(length=60), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint("direction IN ('increase', 'decrease')", name=op.f('ck_vmi_adjustment_direction')),
    sa.CheckConstraint("reason IN ('cycle_count', 'damage', 'expiry', 'other')", name=op.f('ck_vmi_adjustment_reason')),
    sa.CheckConstraint("state IN ('pending', 'posted', 'rejected')", name=op.f('ck_vmi_adjustment_state')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_vmi_adjustment_quantity_positive')),
    sa.ForeignKeyConstraint(['adjustment_location_id'], ['location.id'], name=op.f('fk_vmi_adjustment_adjustment_location_id_location')),
    sa.ForeignKeyConstraint(['agreement_id'], ['vmi_agreement.id'], name=op.f('fk_vmi_adjustment_agreement_id_vmi_agreement')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['app_user.id'], name=op.f('fk_vmi_adjustment_decided_by_id_app_user')),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_vmi_adjustment_item_id_item')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_vmi_adjustment_location_id_location')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['app_user.id'], name=op.f('fk_vmi_adjustment_requested_by_id_app_user')),
    sa.ForeignKeyConstraint(['supplier_id'], ['party.id'], name=op.f('fk_vmi_adjustment_supplier_id_party')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vmi_adjustment')),
    sa.UniqueConstraint('caller_key', 'idempotency_key', name=op.f('uq_vmi_adjustment_caller_key_idempotency_key'))
    )
    with op.batch_alter_table('vmi_adjustment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vmi_adjustment_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vmi_adjustment_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_vmi_adjustment_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('vmi_buyout',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('unit_price', openvmi.db.Money(precision=18, scale=6), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('net_amount', openvmi.db.Money(precision=18, scale=6), nullable=False),
    sa.Column('price_day', sa.Date(), nullable=False),
    sa.Column('move_id', sa.Integer(), nullable=True),
    sa.Column('settlement_line_id', sa.Integer(), nullable=True),
    sa.Column('bought_at', openvmi.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('bought_by_id', sa.Integer(), nullable=True),
    sa.Column('caller_key', sa.String(length=60), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_vmi_buyout_quantity_positive')),
    sa.ForeignKeyConstraint(['agreement_id'], ['vmi_agreement.id'], name=op.f('fk_vmi_buyout_agreement_id_vmi_agreement')),
    sa.ForeignKeyConstraint(['bought_by_id'], ['app_user.id'], name=op.f('fk_vmi_buyout_bought_by_id_app_user')),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_vmi_buyout_item_id_item')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_vmi_buyout_location_id_location')),
    sa.ForeignKeyConstraint(['supplier_id'], ['party.id'], name=op.f('fk_vmi_buyout_supplier_id_party')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vmi_buyout')),
    sa.UniqueConstraint('caller_key', 'idempotency_key', name=op.f('uq_vmi_buyout_caller_key_idempotency_key'))
    )
    with op.batch_alter_table('vmi_buyout', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vmi_buyout_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vmi_buyout_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('vmi_stock_return',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('origin_location_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('returned_at', openvmi.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('returned_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_vmi_stock_return_quantity_positive')),
    sa.ForeignKeyConstraint(['agreement_id'], ['vmi_agreement.id'], name=op.f('fk_vmi_stock_return_agreement_id_vmi_agreement')),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_vmi_stock_return_item_id_item')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_vmi_stock_return_location_id_location')),
    sa.ForeignKeyConstraint(['origin_location_id'], ['location.id'], name=op.f('fk_vmi_stock_return_origin_location_id_location')),
    sa.ForeignKeyConstraint(['returned_by_id'], ['app_user.id'], name=op.f('fk_vmi_stock_return_returned_by_id_app_user')),
    sa.ForeignKeyConstraint(['supplier_id'], ['party.id'], name=op.f('fk_vmi_stock_return_supplier_id_party')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vmi_stock_return'))
    )
    with op.batch_alter_table('vmi_stock_return', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vmi_stock_return_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vmi_stock_return_supplier_id'), ['supplier_id'], unique=False)



def downgrade() -> None:
    in_use = op.get_bind().scalar(sa.text("SELECT count(*) FROM alert WHERE kind = 'vmi_adjustment_waiting'"))
    if in_use:
        # Alerts are an audit trail (comments, notifications point at them): not ours to delete.
        raise RuntimeError(f"{in_use} adjustment alert(s) exist and the older schema cannot hold them")
    with op.batch_alter_table('vmi_stock_return', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vmi_stock_return_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_vmi_stock_return_agreement_id'))

    op.drop_table('vmi_stock_return')
    with op.batch_alter_table('vmi_buyout', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vmi_buyout_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_vmi_buyout_agreement_id'))

    op.drop_table('vmi_buyout')
    with op.batch_alter_table('vmi_adjustment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vmi_adjustment_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_vmi_adjustment_state'))
        batch_op.drop_index(batch_op.f('ix_vmi_adjustment_agreement_id'))

    op.drop_table('vmi_adjustment')
    _check(OLD_KINDS)
