"""SQLite readers never wait for a writer: while another writer (a long import) holds the single
write lock, GET requests read the last committed state at once; a writer that waits longer than
the busy timeout is told to come back (503 + Retry-After); the import runner waits without
failing its import and without spinning."""
import io
import logging
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeSerializer
from sqlalchemy import event, select
from sqlalchemy.exc import DBAPIError

from openvmi import migrations
from openvmi.app import create_app
from openvmi.auth import service as auth_service
from openvmi.auth.models import ApiToken
from openvmi.db import begin_without_waiting, create_db_engine, create_session_factory
from openvmi.jobs.imports import ImportRunner
from openvmi.parties.models import Party
from openvmi.settings import Settings
from openvmi.supplier_stock.models import SupplierStockImport
from openvmi.supplier_stock.schemas import ImportRequest
from openvmi.supplier_stock.service import import_queue
from openvmi.web.csrf import CSRF_COOKIE, CSRF_FIELD
from openvmi.web.viewer import SESSION_COOKIE
from tests.builders import make_item, make_location, make_party, make_supplier_item, make_user

BUSY = 0.2  # seconds a writer waits for the lock in these tests


@contextmanager
def write_lock_held(url: str, *, change: str | None = None) -> Iterator[None]:
    """Another process's writer: takes SQLite's write lock, writes `change` uncommitted, holds on."""
    holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    if change:
        holder.execute(change)
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.fixture(scope="module")
def migrated_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("readers") / "migrated.db"
    migrations.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_file(migrated_file, tmp_path) -> str:
    """A migrated SQLite file of the test's own (a copy: migrating takes longer than the test)."""
    shutil.copy(migrated_file, tmp_path / "openvmi.db")
    return f"sqlite:///{tmp_path / 'openvmi.db'}"


@pytest.fixture
def world(sqlite_file, tmp_path):
    """A migrated SQLite file with an item, a buyer's bearer token and portal cookie, the app on top."""
    sessions = create_session_factory(create_db_engine(sqlite_file))
    with sessions() as session:
        item = make_item(session, name="Hex bolt M8")
        user = make_user(session)
        secret, token = auth_service.issue_login_token(session, user, lifetime=timedelta(hours=1))
        session.commit()
    settings = Settings(database_url=sqlite_file, db_busy_timeout_seconds=BUSY, retry_after_seconds=3,
                        import_runner=False, embedded_worker=False, import_storage_dir=tmp_path / "imports")
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {secret}"
        client.cookies.set(SESSION_COOKIE, URLSafeSerializer(settings.secret_key, salt="openvmi.portal.session")
                           .dumps(secret))  # the same login token signs the user in on the portal
        yield SimpleNamespace(client=client, item_id=item.id, url=sqlite_file, token_id=token.id,
                              sessions=sessions)


def test_reads_answer_at_once_with_the_last_committed_data_while_a_writer_holds_the_lock(world):
    client = world.client

    with write_lock_held(world.url, change=f"UPDATE item SET name = 'uncommitted' WHERE id = {world.item_id}"):
        answers = [client.get(f"/api/v1/items/{world.item_id}"), client.get("/api/v1/items"),
                   client.get("/items"), client.get("/readyz")]

    # a read that queued for the lock would have given up after BUSY with a 503
    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    assert answers[0].json()["name"] == "Hex bolt M8"
    assert "Hex bolt M8" in answers[2].text and "uncommitted" not in answers[2].text


def test_a_read_records_the_tokens_last_use_once_no_writer_holds_the_lock(world):
    def last_used():
        with world.sessions() as session:
            return session.scalar(select(ApiToken.last_used_at).where(ApiToken.id == world.token_id))

    with write_lock_held(world.url):
        assert world.client.get("/api/v1/items").status_code == 200
    assert last_used() is None  # skipped rather than waited for
    assert world.client.get("/api/v1/items").status_code == 200
    assert last_used() is not None


def test_a_writer_that_waits_too_long_is_told_to_retry_and_succeeds_afterwards(world):
    client, item_id = world.client, world.item_id

    with write_lock_held(world.url):
        started = time.monotonic()
        refused = client.patch(f"/api/v1/items/{item_id}", json={"name": "Hex bolt M8 zinc"})
        waited = time.monotonic() - started
    accepted = client.patch(f"/api/v1/items/{item_id}", json={"name": "Hex bolt M8 zinc"})

    assert refused.status_code == 503
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["retry-after"] == "3"
    assert refused.json()["code"] == "database_busy"
    assert BUSY <= waited < BUSY + 2
    assert accepted.status_code == 200 and accepted.json()["name"] == "Hex bolt M8 zinc"


def test_a_portal_form_that_waits_too_long_gets_a_translated_page_saying_to_retry(world):
    world.client.cookies.set(CSRF_COOKIE, "csrf-0123456789")

    with write_lock_held(world.url):
        refused = world.client.post("/language", data={"locale": "en", CSRF_FIELD: "csrf-0123456789"},
                                    headers={"Accept-Language": "zh-CN"}, follow_redirects=False)

    assert refused.status_code == 503 and refused.headers["retry-after"] == "3"
    assert refused.headers["content-type"].startswith("text/html")
    assert "服务暂不可用" in refused.text and "Traceback" not in refused.text


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_a_read_only_session_refuses_to_write_in_the_database_too(fresh_database):
    engine = create_db_engine(fresh_database)
    reader = create_session_factory(engine, read_only=True)

    with reader() as session, pytest.raises(DBAPIError, match="readonly database|read-only transaction"):
        session.connection().exec_driver_sql("UPDATE item SET name = name")
    with create_session_factory(engine)() as session:  # the pooled connection writes again
        session.connection().exec_driver_sql("UPDATE item SET name = name")
        session.commit()


@pytest.mark.parametrize("fresh_database", ["sqlite_file"], indirect=True)
def test_a_writer_reading_its_answer_after_its_commit_leaves_the_lock_to_the_next_writer(fresh_database):
    # a route commits, then reads its answer in the same session, which stays open until the answer is sent
    sessions = create_session_factory(create_db_engine(fresh_database))
    with sessions() as answering:
        supplier = make_party(answering)
        answering.commit()
        assert answering.scalar(select(Party.code).where(Party.id == supplier.id)) == supplier.code

        with sessions() as next_writer:  # another request, in this process or another one
            begin_without_waiting(next_writer)  # "busy" at once if the answer's read held the lock
            make_party(next_writer)
            next_writer.commit()


def queue_small_import(sessions, storage) -> int:
    with sessions() as session:
        supplier = make_party(session)
        site = make_location(session, kind="supplier_site", supplier_code=supplier.code)
        item = make_item(session)
        make_supplier_item(session, supplier=supplier, item=item)
        data = f"item_code,site,on_hand\n{item.code},{site.code},12\n".encode()
        batch = import_queue.queue_import(session, ImportRequest(supplier_code=supplier.code, filename="stock.csv"),
                                          stream=io.BytesIO(data), storage=storage, actor_id=None)
        session.commit()
        return batch.id


def import_state(sessions, import_id: int) -> tuple[str, int, str | None]:
    with sessions() as session:
        batch = session.scalars(select(SupplierStockImport).where(SupplierStockImport.id == import_id)).one()
        return batch.status, batch.attempts, batch.stored_file


@pytest.fixture
def runner_world(sqlite_file, tmp_path):
    engine = create_db_engine(sqlite_file, busy_timeout=0.1)
    writes = []  # every write transaction tried: each is a wait for the lock
    event.listen(engine, "before_cursor_execute",
                 lambda _conn, _cursor, statement, *_: writes.append(1) if statement == "BEGIN IMMEDIATE" else None)
    writers, readers = create_session_factory(engine), create_session_factory(engine, read_only=True)
    import_id = queue_small_import(writers, tmp_path)
    settings = Settings(database_url=sqlite_file, worker_poll_seconds=0.05)
    return ImportRunner(writers, settings, reads=readers), readers, import_id, writes, sqlite_file


def test_the_import_runner_waits_for_a_busy_database_without_spinning_or_failing_the_import(runner_world, caplog):
    runner, readers, import_id, writes, url = runner_world

    with caplog.at_level(logging.INFO, logger="openvmi.jobs.imports"), write_lock_held(url):
        runner.start()
        time.sleep(0.6)
        assert import_state(readers, import_id)[:2] == ("queued", 0)
        attempts_while_busy = len(writes)
    deadline = time.monotonic() + 10
    while import_state(readers, import_id)[0] != "applied" and time.monotonic() < deadline:
        time.sleep(0.02)
    runner.stop()

    assert import_state(readers, import_id)[:2] == ("applied", 1)
    assert 1 <= attempts_while_busy <= 8  # one try per poll and busy wait (0.15 s), not a spin
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_an_import_claimed_just_before_another_writer_starts_is_kept_and_run_later(runner_world, monkeypatch):
    runner, readers, import_id, _, url = runner_world
    holding = write_lock_held(url)
    claim = runner._claim

    def claim_then_lose_the_race():
        claimed = claim()
        holding.__enter__()  # another writer takes the lock between the claim and the import
        return claimed

    monkeypatch.setattr(runner, "_claim", claim_then_lose_the_race)
    try:
        assert runner.run_one() is False
        assert import_state(readers, import_id)[:2] == ("running", 1)
    finally:
        holding.__exit__(None, None, None)

    assert runner.run_one() is True
    assert import_state(readers, import_id)[:2] == ("applied", 1)  # the same claim, not a second attempt
