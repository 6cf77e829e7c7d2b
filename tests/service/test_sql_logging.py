"""SQL logs and database errors never show bound values: password hashes, token digests and webhook
secrets stay out of them even with statement logging (echo) on."""
import logging
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openvmi.alerts.schemas import WebhookEndpointCreate
from openvmi.alerts.service import create_webhook_endpoint
from openvmi.alerts.targets import WebhookTargets
from openvmi.auth import service as auth_service
from openvmi.auth.models import User
from openvmi.auth.security import token_digest
from openvmi.db import create_db_engine
from tests.builders import make_user

WEBHOOK_SECRET = "whsec-do-not-log-me-0123456789"


def test_statement_logs_and_errors_carry_no_secrets(database_url, caplog):
    engine = create_db_engine(database_url, echo=True)
    with engine.connect() as connection, connection.begin() as transaction, \
            caplog.at_level(logging.INFO, logger="sqlalchemy.engine"):
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        user = make_user(session, password="correct-horse-battery-1")
        secret, _ = auth_service.issue_login_token(session, user, lifetime=timedelta(hours=1))
        auth_service.actor_for_token(session, secret)
        create_webhook_endpoint(session, WebhookEndpointCreate(name="erp", url="http://127.0.0.1:9/hook",
                                                               secret=WEBHOOK_SECRET),
                                targets=WebhookTargets.allowing(["127.0.0.1"]))
        session.flush()
        with pytest.raises(IntegrityError) as duplicate:
            with session.begin_nested():
                session.add(User(username=user.username, display_name="copy", password_hash=user.password_hash,
                                 role="buyer", active=True))
        transaction.rollback()
    engine.dispose()

    logged = caplog.text + str(duplicate.value)
    assert "INSERT INTO app_user" in logged  # statements are logged, their values are not
    for secret_value in (user.password_hash, "correct-horse-battery-1", secret, token_digest(secret), WEBHOOK_SECRET):
        assert secret_value not in logged
