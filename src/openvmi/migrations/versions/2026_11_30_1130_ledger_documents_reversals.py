"""ledger: postings name their document and caller, moves may reverse moves, layer draws

Revision ID: c4d1e7a90b12
Revises: 4f0c1d2e9a3b
Create Date: 2026-11-30 11:30:00
"""
import sqlalchemy as sa
from alembic import op

from openvmi.migrations import sql_file

revision = 'c4d1e7a90b12'
down_revision = '4f0c1d2e9a3b'
branch_labels = None
depends_on = None

_OLD_MOVE_KINDS = "kind IN ('receipt', 'consumption', 'adjustment', 'transfer', 'return', 'buyout')"
_MOVE_KINDS = "kind IN ('shipment', 'receipt', 'transfer', 'consumption', 'adjustment', 'return', 'buyout')"
_DOCUMENT_KINDS = ("document_kind IN ('manual', 'shipment', 'receipt', 'consumption', 'adjustment', 'buyout', "
                   "'return')")
_OLD_FUNCTION = ("ledger_post_one_move(integer, numeric, integer, integer, integer, integer, varchar, varchar, "
                 "integer, varchar, varchar, timestamptz)")
_FUNCTION = ("ledger_post_one_move(integer, numeric, integer, integer, integer, integer, varchar, varchar, "
             "integer, varchar, varchar, varchar, varchar, integer, timestamptz, boolean, boolean, boolean)")


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute(f"DROP FUNCTION {_OLD_FUNCTION}")
    with op.batch_alter_table('posting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('caller_key', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('document_kind', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('document_id', sa.Integer(), nullable=True))
    # Keys were global until now: each stays with whoever sent it.
    op.execute("UPDATE posting SET document_kind = 'manual', caller_key = CASE WHEN created_by_id IS NULL "
               "THEN 'system' ELSE 'user:' || created_by_id END")
    with op.batch_alter_table('posting', schema=None) as batch_op:
        batch_op.alter_column('caller_key', existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column('document_kind', existing_type=sa.String(length=20), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_posting_idempotency_key'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_posting_caller_key_idempotency_key'), ['caller_key', 'idempotency_key'])
        batch_op.create_check_constraint(batch_op.f('ck_posting_document_kind'), _DOCUMENT_KINDS)
        batch_op.create_check_constraint(batch_op.f('ck_posting_document_named'),
                                         "document_kind = 'manual' OR document_id IS NOT NULL")
        batch_op.create_index('ix_posting_document', ['document_kind', 'document_id'], unique=False)
    with op.batch_alter_table('stock_move', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reverses_move_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_stock_move_reverses_move_id_stock_move'), 'stock_move',
                                    ['reverses_move_id'], ['id'])
        batch_op.create_index('ix_stock_move_reverses_move_id', ['reverses_move_id'], unique=False,
                              postgresql_where=sa.text('reverses_move_id IS NOT NULL'),
                              sqlite_where=sa.text('reverses_move_id IS NOT NULL'))
        batch_op.drop_constraint(batch_op.f('ck_stock_move_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_stock_move_kind'), _MOVE_KINDS)
    op.create_table(
        'layer_draw',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('move_id', sa.Integer(), nullable=False),
        sa.Column('layer_id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('quantity', sa.Numeric(precision=18, scale=6), nullable=False),
        sa.CheckConstraint('quantity <> 0', name=op.f('ck_layer_draw_quantity_not_zero')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_layer_draw')),
    )
    with op.batch_alter_table('layer_draw', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_layer_draw_move_id'), ['move_id'], unique=False)
    if postgresql:
        op.execute(sql_file("ledger/sql/ledger_post_one_move.2.sql"))


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute(f"DROP FUNCTION {_FUNCTION}")
    op.drop_table('layer_draw')
    with op.batch_alter_table('stock_move', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_stock_move_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_stock_move_kind'), _OLD_MOVE_KINDS)
        batch_op.drop_index('ix_stock_move_reverses_move_id')
        batch_op.drop_constraint(batch_op.f('fk_stock_move_reverses_move_id_stock_move'), type_='foreignkey')
        batch_op.drop_column('reverses_move_id')
    with op.batch_alter_table('posting', schema=None) as batch_op:
        batch_op.drop_index('ix_posting_document')
        batch_op.drop_constraint(batch_op.f('ck_posting_document_named'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_posting_document_kind'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_posting_caller_key_idempotency_key'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_posting_idempotency_key'), ['idempotency_key'])
        batch_op.drop_column('document_id')
        batch_op.drop_column('document_kind')
        batch_op.drop_column('caller_key')
    if postgresql:
        op.execute(sql_file("ledger/sql/ledger_post_one_move.1.sql"))
