"""An administrator who forgot their password gets back in from the shell, and nothing else does."""
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from openvmi.app import create_app
from openvmi.cli import app
from openvmi.settings import Settings


def log_in(client: TestClient, username: str, password: str) -> int:
    return client.post("/api/v1/auth/token", data={"username": username, "password": password}).status_code


@pytest.mark.parametrize("fresh_database", ["sqlite_file"], indirect=True)
def test_the_shell_sets_a_forgotten_password_and_ends_the_old_tokens(fresh_database, monkeypatch):
    monkeypatch.setenv("OPENVMI_DATABASE_URL", fresh_database)
    run = CliRunner().invoke
    assert run(app, ["user", "add", "root", "--role", "admin", "--password", "first-secret-1"]).exit_code == 0
    issued = run(app, ["token", "create", "--user", "root", "--name", "ERP nightly"])
    secret = issued.output.split(": ")[1].split()[0]
    with TestClient(create_app(Settings(database_url=fresh_database))) as client:
        assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200

        too_short = run(app, ["user", "set-password", "root"], input="short\nshort\n")
        assert too_short.exit_code != 0 and "at least 8 characters" in too_short.output
        assert log_in(client, "root", "first-secret-1") == 200  # a refusal changed nothing

        reset = run(app, ["user", "set-password", "root"], input="second-secret-2\nsecond-secret-2\n")
        assert reset.exit_code == 0, reset.output

        assert log_in(client, "root", "first-secret-1") == 401
        assert log_in(client, "root", "second-secret-2") == 200
        assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401

    unknown = run(app, ["user", "set-password", "nobody"], input="second-secret-2\nsecond-secret-2\n")
    assert unknown.exit_code != 0 and "no such user: nobody" in unknown.output
