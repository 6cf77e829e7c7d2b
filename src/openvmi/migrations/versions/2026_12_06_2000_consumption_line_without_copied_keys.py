"""vmi_consumption_line: no foreign keys on the columns it copies from its move and settlement line

Revision ID: 8d3b6f1c2e47
Revises: b61e4d0c8a27
Create Date: 2026-12-06 20:00:00
"""
from alembic import op

revision = '8d3b6f1c2e47'
down_revision = 'b61e4d0c8a27'
branch_labels = None
depends_on = None

# (column, referred table): each equals a column of the line's move or settlement line, whose keys check it
# (models.ConsumptionLine, vmi.consumptions.queries.line_link_violations).
_COPIED = [('supplier_id', 'party'), ('agreement_id', 'vmi_agreement'), ('item_id', 'item'),
           ('location_id', 'location'), ('production_location_id', 'location'), ('buyer_id', 'party')]


def upgrade() -> None:
    with op.batch_alter_table('vmi_consumption_line', schema=None) as batch_op:
        for column, table in _COPIED:
            batch_op.drop_constraint(batch_op.f(f'fk_vmi_consumption_line_{column}_{table}'), type_='foreignkey')


def downgrade() -> None:
    with op.batch_alter_table('vmi_consumption_line', schema=None) as batch_op:
        for column, table in _COPIED:
            batch_op.create_foreign_key(batch_op.f(f'fk_vmi_consumption_line_{column}_{table}'), table, [column], ['id'])
