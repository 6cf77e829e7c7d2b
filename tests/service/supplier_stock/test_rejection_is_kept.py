"""Every entrypoint commits a rejected import the same way (db.commit_refusal): the rejection and
its error report are kept, and nothing else the request did is."""
import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from openvmi.alerts.models import Alert, OutboxMessage
from openvmi.db import commit_refusal
from openvmi.errors import InvalidImportFile
from openvmi.supplier_stock.models import (
    SupplierColumnMapping, SupplierStockHistory, SupplierStockImport,
)
from openvmi.supplier_stock.schemas import ImportRequest, ThresholdSet
from openvmi.supplier_stock.service import imports, thresholds
from tests.service.supplier_stock.world import make_world, run_import, stock_of
from tests.unit.supplier_stock.files import csv_bytes


@pytest.fixture
def requests(session):
    """Sessions like a request's, inside the test's transaction (a commit releases a savepoint)."""
    return sessionmaker(bind=session.connection(), join_transaction_mode="create_savepoint", expire_on_commit=False)


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_a_rejected_file_is_recorded_and_nothing_else_of_the_request_is(session, requests):
    # given published stock, and a low-water mark the new figures would cross
    world = make_world(session)
    (bolt, nut, _), (site, _) = list(world.items), list(world.sites)
    run_import(session, world, csv_bytes([["item", "site", "qty"], [bolt, site, 50], [nut, site, 60]]))
    thresholds.set_threshold(session, ThresholdSet(supplier_code=world.supplier.code, item_code=bolt,
                                                   low_water=Decimal(10)), actor_id=None)
    session.commit()
    history_before = count(session, SupplierStockHistory)

    # when a request uploads a full snapshot with good rows, one bad row, and a mapping to save
    data = csv_bytes([["料号", "库位", "数量"], [bolt, site, "2"], ["NO-SUCH-ITEM", site, "1"]])
    request = ImportRequest(supplier_code=world.supplier.code, filename="bad.csv", mode="full",
                            mapping={"item_code": "料号", "site": "库位", "on_hand": "数量"}, save_mapping=True)
    with requests() as answering, pytest.raises(InvalidImportFile) as refused:
        with commit_refusal(answering, InvalidImportFile):
            imports.import_supplier_stock(answering, request, stream=io.BytesIO(data), actor_id=None)

    # then the rejection is committed with its error report
    batch = session.get(SupplierStockImport, refused.value.import_id, populate_existing=True)
    assert (batch.status, batch.error_count, batch.row_count) == ("rejected", 1, 2)
    assert [(e["row"], e["column"]) for e in batch.errors] == [(3, "料号")]
    # and nothing the file would have changed: stock, history, the saved mapping, alerts, mail
    assert stock_of(session, world.supplier) == {(bolt, site): (Decimal(50), Decimal(50)),
                                                 (nut, site): (Decimal(60), Decimal(60))}
    assert count(session, SupplierStockHistory) == history_before
    assert count(session, SupplierColumnMapping, SupplierColumnMapping.supplier_id == world.supplier.id) == 0
    assert count(session, Alert, Alert.supplier_id == world.supplier.id) == 0
    assert count(session, OutboxMessage) == 0


def test_an_unexpected_error_commits_nothing_not_even_the_import(session, requests):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    session.commit()
    request = ImportRequest(supplier_code=world.supplier.code, filename="good.csv")

    # when the import went through but the request fails before it commits
    with requests() as answering, pytest.raises(RuntimeError):
        with commit_refusal(answering, InvalidImportFile):
            imports.import_supplier_stock(answering, request, actor_id=None,
                                          stream=io.BytesIO(csv_bytes([["item", "site", "qty"], [bolt, site, 5]])))
            raise RuntimeError("the answer could not be written")

    # then neither the stock nor the import record is kept
    assert stock_of(session, world.supplier) == {}
    assert count(session, SupplierStockImport, SupplierStockImport.supplier_id == world.supplier.id) == 0
