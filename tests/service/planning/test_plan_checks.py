"""A checked plan file is kept for its checker: published from the kept copy, and swept once used or expired."""
import io
import os
from datetime import timedelta

from openvmi.planning import service
from openvmi.planning.schemas import PlanUploadRequest
from tests.service.planning.world import NOW, make_plan_world
from tests.unit.supplier_stock.files import csv_bytes


def plan_file(world, quantity: int) -> io.BytesIO:
    return io.BytesIO(csv_bytes([["item", "plant", "week", "quantity"],
                                 [world.items[0].code, world.plants[0].code, "2026-W50", quantity]]))


def check(session, world, storage, quantity: int, *, keep_for=timedelta(minutes=60)):
    return service.check_plan_file(session, PlanUploadRequest(filename="plan.csv"), stream=plan_file(world, quantity),
                                   actor=world.buyer, storage=storage, keep_for=keep_for, now=NOW).check


def test_the_sweep_deletes_used_and_expired_checks_and_keeps_a_live_one(session, tmp_path):
    world = make_plan_world(session)
    used, expired, live = (check(session, world, tmp_path, 10), check(session, world, tmp_path, 20),
                           check(session, world, tmp_path, 30))
    paths = {name: os.path.basename(row.stored_file) for name, row in
             (("used", used), ("expired", expired), ("live", live))}
    published = service.publish_checked_plan(session, used.id, actor=world.buyer, now=NOW)
    expired.kept_until = NOW - timedelta(minutes=1)
    session.flush()

    removed = service.sweep_kept_plan_files(session, tmp_path, modified_before=NOW + timedelta(days=3650),
                                            now=NOW)

    assert published.version is not None and used.version_id == published.version.id
    assert sorted(p.name for p in removed) == sorted([paths["used"], paths["expired"]])
    assert [p.name for p in tmp_path.iterdir()] == [paths["live"]]
