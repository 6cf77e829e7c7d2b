"""`openvmi serve` alone, as `make run` starts it: an alert opened by a threshold change leaves
through the outbox (here a signed webhook to a local receiver) with no `openvmi worker` running; with
two processes, writes to the SQLite file from both are all answered and each alert leaves once."""
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from openvmi import migrations
from openvmi.access import Role
from openvmi.alerts import service as alerts_service
from openvmi.alerts.schemas import WebhookEndpointCreate
from openvmi.alerts.targets import WebhookTargets
from openvmi.db import create_db_engine, create_session_factory
from openvmi.supplier_stock.schemas import StockLineCreate
from openvmi.supplier_stock.service import lines
from tests.builders import PASSWORD, make_item, make_location, make_party, make_supplier_item, make_user


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def receiver():
    """A webhook receiver on loopback; every body it gets lands in the queue."""
    received: queue.Queue = queue.Queue()

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the stdlib's name
            received.put(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()


def _serve(database_url: str, tmp_path: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "OPENVMI_DATABASE_URL": database_url, "OPENVMI_SECRET_KEY": "embedded-worker-test",
           "OPENVMI_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1", "OPENVMI_WORKER_POLL_SECONDS": "0.2",
           "OPENVMI_IMPORT_STORAGE_DIR": str(tmp_path / "imports")}
    openvmi = Path(sys.executable).parent / "openvmi"
    server = subprocess.Popen([str(openvmi), "serve", "--port", str(port), *extra], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1):
                return server, base
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"serve exited with {server.returncode}: {server.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)
    server.terminate()
    pytest.fail("serve did not answer /healthz")


def _stocked_database(tmp_path: Path, hook_url: str, *, supplier_code: str, item_codes: list[str]) -> tuple[str, str]:
    """A SQLite file where the supplier has 300 of each item at its site, with a buyer (their username is
    returned beside the URL) and a webhook endpoint on the local receiver."""
    database_url = f"sqlite:///{tmp_path / 'openvmi.db'}"
    migrations.upgrade(database_url)
    engine = create_db_engine(database_url)
    with create_session_factory(engine)() as session:
        supplier = make_party(session, code=supplier_code)
        site = make_location(session, code=f"{supplier_code}-WH1", kind="supplier_site", supplier_code=supplier.code)
        for code in item_codes:
            make_supplier_item(session, supplier=supplier, item=make_item(session, code=code))
            lines.create_supplier_stock(session, StockLineCreate(
                supplier_code=supplier.code, item_code=code, site_code=site.code, on_hand=Decimal(300)),
                actor_id=None, source="api")
        username = make_user(session, role=Role.BUYER).username
        alerts_service.create_webhook_endpoint(session, WebhookEndpointCreate(name="erp", url=hook_url),
                                               targets=WebhookTargets.allowing(["127.0.0.1"]))
        session.commit()
    engine.dispose()
    return database_url, username


def test_serve_alone_delivers_the_alert_a_threshold_change_opens(tmp_path, receiver):
    # given a supplier with 300 bolts, a buyer, and a webhook endpoint on a local receiver
    hook_url, received = receiver
    database_url, username = _stocked_database(tmp_path, hook_url, supplier_code="S-EMB", item_codes=["BOLT-EMB"])
    server, base = _serve(database_url, tmp_path)
    try:
        # when the buyer sets a low-water mark above the stock, over the API
        with httpx.Client(base_url=base) as client:
            token = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            answer = client.put("/api/v1/supplier-stock/thresholds", headers=headers, json={
                "supplier_code": "S-EMB", "item_code": "BOLT-EMB", "low_water": "500"})
            assert answer.status_code == 200, answer.text

        # then the serve process itself delivers the opened alert (the wait is a bound, not a measure)
        event = received.get(timeout=60)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert event["event"] == "alert.opened"
    assert (event["alert"]["kind"], event["alert"]["item_code"], event["alert"]["supplier_code"]) == (
        "low_stock", "BOLT-EMB", "S-EMB")


def test_serve_no_worker_leaves_the_periodic_work_to_openvmi_worker(tmp_path, monkeypatch):
    import uvicorn
    from typer.testing import CliRunner

    from openvmi.cli import app
    from openvmi.settings import Settings

    started = {}
    monkeypatch.setenv("OPENVMI_DATABASE_URL", f"sqlite:///{tmp_path / 'openvmi.db'}")
    monkeypatch.setenv("OPENVMI_SECRET_KEY", "no-worker-test")
    monkeypatch.setenv("OPENVMI_EMBEDDED_WORKER", "true")  # so the flag's change is undone after the test
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.update(settings=Settings()))

    result = CliRunner().invoke(app, ["serve", "--no-worker"])

    assert result.exit_code == 0, result.output
    assert started["settings"].embedded_worker is False  # what the app, built by uvicorn's factory, reads


def test_two_serve_processes_take_writes_at_once_and_deliver_each_alert_once(tmp_path, receiver):
    # given twenty items of a supplier with 300 on hand each, a buyer and a webhook endpoint
    hook_url, received = receiver
    codes = [f"BOLT-TWO-{n:02}" for n in range(20)]
    database_url, username = _stocked_database(tmp_path, hook_url, supplier_code="S-TWO", item_codes=codes)
    server, base = _serve(database_url, tmp_path, "--workers", "2")
    try:
        with httpx.Client(base_url=base) as client:
            token = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}

        def raise_then_lower_the_mark(code: str) -> list[int]:
            # a new connection each time, so the kernel hands the writes to both processes
            return [httpx.put(f"{base}/api/v1/supplier-stock/thresholds", headers=headers, timeout=60, json={
                "supplier_code": "S-TWO", "item_code": code, "low_water": low_water}).status_code
                for low_water in ("500", "100")]

        # when the buyer opens and resolves an alert for each item, twenty writes at a time
        with ThreadPoolExecutor(max_workers=len(codes)) as pool:
            statuses = list(pool.map(raise_then_lower_the_mark, codes))
        events = [received.get(timeout=60) for _ in range(2 * len(codes))]  # a bound, not a measure
    finally:
        server.terminate()  # the supervisor stops both processes and their background work
        server.wait(timeout=60)

    # then no write was refused (writers queue for SQLite's lock), and each event left once
    assert statuses == [[200, 200]] * len(codes)
    assert received.empty()
    assert Counter((event["event"], event["alert"]["item_code"]) for event in events) == {
        (event, code): 1 for code in codes for event in ("alert.opened", "alert.resolved")}
