"""ledger fast path function

Revision ID: 335ec1e1aa00
Revises: 01499f0afe2d
Create Date: 2026-11-25 12:15:27.048102
"""
from alembic import op

from openvmi.migrations import sql_file


revision = '335ec1e1aa00'
down_revision = '01499f0afe2d'
branch_labels = None
depends_on = None


# The single-move posting's happy path in one round trip (openvmi.ledger.fast_path), version 1.


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":  # SQLite has no functions: the Python path serves
        op.execute(sql_file("ledger/sql/ledger_post_one_move.1.sql"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION ledger_post_one_move")
