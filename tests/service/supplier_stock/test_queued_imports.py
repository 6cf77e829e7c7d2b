"""Big files wait in a queue: a runner claims one with a lease and imports it all or nothing; a
runner that dies gives it back when its lease ends; a broken runner never loses the file silently."""
import io
import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from openvmi.db import utcnow
from openvmi.errors import IdempotencyMismatch
from openvmi.jobs.imports import ImportRunner
from openvmi.settings import Settings
from openvmi.supplier_stock.models import SupplierStockHistory
from openvmi.supplier_stock.schemas import ImportRequest
from openvmi.supplier_stock.service import import_queue, staging
from tests.service.supplier_stock.world import make_world, run_import, stock_of
from tests.unit.supplier_stock.files import csv_bytes

LEASE = timedelta(minutes=15)


@pytest.fixture
def runner(session, tmp_path):
    """A runner whose sessions are the test's (commits release savepoints of its transaction)."""
    sessions = sessionmaker(bind=session.connection(), join_transaction_mode="create_savepoint",
                            expire_on_commit=False)
    return ImportRunner(sessions, Settings(import_storage_dir=tmp_path, import_max_attempts=2))


def queue(session, world, data: bytes, storage, *, key: str | None = None, dry_run: bool = False):
    request = ImportRequest(supplier_code=world.supplier.code, filename="big.csv", mode="full", dry_run=dry_run,
                            encoding="gb18030")
    batch = import_queue.queue_import(session, request, stream=io.BytesIO(data), storage=storage, actor_id=None,
                                 idempotency_key=key)
    session.commit()
    return batch


def good_file(world, on_hand: str = "40") -> bytes:
    (bolt, nut, _), (site, _) = list(world.items), list(world.sites)
    return csv_bytes([["物料编码", "仓库", "现存量"], [bolt, site, on_hand], [nut, site, "7"]], encoding="gbk")


def test_a_queued_file_is_imported_by_the_runner_and_its_upload_removed(session, runner, tmp_path):
    world = make_world(session)
    batch = queue(session, world, good_file(world), tmp_path)
    stored = batch.stored_file
    assert batch.status == "queued" and stored and (tmp_path / stored.rsplit("/", 1)[-1]).exists()
    assert stock_of(session, world.supplier) == {}  # nothing until a runner takes it

    assert runner.run_pending() == 1

    session.refresh(batch)
    assert (batch.status, batch.encoding, batch.new_count, batch.attempts) == ("applied", "gb18030", 2, 1)
    (bolt, nut, _), (site, _) = list(world.items), list(world.sites)
    assert stock_of(session, world.supplier) == {(bolt, site): (Decimal(40), Decimal(40)),
                                                 (nut, site): (Decimal(7), Decimal(7))}
    assert list(tmp_path.iterdir()) == []  # the upload does not pile up
    assert runner.run_pending() == 0


def test_a_bad_queued_file_is_rejected_with_its_rows_and_writes_nothing(session, runner, tmp_path):
    world = make_world(session)
    (bolt, _, _), (site, _) = list(world.items), list(world.sites)
    batch = queue(session, world, csv_bytes([["物料编码", "仓库", "现存量"], [bolt, site, "5"],
                                             ["NO-SUCH", site, "-1"]], encoding="gbk"), tmp_path)

    runner.run_pending()

    session.refresh(batch)
    assert batch.status == "rejected" and batch.error_count == 2
    assert {(e["row"], e["column"]) for e in batch.errors} == {(3, "物料编码"), (3, "现存量")}
    assert stock_of(session, world.supplier) == {}
    assert list(tmp_path.iterdir()) == []


def test_an_import_whose_runner_died_is_taken_up_again_when_the_lease_ends(session, runner, tmp_path):
    world = make_world(session)
    batch = queue(session, world, good_file(world), tmp_path)
    # a runner claimed it and was killed before it committed anything
    dead = import_queue.claim_queued_import(session, worker_id="dead-runner", now=utcnow(), lease=LEASE)
    session.commit()
    assert dead is not None and dead.id == batch.id

    assert runner.run_pending() == 0  # the lease still holds: nobody else may take it

    batch.claimed_until = utcnow() - timedelta(seconds=1)  # the lease ran out
    session.commit()
    assert runner.run_pending() == 1
    session.refresh(batch)
    assert (batch.status, batch.attempts, batch.claimed_by) == ("applied", 2, runner.worker_id)
    assert len(stock_of(session, world.supplier)) == 2


def test_an_import_that_kills_runner_after_runner_fails_instead_of_looping(session, runner, tmp_path):
    world = make_world(session)
    batch = queue(session, world, good_file(world), tmp_path)
    for attempt in range(2):  # import_max_attempts = 2 runners die on it
        died_at = utcnow() - LEASE * (4 - 2 * attempt)  # each one's lease has run out since
        import_queue.claim_queued_import(session, worker_id=f"dead-{attempt}", now=died_at, lease=LEASE)
        session.commit()

    assert runner.run_pending() == 1

    session.refresh(batch)
    assert batch.status == "failed" and "interrupted 2 times" in batch.errors[0]["reason"]
    assert stock_of(session, world.supplier) == {} and list(tmp_path.iterdir()) == []


def test_an_unexpected_error_fails_the_import_visibly_and_changes_nothing(session, runner, tmp_path, monkeypatch):
    world = make_world(session)
    batch = queue(session, world, good_file(world), tmp_path)

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(staging, "apply_changes", broken)

    runner.run_pending()

    session.refresh(batch)
    assert batch.status == "failed" and "unexpected error" in batch.errors[0]["reason"]
    assert "disk on fire" not in batch.errors[0]["reason"]  # internals stay in the server log
    assert stock_of(session, world.supplier) == {}
    assert session.scalar(select(func.count()).select_from(SupplierStockHistory)) == 0


def test_a_runner_that_lost_its_claim_writes_nothing(session, tmp_path):
    world = make_world(session)
    batch = queue(session, world, good_file(world), tmp_path)
    import_queue.claim_queued_import(session, worker_id="slow-runner", now=utcnow() - 2 * LEASE, lease=LEASE)
    session.commit()
    import_queue.claim_queued_import(session, worker_id="new-runner", now=utcnow(), lease=LEASE)
    session.commit()

    assert import_queue.run_queued_import(session, batch.id, worker_id="slow-runner") is None
    assert stock_of(session, world.supplier) == {}


def test_a_suppliers_newer_file_waits_while_its_older_one_runs_in_another_process(session, runner, tmp_path):
    # given two files of one supplier in the queue, and another process's runner working on the older one
    world = make_world(session)
    older = queue(session, world, good_file(world, "10"), tmp_path)
    newer = queue(session, world, good_file(world, "20"), tmp_path)
    taken = import_queue.claim_queued_import(session, worker_id="other-process", now=utcnow(), lease=LEASE)
    session.commit()
    assert taken is not None and taken.id == older.id

    # then this process takes nothing: the newer file would be applied first and the older refused after it
    assert import_queue.claim_queued_import(session, worker_id=runner.worker_id, now=utcnow(), lease=LEASE) is None

    # once the older one is done, the newer one runs, and its figures stand
    assert import_queue.run_queued_import(session, older.id, worker_id="other-process") is not None
    session.commit()
    assert runner.run_pending() == 1
    session.refresh(older)
    session.refresh(newer)
    assert (older.status, newer.status) == ("applied", "applied")
    assert stock_of(session, world.supplier)[(list(world.items)[0], list(world.sites)[0])][0] == Decimal("20")


def test_progress_is_visible_while_the_runner_reads_the_file(session, tmp_path):
    world = make_world(session)
    batch = queue(session, world, good_file(world), tmp_path)
    import_queue.claim_queued_import(session, worker_id="me", now=utcnow(), lease=LEASE)
    seen = []

    import_queue.run_queued_import(session, batch.id, worker_id="me",
                              progress=lambda done, total: seen.append(import_queue.import_progress(batch)))

    assert seen and seen[-1] == 1.0
    assert import_queue.import_progress(batch) is None  # finished: the record tells the rest


def test_the_same_idempotency_key_queues_once(session, tmp_path):
    world = make_world(session)
    first = queue(session, world, good_file(world), tmp_path, key="upload-7")

    again = queue(session, world, good_file(world), tmp_path, key="upload-7")

    assert again.id == first.id and len(list(tmp_path.iterdir())) == 1
    with pytest.raises(IdempotencyMismatch):
        queue(session, world, good_file(world, on_hand="41"), tmp_path, key="upload-7")
    assert len(list(tmp_path.iterdir())) == 1


def test_a_queued_file_taken_up_after_a_newer_one_was_applied_does_not_overwrite_it(session, runner, tmp_path):
    # given file A queued, claimed by a server that was killed before it committed anything
    world = make_world(session)
    older = queue(session, world, good_file(world, on_hand="40"), tmp_path)
    import_queue.claim_queued_import(session, worker_id="killed-server", now=utcnow() - 2 * LEASE, lease=LEASE)
    session.commit()
    # and, after the restart, file B imported at once
    newer = run_import(session, world, good_file(world, on_hand="55")).batch
    session.commit()

    # when A's lease has run out and a runner takes it up again
    assert runner.run_pending() == 1

    # then B's figures stand, and A says why it was not applied
    session.refresh(older)
    (bolt, _, _), (site, _) = list(world.items), list(world.sites)
    assert stock_of(session, world.supplier)[(bolt, site)] == (Decimal(55), Decimal(55))
    assert older.status == "rejected"
    assert older.errors[0]["reason"].startswith(f"a newer import (no. {newer.id}) was applied at ")
    assert list(tmp_path.iterdir()) == []


def test_an_older_file_still_applies_when_nothing_newer_was(session, runner, tmp_path):
    world = make_world(session)
    first = queue(session, world, good_file(world, on_hand="40"), tmp_path)
    second = queue(session, world, good_file(world, on_hand="41"), tmp_path)

    assert runner.run_pending() == 2

    session.refresh(first)
    session.refresh(second)
    assert (first.status, second.status) == ("applied", "applied")  # queue order: the newer one last
    (bolt, _, _), (site, _) = list(world.items), list(world.sites)
    assert stock_of(session, world.supplier)[(bolt, site)] == (Decimal(41), Decimal(41))


def test_kept_uploads_no_import_waits_for_are_swept_once_no_request_can_still_be_writing_them(session, runner, tmp_path):
    world = make_world(session)
    waiting = queue(session, world, good_file(world), tmp_path)
    orphan, young = tmp_path / "supplier-stock-crashed.upload", tmp_path / "supplier-stock-in-flight.upload"
    orphan.write_bytes(b"left by a process killed before its commit")
    young.write_bytes(b"a request still writing its import")
    an_hour_ago = (utcnow() - timedelta(hours=1)).timestamp()
    os.utime(orphan, (an_hour_ago, an_hour_ago))
    os.utime(tmp_path / waiting.stored_file.rsplit("/", 1)[-1], (an_hour_ago, an_hour_ago))

    assert runner.sweep_orphan_files() == 1

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([young.name, waiting.stored_file.rsplit("/", 1)[-1]])


def test_a_progress_file_left_by_a_killed_runner_is_swept_once_its_import_has_ended(session, runner, tmp_path):
    # given a runner killed while it read a file: its progress figure stays beside the upload
    world = make_world(session)
    ended = queue(session, world, good_file(world), tmp_path)
    running = queue(session, world, good_file(world, "41"), tmp_path)
    left_behind, still_read = (Path(f"{batch.stored_file}.progress") for batch in (ended, running))
    left_behind.write_text("5000 20000")
    Path(f"{left_behind}.partial").write_text("10000 20000")
    still_read.write_text("5000 20000")
    an_hour_ago = (utcnow() - timedelta(hours=1)).timestamp()
    for path in tmp_path.iterdir():
        os.utime(path, (an_hour_ago, an_hour_ago))
    # the first import then ended without running again (its upload is gone)
    Path(ended.stored_file).unlink()

    assert runner.sweep_orphan_files() == 2

    # what a running import still reads from survives: its upload and its progress
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([Path(running.stored_file).name, still_read.name])
