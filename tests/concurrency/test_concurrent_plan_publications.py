"""Buyers publishing demand plans at the same time: each gets its own version, numbered in commit order,
and each version holds exactly its own lines."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from openvmi.db import create_db_engine, create_session_factory
from openvmi.planning import service
from openvmi.planning.models import DemandPlanLine, DemandPlanVersion
from openvmi.planning.schemas import PlanPublish
from tests.service.planning.world import NOW, line, make_plan_world

PUBLISHERS = 6


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_simultaneous_publications_get_distinct_ordered_versions(fresh_database):
    engine = create_db_engine(fresh_database)
    sessions = create_session_factory(engine)
    with sessions() as session:
        world = make_plan_world(session)
        session.commit()
        plans = [PlanPublish(lines=[line(item, plant, n + 1, week=f"2026-W{50 + n % 2}")
                                    for item in world.items for plant in world.plants][:n + 1])
                 for n in range(PUBLISHERS)]
    start = threading.Barrier(PUBLISHERS)

    def publish(n: int) -> int:
        start.wait()
        with sessions() as session:
            publication = service.publish_plan(session, plans[n], actor=world.buyer, now=NOW)
            session.commit()
            return publication.version.number

    with ThreadPoolExecutor(max_workers=PUBLISHERS) as pool:
        numbers = list(pool.map(publish, range(PUBLISHERS)))

    assert sorted(numbers) == list(range(1, PUBLISHERS + 1))
    with sessions() as session:
        stored = session.execute(
            select(DemandPlanVersion.number, DemandPlanVersion.line_count, func.count(DemandPlanLine.id))
            .join(DemandPlanLine, DemandPlanLine.version_id == DemandPlanVersion.id)
            .group_by(DemandPlanVersion.number, DemandPlanVersion.line_count)).all()
    by_publisher = {number: n + 1 for n, number in enumerate(numbers)}
    assert {(number, count) for number, _, count in stored} == set(by_publisher.items())
    assert all(line_count == count for _, line_count, count in stored)
    engine.dispose()
