"""`openvmi serve`: the processes and the app it starts, and a database it cannot reach (one line and a hint)."""
import socket
import subprocess
import sys

from typer.testing import CliRunner

from openvmi.cli import app


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
