"""item code sort key

Revision ID: 3e9b7d2a4c61
Revises: 7a4f2c9e1d05
Create Date: 2026-12-02 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

from openvmi.catalog.rules import code_sort_key

revision = '3e9b7d2a4c61'
down_revision = '7a4f2c9e1d05'
branch_labels = None
depends_on = None

# Lists sort item codes naturally (M10X8 before M10X60) by this column; existing items get theirs
# computed here, in batches, from the same rule new items use.
item = sa.table("item", sa.column("id", sa.Integer), sa.column("code", sa.String),
                sa.column("code_sort_key", sa.String))
BATCH = 5000


def upgrade() -> None:
    op.add_column("item", sa.Column("code_sort_key", sa.String(length=200), nullable=True))
    connection = op.get_bind()
    last_id = 0
    while rows := connection.execute(sa.select(item.c.id, item.c.code).where(item.c.id > last_id)
                                     .order_by(item.c.id).limit(BATCH)).all():
        connection.execute(item.update().where(item.c.id == sa.bindparam("row_id"))
                           .values(code_sort_key=sa.bindparam("key")),
                           [{"row_id": row.id, "key": code_sort_key(row.code)} for row in rows])
        last_id = rows[-1].id
    with op.batch_alter_table("item") as batch:
        batch.alter_column("code_sort_key", existing_type=sa.String(length=200), nullable=False)
    op.create_index("ix_item_code_sort_key", "item", ["code_sort_key"])


def downgrade() -> None:
    op.drop_index("ix_item_code_sort_key", table_name="item")
    with op.batch_alter_table("item") as batch:
        batch.drop_column("code_sort_key")
