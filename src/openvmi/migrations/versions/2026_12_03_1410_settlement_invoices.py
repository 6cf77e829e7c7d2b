"""settlement invoices: the invoice of a statement (number unique per supplier, PDF outside the database
with its checksum), finance's matching tolerance per currency, agreements' self-billing (ERS) flag, and
the statement actions self-bill, mismatch and reject

Revision ID: 9b4e2a61c7d3
Revises: 7036769a5e5c
Create Date: 2026-11-30 17:30:00
"""
import sqlalchemy as sa
from alembic import op

import openvmi.db


revision = '9b4e2a61c7d3'
down_revision = '7036769a5e5c'
branch_labels = None
depends_on = None

OLD_ACTIONS = ("action IN ('generate', 'regenerate', 'issue', 'confirm', 'dispute', 'withdraw', 'credit', 'invoice', "
               "'match', 'close')")
NEW_ACTIONS = ("action IN ('generate', 'regenerate', 'issue', 'confirm', 'dispute', 'withdraw', 'credit', 'invoice', "
               "'self_bill', 'match', 'mismatch', 'reject', 'close')")


def _actions(check: str) -> None:
    # SQLite cannot alter a CHECK: batch mode copies the table (env.py turns foreign keys off for it).
    with op.batch_alter_table('settlement_statement_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_settlement_statement_event_action'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_settlement_statement_event_action'), sa.text(check))


def upgrade() -> None:
    with op.batch_alter_table('vmi_agreement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('self_billing', sa.Boolean(), nullable=False, server_default=sa.false()))
    _actions(NEW_ACTIONS)
    op.create_table('settlement_invoice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('invoice_date', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('net', openvmi.db.Money(), nullable=False),
    sa.Column('tax', openvmi.db.Money(), nullable=False),
    sa.Column('gross', openvmi.db.Money(), nullable=False),
    sa.Column('by_rate', sa.JSON(), nullable=False),
    sa.Column('pdf_path', sa.String(length=200), nullable=True),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('pdf_bytes', sa.Integer(), nullable=True),
    sa.Column('caller_key', sa.String(length=80), nullable=True),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('request_hash', sa.String(length=64), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', openvmi.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('recorded', 'matched', 'rejected')", name=op.f('ck_settlement_invoice_state')),
    sa.CheckConstraint("source IN ('supplier', 'self_billed')", name=op.f('ck_settlement_invoice_source')),
    sa.CheckConstraint('gross = net + tax', name=op.f('ck_settlement_invoice_gross_is_net_plus_tax')),
    sa.CheckConstraint('(pdf_path IS NULL) = (pdf_sha256 IS NULL)', name=op.f('ck_settlement_invoice_pdf_has_checksum')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], name=op.f('fk_settlement_invoice_recorded_by_id_app_user')),
    sa.ForeignKeyConstraint(['statement_id'], ['settlement_statement.id'], name=op.f('fk_settlement_invoice_statement_id_settlement_statement')),
    sa.ForeignKeyConstraint(['supplier_id'], ['party.id'], name=op.f('fk_settlement_invoice_supplier_id_party')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement_invoice')),
    sa.UniqueConstraint('supplier_id', 'number', name=op.f('uq_settlement_invoice_supplier_id_number')),
    sa.UniqueConstraint('caller_key', 'idempotency_key', name=op.f('uq_settlement_invoice_caller_key_idempotency_key'))
    )
    with op.batch_alter_table('settlement_invoice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_invoice_statement_id'), ['statement_id'], unique=False)
    op.create_table('settlement_match_tolerance',
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('absolute_amount', openvmi.db.Money(), nullable=False),
    sa.Column('percent', sa.Numeric(precision=7, scale=4), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', openvmi.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('absolute_amount >= 0', name=op.f('ck_settlement_match_tolerance_absolute_not_negative')),
    sa.CheckConstraint('percent >= 0 AND percent <= 100', name=op.f('ck_settlement_match_tolerance_percent_range')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['app_user.id'], name=op.f('fk_settlement_match_tolerance_changed_by_id_app_user')),
    sa.PrimaryKeyConstraint('currency', name=op.f('pk_settlement_match_tolerance'))
    )


def downgrade() -> None:
    in_use = op.get_bind().scalar(sa.text(
        "SELECT count(*) FROM settlement_statement_event WHERE action IN ('self_bill', 'mismatch', 'reject')"))
    if in_use:
        # The statements' history is an audit trail: not ours to delete.
        raise RuntimeError(f"{in_use} statement event(s) of invoices exist and the older schema cannot hold them")
    op.drop_table('settlement_match_tolerance')
    with op.batch_alter_table('settlement_invoice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_settlement_invoice_statement_id'))
    op.drop_table('settlement_invoice')
    _actions(OLD_ACTIONS)
    with op.batch_alter_table('vmi_agreement', schema=None) as batch_op:
        batch_op.drop_column('self_billing')
