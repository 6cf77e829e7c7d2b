"""webhook errors without reply bodies

Revision ID: 7a4f2c9e1d05
Revises: 5c2d8e41a7b3
Create Date: 2026-12-01 09:30:00.000000
"""
import re

from alembic import op
import sqlalchemy as sa


revision = '7a4f2c9e1d05'
down_revision = '5c2d8e41a7b3'
branch_labels = None
depends_on = None

# A failed webhook used to keep up to 300 characters of the receiver's reply ("HTTP 500: <body>")
# or the HTTP library's error text, which may quote the reply, in outbox_message.last_error, shown
# to admins in the API and the portal. Delivery now stores a short status line; this cuts the
# stored ones down to the same lines. There is no way back: the cut text is gone on purpose.
HTTP_STATUS = re.compile(r"^HTTP (\d{3})\b")
LIBRARY_ERROR = re.compile(r"^([A-Za-z]+): ")
TIMEOUTS = {"ConnectTimeout", "ReadTimeout", "WriteTimeout", "PoolTimeout", "TimeoutException"}
BAD_REPLIES = {"RemoteProtocolError", "LocalProtocolError", "ProtocolError", "DecodingError"}

outbox = sa.table("outbox_message", sa.column("id", sa.Integer), sa.column("channel", sa.String),
                  sa.column("last_error", sa.String))


def short_line(text: str) -> str:
    if status := HTTP_STATUS.match(text):
        return f"HTTP {status.group(1)}"
    error = LIBRARY_ERROR.match(text)
    if error is None:
        return text  # our own words, e.g. "webhook endpoint deleted"
    if error.group(1) in TIMEOUTS:
        return "timed out"
    if error.group(1) in BAD_REPLIES:
        return "the reply was not valid HTTP"
    return "connection refused" if "Connection refused" in text else "could not connect"


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(outbox.c.id, outbox.c.last_error).where(
        outbox.c.channel == "webhook", outbox.c.last_error.is_not(None))).all()
    changed = [{"row_id": row_id, "line": short_line(text)} for row_id, text in rows if short_line(text) != text]
    if changed:
        bind.execute(outbox.update().where(outbox.c.id == sa.bindparam("row_id"))
                     .values(last_error=sa.bindparam("line")), changed)


def downgrade() -> None:
    pass
