"""Stored webhook failures that quoted the receiver's reply are cut to a short status line."""
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import select
from sqlalchemy.orm import Session

from openvmi import migrations
from openvmi.alerts.models import OutboxMessage
from openvmi.db import create_db_engine

SHORT_LINES = "7a4f2c9e1d05"
STORED = {  # as delivery wrote them before -> as they read after the migration
    "HTTP 500: <html><title>Internal admin console</title>secret=...</html>": "HTTP 500",
    "ReadTimeout: timed out": "timed out",
    "ConnectError: [Errno 111] Connection refused": "connection refused",
    "RemoteProtocolError: illegal header line: bytearray(b'token: abc')": "the reply was not valid HTTP",
    "webhook endpoint deleted": "webhook endpoint deleted",
}


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_old_webhook_errors_lose_the_receivers_words_and_e_mail_errors_stay(fresh_database):
    engine = create_db_engine(fresh_database)
    with Session(engine) as session:
        session.add_all([OutboxMessage(channel="webhook", event="alert.opened", recipient="https://erp.example.com/h",
                                       payload={}, last_error=text) for text in STORED])
        session.add(OutboxMessage(channel="email", event="alert.opened", recipient="a@example.com", payload={},
                                  last_error="SMTP mail.example.com:25: SMTPDataError: (554, b'rejected')"))
        session.commit()
    migrations.downgrade(fresh_database, ScriptDirectory(str(migrations.HERE)).get_revision(SHORT_LINES).down_revision)

    migrations.upgrade(fresh_database)

    with Session(engine) as session:
        after = session.execute(select(OutboxMessage.channel, OutboxMessage.last_error).order_by(OutboxMessage.id)).all()
    engine.dispose()
    assert after == [("webhook", line) for line in STORED.values()] + [
        ("email", "SMTP mail.example.com:25: SMTPDataError: (554, b'rejected')")]
