"""`openvmi serve`: against a database it cannot reach, one line saying so and a hint, no traceback; the
processes it starts (one per core by default), what it does once before them, and the app each one builds."""
import socket
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from openvmi import settings as settings_module
from openvmi.cli import app
from openvmi.db import create_db_engine
from openvmi.migrations import head_revision


def test_serve_with_an_unreachable_database_says_so_in_one_line_with_a_hint(monkeypatch):
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("OPENVMI_DATABASE_URL", f"postgresql://openvmi:s3cret@127.0.0.1:{port}/openvmi")

    result = CliRunner().invoke(app, ["serve"])

    assert result.exit_code == 2
    error, hint = result.output.strip().splitlines()
    assert error.startswith(f"error: the database postgresql://openvmi:***@127.0.0.1:{port}/openvmi "
                            "cannot be reached: ")
    assert hint.startswith("hint: ") and "OPENVMI_DATABASE_URL" in hint
    assert "s3cret" not in result.output and "Traceback" not in result.output


def test_serve_starts_the_processes_asked_for(monkeypatch, tmp_path):
    import uvicorn

    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda target, **options: started.update(target=target, **options))
    monkeypatch.setenv("OPENVMI_DATABASE_URL", f"sqlite:///{tmp_path / 'served.db'}")
    monkeypatch.setenv("OPENVMI_SECRET_KEY", "a-test-key-that-is-not-the-default-one-0123456789")

    result = CliRunner().invoke(app, ["serve", "--workers", "3"])
    refused = CliRunner().invoke(app, ["serve", "--workers", "3", "--reload"])

    assert result.exit_code == 0, result.output
    assert started["workers"] == 3 and started["factory"] is True and "3 processes" in " ".join(result.output.split())
    assert refused.exit_code == 2 and "--reload" in refused.output


def test_serve_gives_slowly_starting_processes_time_instead_of_killing_them(monkeypatch, tmp_path):
    # uvicorn's own 5 s made the supervisor kill and restart processes still importing the app on a busy
    # machine, so `serve --workers N` never answered (docs/decisions.md, issue 15's request overhead)
    import uvicorn

    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda target, **options: started.update(target=target, **options))
    monkeypatch.setenv("OPENVMI_DATABASE_URL", f"sqlite:///{tmp_path / 'served.db'}")
    monkeypatch.setenv("OPENVMI_SECRET_KEY", "a-test-key-that-is-not-the-default-one-0123456789")

    assert CliRunner().invoke(app, ["serve", "--workers", "2"]).exit_code == 0
    assert started["timeout_worker_healthcheck"] == 60
    monkeypatch.setenv("OPENVMI_WORKER_HEALTHCHECK_SECONDS", "120")
    assert CliRunner().invoke(app, ["serve", "--workers", "2"]).exit_code == 0
    assert started["timeout_worker_healthcheck"] == 120


@pytest.fixture
def started(monkeypatch, tmp_path) -> dict:
    """What `serve` would hand uvicorn (not started), and when: after the migrations and the demo."""
    import uvicorn

    from openvmi.jobs import demo
    from openvmi.migrations import current_revision

    url = f"sqlite:///{tmp_path / 'served.db'}"
    events: list = []
    options: dict = {"events": events}

    def run(target, **kwargs):
        with create_db_engine(url).connect() as connection:
            events.append(("processes start", current_revision(connection)))
        options.update(kwargs)

    monkeypatch.setattr(uvicorn, "run", run)
    monkeypatch.setattr(demo, "load_demo", lambda session, **_: events.append("demo loaded") or "demo summary")
    monkeypatch.setenv("OPENVMI_DATABASE_URL", url)
    monkeypatch.setenv("OPENVMI_SECRET_KEY", "a-test-key-that-is-not-the-default-one-0123456789")
    monkeypatch.delenv("OPENVMI_WORKERS", raising=False)
    return options


def test_make_run_serves_one_process_per_core_after_migrating_and_loading_the_demo_once(started, monkeypatch):
    monkeypatch.setattr(settings_module, "cores_available", lambda: 2)

    result = CliRunner().invoke(app, ["serve", "--demo"])  # what `make run` starts

    assert result.exit_code == 0, result.output
    assert started["workers"] == 2 and "2 processes" in " ".join(result.output.split())
    assert started["events"] == ["demo loaded", ("processes start", head_revision())]


def test_the_default_process_count_stops_at_four_and_can_be_set_or_reloaded_as_one(started, monkeypatch):
    monkeypatch.setattr(settings_module, "cores_available", lambda: 32)
    assert CliRunner().invoke(app, ["serve"]).exit_code == 0
    assert started["workers"] == 4

    one = CliRunner().invoke(app, ["serve", "--workers", "1"])
    assert one.exit_code == 0 and started["workers"] == 1 and "1 process" in " ".join(one.output.split())
    assert CliRunner().invoke(app, ["serve", "--reload"]).exit_code == 0
    assert started["workers"] == 1 and started["reload"] is True
    monkeypatch.setenv("OPENVMI_WORKERS", "3")
    assert CliRunner().invoke(app, ["serve"]).exit_code == 0
    assert started["workers"] == 3


def test_the_served_app_is_out_of_the_garbage_collectors_way(monkeypatch, tmp_path):
    # Under load each full collection walked the app's own objects with every request waiting behind it
    # (docs/decisions.md, "Availability over HTTP: one thread hop"). Built in a process of its own, as served.
    import uvicorn

    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda target, **options: started.update(target=target, **options))
    monkeypatch.setenv("OPENVMI_DATABASE_URL", f"sqlite:///{tmp_path / 'served.db'}")
    monkeypatch.setenv("OPENVMI_SECRET_KEY", "a-test-key-that-is-not-the-default-one-0123456789")
    assert CliRunner().invoke(app, ["serve"]).exit_code == 0
    module, factory = started["target"].split(":")

    built = subprocess.run([sys.executable, "-c", f"import gc; from {module} import {factory}; "
                            f"served = {factory}(); print(served.title, gc.get_freeze_count())"],
                           capture_output=True, text=True, check=True)

    title, frozen = built.stdout.split()
    assert title == "OpenVMI" and int(frozen) > 100_000
