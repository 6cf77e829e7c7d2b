"""`openvmi serve` against a database it cannot reach: one line saying so and a hint, no traceback."""
import socket

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
