"""The default secret key is refused outside the embedded SQLite default; every answer says
nosniff, and HSTS once cookies are secure (the site is on HTTPS)."""
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from openvmi.app import UnsafeSettings, create_app
from openvmi.cli import app as cli
from openvmi.settings import DEFAULT_DATABASE_URL, DEFAULT_SECRET_KEY, Settings


def test_the_default_secret_key_is_refused_with_any_other_database(tmp_path):
    for url in ("postgresql+psycopg://openvmi@127.0.0.1:5432/openvmi", f"sqlite:///{tmp_path / 'prod.db'}"):
        with pytest.raises(UnsafeSettings, match="Set OPENVMI_SECRET_KEY to a long random value"):
            create_app(Settings(database_url=url, secret_key=DEFAULT_SECRET_KEY))

    create_app(Settings(database_url=DEFAULT_DATABASE_URL, secret_key=DEFAULT_SECRET_KEY))  # a first start
    create_app(Settings(database_url=f"sqlite:///{tmp_path / 'prod.db'}", secret_key="k" * 40))


def test_serve_with_the_default_secret_key_says_how_to_set_one(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENVMI_DATABASE_URL", f"sqlite:///{tmp_path / 'prod.db'}")
    monkeypatch.delenv("OPENVMI_SECRET_KEY")

    result = CliRunner().invoke(cli, ["serve"])

    assert result.exit_code == 2
    assert result.output.startswith("error: OPENVMI_SECRET_KEY is the default")
    assert "secrets.token_urlsafe" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_api_answers_and_pages_forbid_mime_sniffing_and_hsts_waits_for_https(api_client, database_url):
    answers = [api_client.get("/api/v1/items"), api_client.get("/api/v1/no-such-thing"), api_client.get("/healthz"),
               api_client.get("/login"), api_client.get("/static/app.css")]

    assert [a.headers.get("x-content-type-options") for a in answers] == ["nosniff"] * len(answers)
    assert all("strict-transport-security" not in a.headers for a in answers)
    with TestClient(create_app(Settings(database_url=database_url, secure_cookies=True, import_runner=False,
                                        embedded_worker=False))) as https:
        assert https.get("/healthz").headers["strict-transport-security"] == "max-age=31536000"
