"""A database that is down or hung: the API answers 503 problem+json with Retry-After and the portal
a translated 503 page, within the connect timeout; /healthz still answers, /readyz says why not.
Only loopback addresses: a port nobody listens on, and a server that accepts and never answers."""
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeSerializer
from sqlalchemy import create_engine, text

from openvmi.app import create_app
from openvmi.auth import service as auth_service
from openvmi.db import create_db_engine, create_session_factory
from openvmi.settings import Settings
from openvmi.web.viewer import SESSION_COOKIE
from tests.builders import make_user

CONNECT_TIMEOUT = 2  # psycopg's smallest


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts connections and never says a word (a hung database, or something else on its port)."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in [*accepted, listener]:
        connection.close()


def client_for(database_url: str) -> TestClient:
    settings = Settings(database_url=database_url, db_connect_timeout_seconds=CONNECT_TIMEOUT, retry_after_seconds=7,
                        import_runner=False, embedded_worker=False)
    client = TestClient(create_app(settings), raise_server_exceptions=False)
    client.headers["Authorization"] = "Bearer ovmi_some-token"
    client.cookies.set(SESSION_COOKIE, URLSafeSerializer(settings.secret_key, salt="openvmi.portal.session")
                       .dumps("ovmi_some-token"))
    return client


REQUESTS = [("/api/v1/items", {}), ("/items", {"Accept-Language": "zh-CN"}), ("/readyz", {})]


def api_and_page(client: TestClient) -> list:
    return [client.get(path, headers=headers) for path, headers in REQUESTS[:2]]


def assert_unavailable(api, page) -> None:
    assert api.status_code == 503 and api.headers["retry-after"] == "7"
    assert api.headers["content-type"] == "application/problem+json"
    assert api.json()["code"] == "database_unavailable"
    assert page.status_code == 503 and page.headers["retry-after"] == "7"
    assert "服务暂不可用" in page.text and "Traceback" not in page.text


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://openvmi@127.0.0.1:{port}/openvmi",
    "sqlite:///{tmp}/no/such/folder/openvmi.db",
], ids=["postgres-port-closed", "sqlite-file-unreachable"])
def test_a_database_that_is_down_is_503_not_500(url, tmp_path):
    with client_for(url.format(port=closed_port(), tmp=tmp_path)) as client:
        assert_unavailable(*api_and_page(client))
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").json()["code"] == "not_ready"


def test_a_database_that_never_answers_is_503_within_the_connect_timeout(silent_server):
    with client_for(f"postgresql+psycopg://openvmi@127.0.0.1:{silent_server}/openvmi") as client, \
            ThreadPoolExecutor(max_workers=3) as pool:
        started = time.monotonic()

        def timed(path: str, headers: dict) -> tuple:
            answer = client.get(path, headers=headers)
            return answer, time.monotonic() - started

        waiting = [pool.submit(timed, path, headers) for path, headers in REQUESTS]
        time.sleep(0.2)
        health = client.get("/healthz")  # while those wait for the database
        health_elapsed = time.monotonic() - started
        (api, api_elapsed), (page, page_elapsed), (ready, ready_elapsed) = [future.result() for future in waiting]
        elapsed = time.monotonic() - started

    # answered while the others still waited (on a loaded machine wall times stretch, the order does not)
    assert health.status_code == 200 and health_elapsed < min(api_elapsed, page_elapsed, ready_elapsed)
    assert_unavailable(api, page)
    assert ready.status_code == 503
    assert elapsed < CONNECT_TIMEOUT + 3  # each request gave up after the timeout


@pytest.mark.parametrize("fresh_database", ["postgres"], indirect=True)
def test_a_statement_stuck_behind_a_lock_is_cut_off_by_the_statement_timeout(fresh_database):
    with create_session_factory(create_db_engine(fresh_database))() as session:
        user = make_user(session)
        secret, _ = auth_service.issue_login_token(session, user, lifetime=timedelta(hours=1))
        session.commit()
    settings = Settings(database_url=fresh_database, db_statement_timeout_seconds=0.3, import_runner=False,
                        embedded_worker=False)
    locker = create_engine(fresh_database)
    with TestClient(create_app(settings)) as client, locker.connect() as other:
        other.execute(text("LOCK TABLE item IN ACCESS EXCLUSIVE MODE"))  # e.g. a migration in progress
        started = time.monotonic()
        answer = client.get("/api/v1/items", headers={"Authorization": f"Bearer {secret}"})
        elapsed = time.monotonic() - started
        other.rollback()
    locker.dispose()

    assert answer.status_code == 503 and answer.json()["code"] == "database_busy"
    assert elapsed < 2
