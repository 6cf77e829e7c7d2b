"""Ten clicks on "Confirm import" of one dry run at the same time: one applies it, the others are
told it was already confirmed, and the history holds each change once."""
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from openvmi.access import Role
from openvmi.db import commit_refusal, create_db_engine, create_session_factory
from openvmi.errors import Conflict, InvalidImportFile
from openvmi.supplier_stock.models import SupplierStockHistory
from openvmi.supplier_stock.schemas import ImportRequest
from openvmi.supplier_stock.service import dry_runs, imports
from tests.builders import make_user
from tests.service.supplier_stock.world import make_world, stock_of
from tests.unit.supplier_stock.files import csv_bytes

CLICKS = 10


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_simultaneous_confirmations_of_one_dry_run_apply_it_once(fresh_database, tmp_path):
    engine = create_db_engine(fresh_database)
    sessions = create_session_factory(engine)
    header = ["物料编码", "仓库", "现存量"]
    with sessions() as session:
        world = make_world(session)
        (bolt, nut, _), (site, _) = list(world.items), list(world.sites)
        user_id = make_user(session, role=Role.SUPPLIER, supplier=world.supplier).id
        request = ImportRequest(supplier_code=world.supplier.code, filename="stock.csv")
        imports.import_supplier_stock(session, request, stream=io.BytesIO(csv_bytes([header, [bolt, site, 5],
                                                                                     [nut, site, 9]])), actor_id=None)
        checked = dry_runs.check_file(session, request, stream=io.BytesIO(csv_bytes([header, [bolt, site, 7]])),
                                      storage=tmp_path, keep_for=timedelta(minutes=5), actor_id=user_id)
        session.commit()
        import_id, supplier = checked.batch.id, world.supplier

    def click(_: int) -> str:
        start.wait()
        with sessions() as session:
            try:
                with commit_refusal(session, InvalidImportFile):
                    dry_runs.confirm_dry_run(session, import_id, actor_id=user_id)
                session.commit()
                return "applied"
            except Conflict as error:
                return str(error)

    start = threading.Barrier(CLICKS)
    with ThreadPoolExecutor(max_workers=CLICKS) as pool:
        answers = list(pool.map(click, range(CLICKS)))

    assert sorted(answers) == ["applied"] + ["this dry run was already confirmed"] * (CLICKS - 1)
    with sessions() as session:
        assert stock_of(session, supplier) == {(bolt, site): (7, 7), (nut, site): (0, 0)}
        assert session.scalar(select(func.count()).select_from(SupplierStockHistory)
                              .where(SupplierStockHistory.import_id == import_id)) == 2
    engine.dispose()
