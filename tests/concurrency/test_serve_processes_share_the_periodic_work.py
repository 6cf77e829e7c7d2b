"""`openvmi serve` starts one process per core and each runs the embedded periodic work: two of them
sweeping alerts or running queued imports on one database at the same moment do each thing once.
Each "process" here is an engine of its own on the same database, as a served process has."""
import io
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openvmi.alerts import service as alerts_service
from openvmi.alerts.models import Alert, OutboxMessage
from openvmi.alerts.schemas import WebhookEndpointCreate
from openvmi.alerts.targets import WebhookTargets
from openvmi.db import create_db_engine, create_session_factory, utcnow
from openvmi.jobs.alerts import sweep_every_alert
from openvmi.jobs.imports import ImportRunner
from openvmi.settings import Settings
from openvmi.supplier_stock.models import SupplierStockImport
from openvmi.supplier_stock.schemas import ImportRequest
from openvmi.supplier_stock.service import import_queue
from tests.service.supplier_stock.world import make_world, run_import, stock_of
from tests.unit.supplier_stock.files import csv_bytes

PROCESSES = 2


def engines_of_two_processes(url: str) -> list[sessionmaker[Session]]:
    return [create_session_factory(create_db_engine(url, **Settings(database_url=url).engine_options(web=False)))
            for _ in range(PROCESSES)]


def at_once(work, sessions: list[sessionmaker[Session]]) -> list:
    """`work(sessions)` in every process at the same moment; what each returned."""
    start = threading.Barrier(len(sessions))

    def started(own: sessionmaker[Session]):
        start.wait()
        return work(own)

    with ThreadPoolExecutor(max_workers=len(sessions)) as pool:
        return list(pool.map(started, sessions))


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_two_processes_sweeping_at_once_open_and_resolve_a_stale_data_alert_once(fresh_database):
    # given a supplier that published stock and an ERP's webhook endpoint for every alert
    processes = engines_of_two_processes(fresh_database)
    with processes[0]() as session:
        world = make_world(session)
        (bolt, *_), (site, _) = list(world.items), list(world.sites)
        run_import(session, world, csv_bytes([["物料编码", "仓库", "现存量"], [bolt, site, 12]]))
        alerts_service.create_webhook_endpoint(session, WebhookEndpointCreate(name="erp", url="http://127.0.0.1:9/"),
                                               targets=WebhookTargets.allowing(["127.0.0.1"]))
        session.commit()
        supplier_id = world.supplier.id

    # when both processes sweep at once a year later (the data is stale) ...
    year_later = utcnow() + timedelta(days=365)
    opened = at_once(lambda sessions: sweep_every_alert(sessions, now=year_later).opened, processes)
    # ... and again at once after the supplier published fresh stock
    with processes[0]() as session:
        run_import(session, world, csv_bytes([["物料编码", "仓库", "现存量"], [bolt, site, 13]]),
                   now=year_later)
        session.commit()
    resolved = at_once(lambda sessions: sweep_every_alert(sessions, now=year_later).resolved, processes)

    # then one alert was opened and resolved, and the ERP is told each once
    with processes[0]() as session:
        alerts = session.scalars(select(Alert).where(Alert.supplier_id == supplier_id,
                                                     Alert.kind == "stale_data")).all()
        events = Counter(session.scalars(select(OutboxMessage.event).where(
            OutboxMessage.alert_id.in_([alert.id for alert in alerts]))))
    assert (sum(opened), sum(resolved)) == (1, 1)
    assert [alert.status for alert in alerts] == ["resolved"]
    assert events == {"alert.opened": 1, "alert.resolved": 1}


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_two_processes_running_the_import_queue_at_once_run_each_queued_file_once(fresh_database, tmp_path):
    # given three stock files of one supplier waiting in the queue, oldest first
    processes = engines_of_two_processes(fresh_database)
    storage = tmp_path / "imports"  # every runner sees the same folder
    with processes[0]() as session:
        world = make_world(session)
        (bolt, nut, _), (site, _) = list(world.items), list(world.sites)
        queued = []
        for on_hand in (10, 20, 30):
            request = ImportRequest(supplier_code=world.supplier.code, filename=f"stock-{on_hand}.csv", mode="full")
            data = csv_bytes([["物料编码", "仓库", "现存量"], [bolt, site, on_hand], [nut, site, on_hand + 1]])
            queued.append(import_queue.queue_import(session, request, stream=io.BytesIO(data), storage=storage,
                                                    actor_id=None).id)
            session.commit()

    # when the import runners of both processes take up the queue at once
    settings = Settings(database_url=fresh_database, import_storage_dir=storage)
    runs = at_once(lambda sessions: ImportRunner(sessions, settings).run_pending(), processes)

    # then every file was imported once, and the newest one's figures stand
    with processes[0]() as session:
        imports = session.scalars(select(SupplierStockImport).where(SupplierStockImport.id.in_(queued))
                                  .order_by(SupplierStockImport.id)).all()
        stock = stock_of(session, world.supplier)
    assert sum(runs) == 3
    assert [(batch.status, batch.attempts) for batch in imports] == [("applied", 1)] * 3
    assert {key: on_hand for key, (on_hand, _) in stock.items()} == {(bolt, site): 30, (nut, site): 31}
    assert list(storage.iterdir()) == []  # no queued upload left behind
