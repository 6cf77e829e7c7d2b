"""settlement statement events: the lines a generation or dispute touched and the line a withdrawal or
credit was about as numbers, worded in the reader's language; `note` keeps only what a person typed

Revision ID: 4a7e2c9b5d18
Revises: 3f9c2d7e1a05
Create Date: 2026-12-05 10:00:00
"""
import re

import sqlalchemy as sa
from alembic import op

revision = '4a7e2c9b5d18'
down_revision = '3f9c2d7e1a05'
branch_labels = None
depends_on = None

_EVENT = sa.table('settlement_statement_event', sa.column('id', sa.Integer), sa.column('note', sa.String),
                  sa.column('line_count', sa.Integer), sa.column('line_id', sa.Integer))
# The English notes earlier versions wrote: "3 line(s)", "line 12", "line 12: <the credit's reason>".
_COUNT, _LINE = re.compile(r"^(\d+) line\(s\)$"), re.compile(r"^line (\d+)(?:: (.*))?$", re.DOTALL)


def upgrade() -> None:
    with op.batch_alter_table('settlement_statement_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('line_count', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('line_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_settlement_statement_event_line_id_settlement_line'),
                                    'settlement_line', ['line_id'], ['id'])
    connection = op.get_bind()
    for event_id, note in connection.execute(sa.select(_EVENT.c.id, _EVENT.c.note).where(_EVENT.c.note.is_not(None))):
        if count := _COUNT.match(note):
            values = {"line_count": int(count[1]), "note": None}
        elif line := _LINE.match(note):
            values = {"line_id": int(line[1]), "note": line[2] or None}
        else:
            continue
        connection.execute(_EVENT.update().where(_EVENT.c.id == event_id).values(**values))


def downgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(_EVENT.c.id, _EVENT.c.note, _EVENT.c.line_count, _EVENT.c.line_id).where(
        sa.or_(_EVENT.c.line_count.is_not(None), _EVENT.c.line_id.is_not(None)))).all()
    for event_id, note, line_count, line_id in rows:
        worded = f"{line_count} line(s)" if line_count is not None else f"line {line_id}" + (f": {note}" if note else "")
        connection.execute(_EVENT.update().where(_EVENT.c.id == event_id).values(note=worded))
    with op.batch_alter_table('settlement_statement_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_settlement_statement_event_line_id_settlement_line'), type_='foreignkey')
        batch_op.drop_column('line_id')
        batch_op.drop_column('line_count')
