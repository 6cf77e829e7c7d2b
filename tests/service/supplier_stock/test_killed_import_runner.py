"""A real `openvmi worker` process killed in the middle of a queued import: nothing of the file is
written, and the next runner imports it whole once the dead one's lease has run out."""
import io
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, insert, select, update

from openvmi.catalog.models import Item, SupplierItem
from openvmi.db import create_db_engine, create_session_factory, utcnow
from openvmi.jobs.imports import ImportRunner
from openvmi.settings import Settings
from openvmi.supplier_stock.service import import_queue
from openvmi.supplier_stock.models import SupplierStock, SupplierStockHistory, SupplierStockImport
from openvmi.supplier_stock.schemas import ImportRequest
from tests.builders import make_location, make_party, unique

ITEMS = 40_000  # x 2 sites: long enough to be killed in the middle of, short enough for the suite


def seed_and_queue(sessions, storage: Path) -> tuple[int, str]:
    now = datetime.now(UTC)
    with sessions() as session:
        supplier = make_party(session, code=unique("S-BIG"))
        sites = [make_location(session, code=unique("WH"), kind="supplier_site", supplier_code=supplier.code)
                 for _ in range(2)]
        stem = unique("K")
        session.execute(insert(Item), [{"code": f"{stem}-{n:06d}", "name": f"Part {n}", "unit": "PCS",
                                        "active": True, "created_at": now} for n in range(ITEMS)])
        item_ids = session.scalars(select(Item.id).where(Item.code.like(f"{stem}-%")).order_by(Item.code)).all()
        session.execute(insert(SupplierItem), [
            {"supplier_id": supplier.id, "item_id": item_id, "supplier_part_number": f"P-{item_id}",
             "lead_time_days": 5, "moq": 0, "pack_size": 1, "active": True, "version": 1, "created_at": now}
            for item_id in item_ids])
        lines = ["物料编码,仓库,现存量"] + [f"{stem}-{n:06d},{site.code},{n % 900}.5" for site in sites
                                            for n in range(ITEMS)]
        data = ("\n".join(lines) + "\n").encode("utf-8")
        batch = import_queue.queue_import(session, ImportRequest(supplier_code=supplier.code, filename="all-stock.csv"),
                                     stream=io.BytesIO(data), storage=storage, actor_id=None)
        session.commit()
        return batch.id, batch.stored_file


def status_of(engine, import_id: int) -> tuple[str, int]:
    with engine.connect() as connection:
        return tuple(connection.execute(select(SupplierStockImport.status, SupplierStockImport.attempts)
                                        .where(SupplierStockImport.id == import_id)).one())


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_a_worker_killed_mid_import_writes_nothing_and_the_next_runner_imports_it_whole(fresh_database, tmp_path):
    engine = create_db_engine(fresh_database)
    sessions = create_session_factory(engine)
    import_id, stored_file = seed_and_queue(sessions, tmp_path)
    # A plain engine reads without waiting for the writer (the app's SQLite transactions all take
    # the write lock at BEGIN, so they would wait for the import to end).
    watcher = create_engine(fresh_database)

    # when a real worker claims the import and is killed while it reads and writes it
    env = {**os.environ, "OPENVMI_DATABASE_URL": fresh_database}
    worker = subprocess.Popen([sys.executable, "-m", "openvmi.cli", "worker"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while status_of(watcher, import_id)[0] == "queued" and time.monotonic() < deadline:
            time.sleep(0.005)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()

    # then the import is still claimed by the dead runner, and nothing of the file was written
    assert status_of(watcher, import_id) == ("running", 1)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(SupplierStock)) == 0
        assert session.scalar(select(func.count()).select_from(SupplierStockHistory)) == 0
    assert Path(stored_file).exists()

    # and once the dead runner's lease has run out, the next runner imports the file whole
    survivor = ImportRunner(sessions, Settings(database_url=fresh_database))
    assert survivor.run_pending() == 0  # the lease still holds
    with sessions() as session:
        session.execute(update(SupplierStockImport).where(SupplierStockImport.id == import_id)
                        .values(claimed_until=utcnow() - timedelta(seconds=1)))
        session.commit()
    assert survivor.run_pending() == 1
    assert status_of(watcher, import_id) == ("applied", 2)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(SupplierStock)) == 2 * ITEMS
    assert not Path(stored_file).exists()
    engine.dispose()
    watcher.dispose()
