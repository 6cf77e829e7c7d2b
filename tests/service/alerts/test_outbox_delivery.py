"""The worker delivers the outbox: e-mail to a real SMTP server and signed webhooks to a real HTTP
server on loopback; failures back off and stay visible; a dead worker's lease expires and its rows
are delivered exactly once; two workers never deliver the same row."""
import ipaddress
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import delete, select

from openvmi import migrations
from openvmi.access import Role

from openvmi.alerts import queries, rules, service, targets
from openvmi.alerts.delivery import post_webhook
from openvmi.alerts.models import Alert, AlertComment, InboxMessage, OutboxMessage, WebhookEndpoint
from openvmi.alerts.schemas import AlertSignal, DeliveryJob, OutboxFilter, WebhookEndpointCreate
from openvmi.alerts.targets import WebhookTargets
from openvmi.auth.models import ApiToken, User
from openvmi.db import create_db_engine, create_session_factory, utcnow
from openvmi.jobs.worker import run_once
from openvmi.settings import Settings
from tests.builders import make_item, make_party, make_user
from tests.conftest import create_pg_database, drop_pg_database, require_postgres

SECRET = "test-secret-0123456789"
LOOPBACK_ALLOWED = WebhookTargets.allowing(["127.0.0.1"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Mailbox:
    messages: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox, port = Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


@dataclass
class Receiver:
    """Records every POST; answers with the queued statuses, then 200."""

    requests: list = field(default_factory=list)
    statuses: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""
    on_request: Any = None  # called before answering (a test may hold the request open)

    def delivery_ids(self) -> list[str]:
        return [headers[rules.DELIVERY_HEADER] for headers, _ in self.requests]


@pytest.fixture
def webhook_receiver() -> Iterator[Receiver]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's hook name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with receiver.lock:
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
            if receiver.on_request:
                receiver.on_request()
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"receiver is down")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/openvmi"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module", params=["sqlite_file", "postgres"])
def outbox_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One committed-to database per backend for this module (creating one per test costs
    seconds on PostgreSQL); each test starts from an empty outbox, see `sessions`."""
    if request.param == "sqlite_file":
        url = f"sqlite:///{tmp_path_factory.mktemp('outbox') / 'openvmi.db'}"
        migrations.upgrade(url)
        yield url
    else:
        require_postgres()
        url = create_pg_database("openvmi_outbox")
        migrations.upgrade(url)
        yield url
        drop_pg_database(url)


@pytest.fixture
def sessions(outbox_database):
    engine = create_db_engine(outbox_database)
    factory = create_session_factory(engine)
    with factory() as session:  # users and endpoints of earlier tests would receive this test's alerts
        for model in (OutboxMessage, InboxMessage, AlertComment, Alert, WebhookEndpoint, ApiToken, User):
            session.execute(delete(model))
        session.commit()
    yield factory
    engine.dispose()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False) as client:  # loopback only, never through a proxy
        yield client


def settings_for(url: str, **overrides) -> Settings:
    fields = {"database_url": url, "outbox_max_attempts": 3, "outbox_retry_base_seconds": 30,
              "outbox_retry_cap_seconds": 600, "outbox_lease_seconds": 300, "outbox_batch_size": 10,
              "webhook_allowed_hosts": ["127.0.0.1"]}  # the receiver is on loopback, refused unless listed
    return Settings(**(fields | overrides))


def raise_alerts(sessions, *, count: int = 1, email: str | None = None, webhook_url: str | None = None) -> None:
    """Commit `count` low-stock alerts of one supplier, with a buyer's e-mail and/or an endpoint."""
    with sessions() as session:
        supplier = make_party(session, code="HENGDA-" + utcnow().strftime("%f"))
        if email:
            make_user(session, role=Role.BUYER, email=email)
        if webhook_url:
            service.create_webhook_endpoint(session, WebhookEndpointCreate(name="ERP", url=webhook_url, secret=SECRET),
                                            targets=LOOPBACK_ALLOWED)
        items = [make_item(session) for _ in range(count)]
        service.sync_alerts(session, [
            AlertSignal(kind="low_stock", supplier_id=supplier.id, item_id=item.id, location_id=None, active=True,
                        message=f"{item.code}: available 2 below low-water 10",
                        numbers={"available": "2", "low_water": "10"}) for item in items])
        session.commit()


def outbox_rows(sessions) -> list[OutboxMessage]:
    with sessions() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_an_alert_e_mail_reaches_the_smtp_server(outbox_database, sessions, smtp_server, client):
    mailbox, port = smtp_server
    raise_alerts(sessions, email="buyer@example.com")

    result = run_once(sessions, settings_for(outbox_database, smtp_host="127.0.0.1", smtp_port=port),
                      worker_id="w1", client=client)

    assert (result.claimed, result.delivered) == (1, 1)
    [envelope] = mailbox.messages
    assert envelope.rcpt_tos == ["buyer@example.com"]
    text = envelope.content.decode()
    assert "Subject: [OpenVMI] Low stock: HENGDA-" in text and "Low-water mark: 10" in text
    [row] = outbox_rows(sessions)
    assert (row.status, row.attempts, row.delivered_at is not None) == ("delivered", 1, True)


def test_e_mail_waits_in_the_outbox_while_smtp_is_not_configured(outbox_database, sessions, client):
    raise_alerts(sessions, email="buyer@example.com")

    result = run_once(sessions, settings_for(outbox_database), worker_id="w1", client=client)

    assert result.claimed == 0
    [row] = outbox_rows(sessions)
    assert (row.status, row.attempts, row.last_error) == ("pending", 0, None)


def test_a_webhook_arrives_signed_and_the_signature_verifies(outbox_database, sessions, webhook_receiver, client):
    raise_alerts(sessions, webhook_url=webhook_receiver.url)

    result = run_once(sessions, settings_for(outbox_database), worker_id="w1", client=client)

    assert result.delivered == 1
    [(headers, body)] = webhook_receiver.requests
    assert headers[rules.SIGNATURE_HEADER].startswith("sha256=")
    assert rules.verify_webhook(SECRET, timestamp=headers[rules.TIMESTAMP_HEADER], body=body,
                                signature=headers[rules.SIGNATURE_HEADER], now=int(utcnow().timestamp()))
    assert not rules.verify_webhook("not-the-secret-at-all", timestamp=headers[rules.TIMESTAMP_HEADER], body=body,
                                    signature=headers[rules.SIGNATURE_HEADER], now=int(utcnow().timestamp()))
    document = json.loads(body)
    assert (document["event"], document["alert"]["kind"], document["alert"]["numbers"]["available"]) == (
        "alert.opened", "low_stock", 2)
    assert headers[rules.EVENT_HEADER] == "alert.opened"


def test_a_failing_endpoint_is_retried_with_back_off_then_kept_as_dead_and_can_be_retried(
        outbox_database, sessions, webhook_receiver, client):
    webhook_receiver.statuses = [500, 503, 502]
    raise_alerts(sessions, webhook_url=webhook_receiver.url)
    settings, start = settings_for(outbox_database), utcnow()

    first = run_once(sessions, settings, worker_id="w1", client=client, now=start)
    [row] = outbox_rows(sessions)
    assert (first.retrying, row.status, row.attempts) == (1, "pending", 1)
    assert row.last_error == "HTTP 500" and row.next_attempt_at == start + timedelta(seconds=30)  # not its body
    with sessions() as session:
        failing = queries.list_outbox(session, OutboxFilter(status="failing"), cursor=None, limit=10)
    assert [r.id for r in failing.items] == [row.id]

    too_early = run_once(sessions, settings, worker_id="w1", client=client, now=start + timedelta(seconds=29))
    second = run_once(sessions, settings, worker_id="w1", client=client, now=start + timedelta(seconds=31))
    [row] = outbox_rows(sessions)
    assert (too_early.claimed, second.retrying, row.attempts) == (0, 1, 2)
    assert row.next_attempt_at == start + timedelta(seconds=31 + 60)  # doubled

    third = run_once(sessions, settings, worker_id="w1", client=client, now=start + timedelta(seconds=200))
    [row] = outbox_rows(sessions)
    assert (third.dead, row.status, row.attempts) == (1, "dead", 3)
    assert row.last_error == "HTTP 502"
    assert run_once(sessions, settings, worker_id="w1", client=client, now=start + timedelta(days=1)).claimed == 0
    with sessions() as session:
        assert [r.id for r in queries.list_outbox(session, OutboxFilter(status="dead"), cursor=None,
                                                  limit=10).items] == [row.id]
        service.retry_outbox_message(session, row.id, now=start + timedelta(days=1))
        session.commit()

    retried = run_once(sessions, settings, worker_id="w1", client=client, now=start + timedelta(days=1))
    [row] = outbox_rows(sessions)
    assert (retried.delivered, row.status) == (1, "delivered")
    assert len(webhook_receiver.requests) == 4


def resolving(monkeypatch, **table: str) -> None:
    """From now on the system resolver answers `name=address` from this table (no DNS server)."""
    def resolve(host: str, port: int) -> list:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [ipaddress.ip_address(table[host])]
    monkeypatch.setattr(targets, "resolve", resolve)


def test_a_name_that_resolves_to_loopback_at_delivery_is_refused_unsent(
        outbox_database, sessions, webhook_receiver, client, monkeypatch):
    # given an endpoint saved while its name pointed elsewhere (here: not resolvable at all)
    port = webhook_receiver.url.split(":")[2].split("/")[0]
    raise_alerts(sessions, webhook_url=f"http://hooks.example.test:{port}/hooks/openvmi")

    # when, by delivery, the name has been rebound to this machine
    resolving(monkeypatch, **{"hooks.example.test": "127.0.0.1"})
    result = run_once(sessions, settings_for(outbox_database, webhook_allowed_hosts=[]), worker_id="w1",
                      client=client)

    # then nothing is sent, and the outbox says why
    [row] = outbox_rows(sessions)
    assert (result.retrying, webhook_receiver.requests) == (1, [])
    assert row.last_error == "hooks.example.test (127.0.0.1) is a loopback address"


def test_a_listed_name_is_delivered_to_the_address_that_was_checked(
        outbox_database, sessions, webhook_receiver, client, monkeypatch):
    port = webhook_receiver.url.split(":")[2].split("/")[0]
    raise_alerts(sessions, webhook_url=f"http://receiver.example.test:{port}/hooks/openvmi")
    resolving(monkeypatch, **{"receiver.example.test": "127.0.0.1"})

    result = run_once(sessions, settings_for(outbox_database, webhook_allowed_hosts=["receiver.example.test"]),
                      worker_id="w1", client=client)

    # the system could not have resolved the name: the connection went to the checked address
    assert result.delivered == 1
    [(headers, _)] = webhook_receiver.requests
    assert headers["Host"] == f"receiver.example.test:{port}"


def test_a_closed_port_is_told_as_connection_refused(client):
    job = DeliveryJob(id=1, channel="webhook", event="alert.opened", recipient=f"http://127.0.0.1:{free_port()}/h",
                      payload={}, attempts=1, secret=SECRET)

    error = post_webhook(job, client=client, timestamp=0, timeout=5, targets=LOOPBACK_ALLOWED)

    assert error == "connection refused"


def test_a_killed_workers_rows_are_delivered_exactly_once_after_its_lease(
        outbox_database, sessions, webhook_receiver, client):
    raise_alerts(sessions, count=3, webhook_url=webhook_receiver.url)
    settings, start = settings_for(outbox_database), utcnow()

    # given a worker that claimed every row and died before delivering
    with sessions() as session:
        claimed = service.claim_due_messages(session, ["webhook"], worker_id="dead-worker", now=start,
                                             lease=timedelta(seconds=300), limit=10)
        session.commit()
    assert len(claimed) == 3

    # when another worker runs before and after the lease expires
    during_lease = run_once(sessions, settings, worker_id="w2", client=client, now=start + timedelta(seconds=299))
    after_lease = run_once(sessions, settings, worker_id="w2", client=client, now=start + timedelta(seconds=301))
    later = run_once(sessions, settings, worker_id="w2", client=client, now=start + timedelta(hours=1))

    # then each row is delivered once, by the survivor, and a late word from the dead worker changes nothing
    assert (during_lease.claimed, after_lease.delivered, later.claimed) == (0, 3, 0)
    assert sorted(webhook_receiver.delivery_ids()) == sorted(str(job.id) for job in claimed)
    with sessions() as session:
        from openvmi.alerts.schemas import DeliveryOutcome

        late = service.record_outcomes(session, [DeliveryOutcome(id=job.id, error="timeout") for job in claimed],
                                       worker_id="dead-worker", now=start + timedelta(hours=1), max_attempts=3,
                                       retry_base_seconds=30, retry_cap_seconds=600)
        session.commit()
    assert late.retrying == 0
    assert [(r.status, r.attempts) for r in outbox_rows(sessions)] == [("delivered", 2)] * 3


def test_two_workers_never_deliver_the_same_row(outbox_database, sessions, webhook_receiver):
    raise_alerts(sessions, count=40, webhook_url=webhook_receiver.url)
    settings = settings_for(outbox_database, outbox_batch_size=3)
    start = threading.Barrier(2)

    def work(worker_id: str) -> int:
        delivered = 0
        with httpx.Client(trust_env=False) as client:
            start.wait()
            while (result := run_once(sessions, settings, worker_id=worker_id, client=client)).claimed:
                delivered += result.delivered
        return delivered

    threads_result: dict[str, int] = {}
    threads = [threading.Thread(target=lambda w=w: threads_result.__setitem__(w, work(w))) for w in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    ids = webhook_receiver.delivery_ids()
    assert len(ids) == 40 and len(set(ids)) == 40
    assert threads_result["a"] + threads_result["b"] == 40
    assert {r.status for r in outbox_rows(sessions)} == {"delivered"}


def test_a_worker_process_killed_mid_delivery_leaves_its_row_to_the_next_worker_after_the_lease(
        outbox_database, sessions, webhook_receiver, client):
    import os
    import signal
    import subprocess
    import sys

    # given a receiver that holds the first request open, and one alert to deliver
    arrived, release = threading.Event(), threading.Event()

    def hold() -> None:
        arrived.set()
        release.wait(60)

    webhook_receiver.on_request = hold
    raise_alerts(sessions, webhook_url=webhook_receiver.url)

    # when a real `openvmi worker` process is killed while it waits for the receiver
    env = {**os.environ, "OPENVMI_DATABASE_URL": outbox_database, "OPENVMI_WEBHOOK_TIMEOUT_SECONDS": "60",
           "OPENVMI_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1"}
    worker = subprocess.Popen([sys.executable, "-m", "openvmi.cli", "worker", "--once"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert arrived.wait(60), "the worker never called the receiver"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        webhook_receiver.on_request = None
        release.set()

    # then the row is still pending under the dead worker's lease, and only after the lease
    # does another worker deliver it, once
    [row] = outbox_rows(sessions)
    assert (row.status, row.attempts, row.claimed_until is not None) == ("pending", 1, True)
    settings = settings_for(outbox_database)
    during = run_once(sessions, settings, worker_id="survivor", client=client)
    after = run_once(sessions, settings, worker_id="survivor", client=client,
                     now=row.claimed_until + timedelta(seconds=1))
    later = run_once(sessions, settings, worker_id="survivor", client=client,
                     now=row.claimed_until + timedelta(hours=1))
    assert (during.claimed, after.delivered, later.claimed) == (0, 1, 0)
    assert webhook_receiver.delivery_ids() == [str(row.id), str(row.id)]  # the killed attempt, then the retry
    [row] = outbox_rows(sessions)
    assert (row.status, row.attempts) == ("delivered", 2)
