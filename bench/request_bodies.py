"""What big request bodies cost the server: its peak memory (VmHWM) while it refuses them.

Starts the app under uvicorn on a loopback port with a fresh SQLite file, then sends 150 MB JSON
bodies (with a Content-Length and chunked, with and without a token) and a 300 MB stock file
upload. The client stops sending as soon as the server answers, as HTTP clients do. Prints the
answer, the time and the server's resident and peak memory after each request.

    .venv/bin/python bench/request_bodies.py [--src DIR]   # --src: another checkout's src/ to compare
"""
import argparse
import http.client
import os
import select
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

MB = 1024 * 1024
CHUNK = 64 * 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def memory(pid: int) -> tuple[int, int]:
    """(resident, peak resident) in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]) // 1024, int(fields["VmHWM"].split()[0]) // 1024


def send(port: int, path: str, size: int, headers: dict[str, str], *, chunked: bool, prefix: bytes = b"") -> str:
    """POST `size` bytes; stop sending once the server has answered. Returns the status line."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.putrequest("POST", path)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.putheader("Transfer-Encoding" if chunked else "Content-Length", "chunked" if chunked else str(size))
    connection.endheaders()
    sock, sent, filler = connection.sock, 0, b" " * CHUNK
    try:
        while sent < size:
            if select.select([sock], [], [], 0)[0]:
                break  # the server answered before the body ended
            data = prefix if sent == 0 and prefix else filler[:min(CHUNK, size - sent)]
            sock.sendall(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
            sent += len(data)
        else:
            if chunked:
                sock.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    response = connection.getresponse()
    answer = f"{response.status} {response.read(200).decode(errors='replace')[:70]}"
    connection.close()
    return f"{answer}  (client sent {sent // MB} MB)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=Path(__file__).resolve().parents[1] / "src")
    args = parser.parse_args()
    sys.path.insert(0, str(args.src))
    from openvmi import migrations
    from openvmi.auth import service as auth_service
    from openvmi.auth.schemas import UserCreate
    from openvmi.db import create_db_engine, create_session_factory
    from openvmi.parties import service as parties_service
    from openvmi.parties.schemas import PartyCreate

    work = Path(tempfile.mkdtemp(prefix="openvmi-bodies-"))
    url = f"sqlite:///{work / 'openvmi.db'}"
    migrations.upgrade(url)
    with create_session_factory(create_db_engine(url))() as session:
        user = auth_service.create_user(session, UserCreate(username="bench", display_name="Bench",
                                                            password="bench-password-1", role="admin"))
        supplier = parties_service.create_party(session, PartyCreate(code="S-BENCH", name="Bench", kind="supplier"))
        token, _ = auth_service.issue_login_token(session, user, lifetime=timedelta(hours=1))
        session.commit()
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(args.src), "OPENVMI_DATABASE_URL": url,
           "OPENVMI_SECRET_KEY": "bench-secret", "OPENVMI_IMPORT_STORAGE_DIR": str(work / "imports"),
           "TMPDIR": str(work)}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "openvmi.app:create_app", "--factory",
                               "--port", str(port), "--log-level", "warning"], env=env)
    try:
        for _ in range(200):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        auth = {"Authorization": f"Bearer {token}"}
        form = {"Content-Type": "multipart/form-data; boundary=b"}
        upload = (b'--b\r\nContent-Disposition: form-data; name="supplier"\r\n\r\n' + supplier.code.encode()
                  + b'\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="s.csv"\r\n\r\n'
                  + b"item_code,on_hand\r\n")
        cases = [
            ("150 MB JSON, Content-Length, no token", "/api/v1/items", 150 * MB, {}, False, b""),
            ("150 MB JSON, chunked, no token", "/api/v1/items", 150 * MB, {}, True, b""),
            ("150 MB JSON, chunked, with a token", "/api/v1/items", 150 * MB, auth, True, b'{"code": "'),
            ("300 MB upload, Content-Length, with a token", "/api/v1/supplier-stock/imports", 300 * MB,
             {**auth, **form}, False, upload),
            ("300 MB upload, chunked, with a token", "/api/v1/supplier-stock/imports", 300 * MB,
             {**auth, **form}, True, upload),
        ]
        print(f"code under test: {Path(migrations.__file__).parents[1]}")
        print(f"server at start: resident {memory(server.pid)[0]} MB, peak {memory(server.pid)[1]} MB")
        for label, path, size, headers, chunked, prefix in cases:
            started = time.monotonic()
            answer = send(port, path, size, {"Content-Type": "application/json", **headers}, chunked=chunked,
                          prefix=prefix)
            resident, peak = memory(server.pid)
            print(f"{label}: {answer}; {time.monotonic() - started:.1f} s; resident {resident} MB, peak {peak} MB")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
