"""settlement statements: statements per supplier, currency, cycle and period, their history, line
disputes; settlement lines get the statement's foreign key and money-only credit lines

Revision ID: 7036769a5e5c
Revises: d7a19e343554
Create Date: 2026-11-30 17:01:36
"""
import sqlalchemy as sa
from alembic import op

import openvmi.db


revision = '7036769a5e5c'
down_revision = 'd7a19e343554'
branch_labels = None
depends_on = None


# Settlement lines gain a money-only kind, `credit`: no move, quantity 0, below zero, with a reason.
OLD_CHECKS = {
    'kind': "kind IN ('consumption', 'reversal', 'buyout')",
    'reversal_names_its_line': "(kind = 'reversal') = (reverses_line_id IS NOT NULL)",
    'quantity_not_zero': "quantity <> 0",
}
NEW_CHECKS = {
    'kind': "kind IN ('consumption', 'reversal', 'buyout', 'credit')",
    'reversal_names_its_line': "(kind IN ('reversal', 'credit')) = (reverses_line_id IS NOT NULL)",
    'quantity_not_zero': "(kind = 'credit') = (quantity = 0)",
    'move_unless_credit': "(kind = 'credit') = (move_id IS NULL)",
    'credit_gives_reason': "(kind = 'credit') = (reason IS NOT NULL)",
    'credit_below_zero': "kind <> 'credit' OR net_amount < 0",
}


def upgrade() -> None:
    op.create_table('settlement_statement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('cycle', sa.String(length=20), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_at', openvmi.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('changed_at', openvmi.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("cycle IN ('weekly', 'semi_monthly', 'monthly')", name=op.f('ck_settlement_statement_cycle')),
    sa.CheckConstraint("state IN ('draft', 'issued', 'confirmed', 'disputed', 'invoiced', 'matched', 'closed')", name=op.f('ck_settlement_statement_state')),
    sa.CheckConstraint('period_start <= period_end', name=op.f('ck_settlement_statement_period_in_order')),
    sa.ForeignKeyConstraint(['supplier_id'], ['party.id'], name=op.f('fk_settlement_statement_supplier_id_party')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement_statement')),
    sa.UniqueConstraint('supplier_id', 'currency', 'cycle', 'period_start', name=op.f('uq_settlement_statement_supplier_id_currency_cycle_period_start'))
    )
    with op.batch_alter_table('settlement_statement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_statement_period_end'), ['period_end'], unique=False)
        batch_op.create_index(batch_op.f('ix_settlement_statement_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_settlement_statement_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('settlement_statement_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', openvmi.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.CheckConstraint("action IN ('generate', 'regenerate', 'issue', 'confirm', 'dispute', 'withdraw', 'credit', 'invoice', 'match', 'close')", name=op.f('ck_settlement_statement_event_action')),
    sa.CheckConstraint("from_state IN ('draft', 'issued', 'confirmed', 'disputed', 'invoiced', 'matched', 'closed')", name=op.f('ck_settlement_statement_event_from_state')),
    sa.CheckConstraint("to_state IN ('draft', 'issued', 'confirmed', 'disputed', 'invoiced', 'matched', 'closed')", name=op.f('ck_settlement_statement_event_to_state')),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_settlement_statement_event_actor_id_app_user')),
    sa.ForeignKeyConstraint(['statement_id'], ['settlement_statement.id'], name=op.f('fk_settlement_statement_event_statement_id_settlement_statement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supplier_id'], ['party.id'], name=op.f('fk_settlement_statement_event_supplier_id_party')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement_statement_event'))
    )
    with op.batch_alter_table('settlement_statement_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_statement_event_statement_id'), ['statement_id'], unique=False)

    op.create_table('settlement_line_dispute',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('comment', sa.String(length=500), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', openvmi.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', openvmi.db.UtcDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('open', 'withdrawn')", name=op.f('ck_settlement_line_dispute_state')),
    sa.ForeignKeyConstraint(['line_id'], ['settlement_line.id'], name=op.f('fk_settlement_line_dispute_line_id_settlement_line')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['app_user.id'], name=op.f('fk_settlement_line_dispute_opened_by_id_app_user')),
    sa.ForeignKeyConstraint(['statement_id'], ['settlement_statement.id'], name=op.f('fk_settlement_line_dispute_statement_id_settlement_statement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supplier_id'], ['party.id'], name=op.f('fk_settlement_line_dispute_supplier_id_party')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement_line_dispute'))
    )
    with op.batch_alter_table('settlement_line_dispute', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_line_dispute_line_id'), ['line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_settlement_line_dispute_statement_id'), ['statement_id'], unique=False)

    # SQLite cannot alter a column or a CHECK: batch mode copies the table (env.py turns foreign keys off).
    with op.batch_alter_table('settlement_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('caller_key', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_settlement_line_caller_key_idempotency_key'),
                                          ['caller_key', 'idempotency_key'])
        batch_op.alter_column('move_id', existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_settlement_line_statement_id_settlement_statement'),
                                    'settlement_statement', ['statement_id'], ['id'])
        for name in ('kind', 'reversal_names_its_line', 'quantity_not_zero'):
            batch_op.drop_constraint(batch_op.f(f'ck_settlement_line_{name}'), type_='check')
        for name, condition in NEW_CHECKS.items():
            batch_op.create_check_constraint(batch_op.f(f'ck_settlement_line_{name}'), sa.text(condition))



def downgrade() -> None:
    in_use = op.get_bind().scalar(sa.text("SELECT count(*) FROM settlement_line WHERE kind = 'credit'"))
    if in_use:
        # Credit lines are money owed back: not ours to delete.
        raise RuntimeError(f"{in_use} credit line(s) exist and the older schema cannot hold them")
    op.execute(sa.text("UPDATE settlement_line SET statement_id = NULL"))
    with op.batch_alter_table('settlement_line', schema=None) as batch_op:
        for name in NEW_CHECKS:
            batch_op.drop_constraint(batch_op.f(f'ck_settlement_line_{name}'), type_='check')
        for name, condition in OLD_CHECKS.items():
            batch_op.create_check_constraint(batch_op.f(f'ck_settlement_line_{name}'), sa.text(condition))
        batch_op.drop_constraint(batch_op.f('fk_settlement_line_statement_id_settlement_statement'), type_='foreignkey')
        batch_op.alter_column('move_id', existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_settlement_line_caller_key_idempotency_key'), type_='unique')
        batch_op.drop_column('idempotency_key')
        batch_op.drop_column('caller_key')
        batch_op.drop_column('reason')

    with op.batch_alter_table('settlement_line_dispute', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_settlement_line_dispute_statement_id'))
        batch_op.drop_index(batch_op.f('ix_settlement_line_dispute_line_id'))

    op.drop_table('settlement_line_dispute')
    with op.batch_alter_table('settlement_statement_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_settlement_statement_event_statement_id'))

    op.drop_table('settlement_statement_event')
    with op.batch_alter_table('settlement_statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_settlement_statement_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_settlement_statement_state'))
        batch_op.drop_index(batch_op.f('ix_settlement_statement_period_end'))

    op.drop_table('settlement_statement')
