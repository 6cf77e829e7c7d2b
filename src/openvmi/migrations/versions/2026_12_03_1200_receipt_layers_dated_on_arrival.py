"""ledger: a receipt opens its FIFO layer dated the receipt (ledger_post_one_move version 3)

Revision ID: 8b3e5d1c2a47
Revises: 5c1e8a7d3b90
Create Date: 2026-11-30 17:00:00
"""
from alembic import op

from openvmi.migrations import sql_file

revision = '8b3e5d1c2a47'
down_revision = '5c1e8a7d3b90'
branch_labels = None
depends_on = None

_FUNCTION = ("ledger_post_one_move(integer, numeric, integer, integer, integer, integer, varchar, varchar, "
             "integer, varchar, varchar, varchar, varchar, integer, timestamptz, boolean, boolean, boolean)")


def upgrade() -> None:
    # Layers already opened keep their dates: only postings from now on date receipts on arrival.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION {_FUNCTION}")
        op.execute(sql_file("ledger/sql/ledger_post_one_move.3.sql"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION {_FUNCTION}")
        op.execute(sql_file("ledger/sql/ledger_post_one_move.2.sql"))
