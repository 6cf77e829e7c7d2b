"""money as integer millionths on SQLite

Revision ID: 9e3a51c7d2f4
Revises: 4b1e9d7c2a60
Create Date: 2026-11-30 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '9e3a51c7d2f4'
down_revision = '4b1e9d7c2a60'
branch_labels = None
depends_on = None

# PostgreSQL keeps NUMERIC(18, 6) exactly and needs nothing. SQLite stored prices as floats: each
# becomes the integer number of millionths it stood for (openvmi.db.Money).


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("UPDATE supplier_item_price SET price = CAST(ROUND(price * 1000000) AS INTEGER)")
    with op.batch_alter_table('supplier_item_price', schema=None) as batch_op:
        batch_op.alter_column('price', existing_type=sa.Numeric(precision=18, scale=6), type_=sa.BigInteger(),
                              existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table('supplier_item_price', schema=None) as batch_op:
        batch_op.alter_column('price', existing_type=sa.BigInteger(), type_=sa.Numeric(precision=18, scale=6),
                              existing_nullable=False)
    op.execute("UPDATE supplier_item_price SET price = price / 1000000.0")
