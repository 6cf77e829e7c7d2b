"""`openvmi worker --once`: one delivery pass from the command line, with a summary of the outbox."""
from typer.testing import CliRunner

from openvmi.alerts.schemas import AlertSignal, WebhookEndpointCreate
from openvmi.alerts.service import create_webhook_endpoint, sync_alerts
from openvmi.alerts.targets import WebhookTargets
from openvmi.cli import app
from openvmi.db import create_db_engine, create_session_factory
from tests.builders import make_item, make_party


def test_one_pass_reports_what_it_did_and_what_is_left(fresh_database, monkeypatch):
    engine = create_db_engine(fresh_database)
    with create_session_factory(engine)() as session:
        supplier, item = make_party(session), make_item(session)
        # nothing listens on port 9 (discard) of loopback: the delivery fails and is kept for a retry
        create_webhook_endpoint(session, WebhookEndpointCreate(name="down", url="http://127.0.0.1:9/hook"),
                                targets=WebhookTargets.allowing(["127.0.0.1"]))
        sync_alerts(session, [AlertSignal(kind="low_stock", supplier_id=supplier.id, item_id=item.id,
                                          location_id=None, active=True, message="low", numbers={})])
        session.commit()
    engine.dispose()
    monkeypatch.setenv("OPENVMI_DATABASE_URL", fresh_database)
    monkeypatch.setenv("OPENVMI_WEBHOOK_TIMEOUT_SECONDS", "2")
    monkeypatch.setenv("OPENVMI_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1")  # loopback is refused unless listed

    result = CliRunner().invoke(app, ["worker", "--once"])

    assert result.exit_code == 0, result.output
    assert "claimed 1: delivered 0, retrying 1, dead 0" in result.output
    assert "pending 1, delivered 0, dead 0, failing 1" in result.output
