"""Ten clicks on "Publish this plan" of one checked plan file at the same time: one version is
published, the other clicks are told the check was used."""
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from openvmi.db import create_db_engine, create_session_factory
from openvmi.planning import service
from openvmi.planning.models import DemandPlanLine, DemandPlanVersion
from openvmi.planning.schemas import PlanUploadRequest
from tests.service.planning.world import make_plan_world
from tests.unit.supplier_stock.files import csv_bytes

CLICKS = 10


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_simultaneous_publications_of_one_check_publish_it_once(fresh_database, tmp_path):
    engine = create_db_engine(fresh_database)
    sessions = create_session_factory(engine)
    with sessions() as session:
        world = make_plan_world(session)
        data = csv_bytes([["item", "plant", "week", "quantity"],
                          [world.items[0].code, world.plants[0].code, "2099-W10", 40],
                          [world.items[1].code, world.plants[0].code, "2099-W10", 60]])
        check_id = service.check_plan_file(session, PlanUploadRequest(filename="plan.csv"), stream=io.BytesIO(data),
                                           actor=world.buyer, storage=tmp_path, keep_for=timedelta(minutes=5)).check.id
        session.commit()
        buyer = world.buyer

    def click(_: int) -> str:
        start.wait()
        with sessions() as session:
            try:
                service.publish_checked_plan(session, check_id, actor=buyer)
                session.commit()
                return "published"
            except service.PlanCheckNotKept as error:
                return error.code

    start = threading.Barrier(CLICKS)
    with ThreadPoolExecutor(max_workers=CLICKS) as pool:
        answers = list(pool.map(click, range(CLICKS)))

    assert sorted(answers) == ["plan_check_not_kept"] * (CLICKS - 1) + ["published"]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(DemandPlanVersion)) == 1
        assert session.scalar(select(func.count()).select_from(DemandPlanLine)) == 2
    engine.dispose()
