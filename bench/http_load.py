"""HTTP load on loopback: 50 clients for 30 s against availability of one item with 400 lines (400
suppliers), with /healthz under the same load as the baseline of the same run, on the settings
`make run` uses (SQLite, `openvmi serve` without --workers: one process per core, at most 4; the
run `sqlite:default`) and on the production setting (PostgreSQL, several worker processes:
`openvmi serve --workers N`). Each run also prints how long the server took to answer its first
request and the memory (RSS) of each of its processes.

Needs wrk (Debian: `apt-get install wrk`). Run `.venv/bin/python bench/http_load.py` (`--help` for
the knobs). Not part of the test suite. It serves a throw-away database on a free port and removes
both at the end. See bench/README.md.
"""
import argparse
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

from supplier_stock_import import DEFAULT_PG_URL, drop_database, new_database, seed_catalogue, seed_stock_lines

from openvmi.db import create_db_engine, create_session_factory

OPENVMI = str(Path(sys.executable).with_name("openvmi"))


def make_token(url: str) -> str:
    """A buyer and a bearer token of theirs, made through the auth service like any login."""
    from openvmi.access import Role
    from openvmi.auth import service
    from openvmi.auth.schemas import UserCreate

    engine = create_db_engine(url)
    with create_session_factory(engine)() as session:
        user = service.create_user(session, UserCreate(username="bench-buyer", display_name="Bench buyer",
                                                       password=secrets.token_urlsafe(16), role=Role.BUYER))
        session.flush()
        secret, _ = service.issue_login_token(session, user, lifetime=timedelta(hours=2))
        session.commit()
    engine.dispose()
    return secret


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(url: str, port: int, workers: str, workdir: Path) -> tuple[subprocess.Popen, float]:
    """The server and the seconds it took to answer its first request."""
    env = {**os.environ, "OPENVMI_DATABASE_URL": url, "OPENVMI_SECRET_KEY": secrets.token_urlsafe(48),
           "OPENVMI_IMPORT_STORAGE_DIR": str(workdir / "imports")}
    env.pop("OPENVMI_WORKERS", None)
    process_count = [] if workers == "default" else ["--workers", workers]  # default: what `make run` starts
    started = time.monotonic()
    server = subprocess.Popen([OPENVMI, "serve", "--port", str(port), *process_count], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    for _ in range(360):  # three minutes: several processes start slowly on a loaded machine
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return server, time.monotonic() - started
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"the server did not start:\n{server.stderr.read().decode()[-3000:]}")
            time.sleep(0.5)
    stop(server)  # not left running, loading the machine for the next measurement
    raise SystemExit("the server did not answer /healthz within three minutes")


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)  # its own session: uvicorn and its worker processes
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def wrk(url: str, args: argparse.Namespace, token: str | None = None) -> dict[str, float]:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency",
               "--timeout", "10s"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
              "errors": sum(int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|timeout) (\d+)", out))}
    for percent in ("50", "99"):
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        result[f"p{percent}"] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    return result


def server_processes(server: subprocess.Popen) -> dict[int, list[str]]:
    """pid -> /proc stat fields (after the name) of the server and its worker processes (its own process group)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a process that ended meanwhile
        if int(fields[2]) == server.pid:
            found[int(stat.parent.name)] = fields
    return found


def cpu_by_process(server: subprocess.Popen) -> dict[int, float]:
    """CPU seconds used so far by the server and each of its worker processes."""
    return {pid: (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
            for pid, fields in server_processes(server).items()}


def server_cpu(server: subprocess.Popen) -> float:
    return sum(cpu_by_process(server).values())


def server_memory(server: subprocess.Popen) -> str:
    """Each process's resident memory; with several, uvicorn's supervisor (the command itself) comes first."""
    rss = {}
    for pid, fields in server_processes(server).items():
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20  # rss, in pages
    return ", ".join(f"{rss[pid]:.0f}" for pid in sorted(rss)) + " MiB"


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def run(backend: str, workers: str, args: argparse.Namespace, workdir: Path) -> None:
    url = new_database(backend, args.pg_url, workdir)
    server = None
    try:
        seed_catalogue(url, items=1, sites=1, suppliers=args.lines)
        seed_stock_lines(url, suppliers=args.lines, items=1)
        token = make_token(url)
        port = free_port()
        load_before_start = load_average()
        server, start_seconds = serve(url, port, workers, workdir)
        base = f"http://127.0.0.1:{port}"
        print(f"{backend:8} {workers} worker(s): first answer {start_seconds:.1f} s after the start "
              f"(load average {load_before_start} before it)")
        # Warm-up with as many connections as the load, so every process gets some: the first requests a
        # process answers open its pool's connections and make FastAPI analyse every route (~1 s at load 10).
        wrk(f"{base}/api/v1/availability?item_code=ITM-0000000", argparse.Namespace(
            threads=args.threads, connections=args.connections, duration=5), token)
        print(f"{backend:8} {workers} worker(s), load average before: {load_average()}")
        for name, target, bearer in (("healthz", f"{base}/healthz", None),
                                     ("availability", f"{base}/api/v1/availability?item_code=ITM-0000000", token)):
            cpu = cpu_by_process(server)
            result = wrk(target, args, bearer)
            used = {pid: seconds - cpu.get(pid, 0) for pid, seconds in cpu_by_process(server).items()}
            cpu_per_request = sum(used.values()) / (result["rps"] * args.duration) * 1000
            # with several processes, how the load was shared: the kernel hands each connection to one of them
            split = " / ".join(f"{seconds / sum(used.values()):.0%}" for _, seconds in sorted(used.items()))
            print(f"{backend:8} {workers} worker(s) {name:12} {result['rps']:8.0f} requests/s, p50 "
                  f"{result['p50']:7.1f} ms, p99 {result['p99']:7.1f} ms, errors {result['errors']}, "
                  f"server CPU {cpu_per_request:.2f} ms a request ({split} by process); "
                  f"load average after: {load_average()}")
        print(f"{backend:8} {workers} worker(s) memory (RSS) of each process after the load: {server_memory(server)}")
    finally:
        if server is not None:
            stop(server)
        drop_database(url, args.pg_url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--runs", default="sqlite:default,postgres:2",
                        help="backend:workers pairs; workers 'default' leaves out --workers, so sqlite:default "
                             "is what `make run` serves (one process per core, at most 4)")
    parser.add_argument("--lines", type=int, default=400, help="suppliers with a line of the one item")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads")
    parser.add_argument("--duration", type=int, default=30, help="seconds per measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for pair in args.runs.split(","):
            backend, workers = pair.split(":")
            run(backend, workers, args, Path(tmp))


if __name__ == "__main__":
    main()
