"""inbox messages keep facts, not sentences

Revision ID: 3e8b1f6a9c27
Revises: 3e8b6d1f4a27
Create Date: 2026-12-02 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '3e8b1f6a9c27'
down_revision = '3e8b6d1f4a27'
branch_labels = None
depends_on = None

# A new inbox row keeps what happened (`content`: event, alert, codes, figures) and is worded when
# read, in the reader's language; title and body stay for the rows written before, in English.
inbox = sa.table("inbox_message", sa.column("title", sa.String), sa.column("body", sa.Text),
                 sa.column("content", sa.JSON))


def upgrade() -> None:
    with op.batch_alter_table('inbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content', sa.JSON(), nullable=True))
        batch_op.alter_column('title', existing_type=sa.String(length=300), nullable=True)
        batch_op.alter_column('body', existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    # The older code shows title and body only: rows worded at read time get a plain marker.
    op.execute(inbox.update().where(inbox.c.title.is_(None)).values(title="(alert notification)"))
    op.execute(inbox.update().where(inbox.c.body.is_(None)).values(body=""))
    with op.batch_alter_table('inbox_message', schema=None) as batch_op:
        batch_op.alter_column('body', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('title', existing_type=sa.String(length=300), nullable=False)
        batch_op.drop_column('content')
