"""settlement statements: a line's statement is a row of its own (settlement_statement_line), inserted once,
instead of a column rewritten on every line (docs/decisions.md, Statement membership)

Revision ID: b61e4d0c8a27
Revises: 4a7e2c9b5d18
Create Date: 2026-12-06 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'b61e4d0c8a27'
down_revision = '4a7e2c9b5d18'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('settlement_statement_line',
    sa.Column('line_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('line_id', name=op.f('pk_settlement_statement_line'))
    )
    op.execute(sa.text("INSERT INTO settlement_statement_line (line_id, statement_id) "
                       "SELECT id, statement_id FROM settlement_line WHERE statement_id IS NOT NULL ORDER BY id"))
    # After the copy: one sorted build instead of an insert per row.
    op.create_index(op.f('ix_settlement_statement_line_statement_id'), 'settlement_statement_line', ['statement_id'],
                    unique=False)
    # SQLite cannot drop a column with its constraint: batch mode copies the table (env.py turns foreign keys off).
    with op.batch_alter_table('settlement_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_settlement_line_statement_id'))
        batch_op.drop_constraint(batch_op.f('fk_settlement_line_statement_id_settlement_statement'), type_='foreignkey')
        batch_op.drop_column('statement_id')


def downgrade() -> None:
    with op.batch_alter_table('settlement_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('statement_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_settlement_line_statement_id_settlement_statement'),
                                    'settlement_statement', ['statement_id'], ['id'])
    op.execute(sa.text("UPDATE settlement_line SET statement_id = (SELECT k.statement_id FROM settlement_statement_line k "
                       "WHERE k.line_id = settlement_line.id) "
                       "WHERE id IN (SELECT line_id FROM settlement_statement_line)"))
    op.create_index(op.f('ix_settlement_line_statement_id'), 'settlement_line', ['statement_id'], unique=False)
    op.drop_index(op.f('ix_settlement_statement_line_statement_id'), table_name='settlement_statement_line')
    op.drop_table('settlement_statement_line')
