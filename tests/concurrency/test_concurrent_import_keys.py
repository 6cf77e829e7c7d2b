"""Twenty uploads of one file with one Idempotency-Key at the same time, answered at once or queued:
all get the one import, it is applied once, and no kept upload is left behind."""
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openvmi.db import commit_refusal, create_db_engine, create_session_factory
from openvmi.errors import InvalidImportFile
from openvmi.jobs.imports import ImportRunner
from openvmi.settings import Settings
from openvmi.supplier_stock.models import SupplierStockImport
from openvmi.supplier_stock.schemas import ImportRequest
from openvmi.supplier_stock.service import import_queue, imports
from tests.service.supplier_stock.world import make_world, stock_of
from tests.unit.supplier_stock.files import csv_bytes

UPLOADS = 20


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_twenty_simultaneous_uploads_with_one_key_all_get_the_one_import(fresh_database, tmp_path):
    engine = create_db_engine(fresh_database)
    sessions = create_session_factory(engine)
    with sessions() as session:
        world = make_world(session)
        session.commit()
        (bolt, nut, _), (site, _) = list(world.items), list(world.sites)
        supplier = world.supplier
    data = csv_bytes([["物料编码", "仓库", "现存量"], [bolt, site, 12], [nut, site, 3]])
    request = ImportRequest(supplier_code=supplier.code, filename="stock.csv")
    storage = tmp_path / "imports"

    def answered_at_once(_: int) -> tuple[int, bool]:
        start.wait()
        with sessions() as session, commit_refusal(session, InvalidImportFile):
            outcome = imports.import_supplier_stock(session, request, stream=io.BytesIO(data), actor_id=None,
                                                    idempotency_key="erp-run-7")
            session.commit()
            return outcome.batch.id, outcome.replayed

    def queued(_: int) -> int:
        start.wait()
        with sessions() as session:
            batch = import_queue.queue_import(session, request, stream=io.BytesIO(data), storage=storage,
                                              actor_id=None, idempotency_key="erp-run-8")
            session.commit()
            return batch.id

    # when twenty retries of one upload arrive together, answered in the request
    start = threading.Barrier(UPLOADS)
    with ThreadPoolExecutor(max_workers=UPLOADS) as pool:
        at_once = list(pool.map(answered_at_once, range(UPLOADS)))
    # and twenty more of another run, queued
    start = threading.Barrier(UPLOADS)
    with ThreadPoolExecutor(max_workers=UPLOADS) as pool:
        queued_ids = list(pool.map(queued, range(UPLOADS)))
    runner = ImportRunner(sessions, Settings(database_url=fresh_database, import_storage_dir=storage))

    # then each run is one import, applied once, every retry answered with it
    assert len({import_id for import_id, _ in at_once}) == 1
    assert sum(not replayed for _, replayed in at_once) == 1
    assert len(set(queued_ids)) == 1
    assert runner.run_pending() == 1
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(SupplierStockImport)) == 2
        assert session.get(SupplierStockImport, queued_ids[0]).status == "applied"
        assert stock_of(session, supplier)[(bolt, site)] == (Decimal(12), Decimal(12))
    assert list(storage.iterdir()) == []  # no kept upload left behind
    engine.dispose()
