"""Health checks: /healthz says the process is up, /readyz that the database is reachable and current;
and the served process runs as many worker threads as it has database connections."""
import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

from openvmi.app import create_app
from openvmi.db import POOL_SIZE
from openvmi.migrations import head_revision
from openvmi.settings import Settings


def client_for(database_url: str) -> TestClient:
    return TestClient(create_app(Settings(database_url=database_url)), raise_server_exceptions=False)


def test_a_migrated_database_is_ready(database_url):
    with client_for(database_url) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        answer = client.get("/readyz")

    assert answer.status_code == 200
    assert answer.json() == {"status": "ready", "migration": head_revision()}


@pytest.mark.parametrize("empty_database", ["sqlite_file", "postgres"], indirect=True)
def test_an_unmigrated_database_is_not_ready_but_the_process_is_up(empty_database):
    with client_for(empty_database) as client:
        health, ready = client.get("/healthz"), client.get("/readyz")

    assert health.status_code == 200
    assert ready.status_code == 503
    assert ready.headers["content-type"] == "application/problem+json"
    assert "openvmi db upgrade" in ready.json()["detail"]


def test_an_unreachable_database_is_not_ready(tmp_path):
    missing_dir = tmp_path / "no" / "such" / "dir" / "openvmi.db"
    with client_for(f"sqlite:///{missing_dir}") as client:
        ready = client.get("/readyz")

    assert ready.status_code == 503 and ready.json()["code"] == "not_ready"


def test_the_api_document_says_readiness_may_answer_a_problem(database_url):
    with client_for(database_url) as client:
        document = client.get("/openapi.json").json()

    not_ready = document["paths"]["/readyz"]["get"]["responses"]["503"]
    assert not_ready["content"]["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert "Problem" in document["components"]["schemas"]


def test_the_server_runs_no_more_worker_threads_than_it_has_database_connections(database_url):
    async def worker_threads() -> float:
        return anyio.to_thread.current_default_thread_limiter().total_tokens

    # when the app is serving
    with client_for(database_url) as client:
        # then a route or dependency waiting for a thread never holds one that could only wait for a connection
        assert client.portal.call(worker_threads) == POOL_SIZE
