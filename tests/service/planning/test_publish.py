"""Publishing demand plans: versions, the current plan, bad lines refused whole, retries, a supplier's slice."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openvmi.errors import IdempotencyMismatch, InvalidInput, NotFound
from openvmi.planning import queries
from openvmi.planning.models import DemandPlanLine, DemandPlanVersion
from openvmi.planning.rules import Change
from openvmi.scoping import scope_to_supplier
from tests.service.planning.world import TODAY, line, make_plan_world, publish

MONDAY_W50 = date(2026, 12, 7)


def versions(session) -> int:
    return session.scalar(select(func.count()).select_from(DemandPlanVersion))


def test_each_publication_is_the_next_version_and_the_last_one_counts(session):
    # given a plan of one week for a bolt and one day for a nut
    world = make_plan_world(session)
    bolt, nut, _ = world.items
    plant = world.plants[0]
    first = publish(session, world, line(bolt, plant, 100, week="2026-W50"), line(nut, plant, 5, day=MONDAY_W50))

    # when the buyer publishes again with the week doubled
    second = publish(session, world, line(bolt, plant, 200, week="2026-W50"))

    # then versions are numbered in order and only the second one's figures count
    assert second.version.number == first.version.number + 1
    assert queries.get_current_version(session).number == second.version.number
    planned = queries.planned_quantities(session, TODAY, TODAY + timedelta(days=56))
    assert [(p.item_id, p.day, p.quantity) for p in planned] == [(bolt.id, MONDAY_W50, Decimal(200))]


def test_a_week_counts_on_its_monday_and_the_week_under_way_on_the_first_day(session):
    # given this week (W49, started Monday 30 Nov) and next week, each as a whole week, and a day
    world = make_plan_world(session)
    bolt, nut, _ = world.items
    plant, other_plant = world.plants
    publish(session, world, line(bolt, plant, 70, week="2026-W49"), line(bolt, plant, 35, week="2026-W50"),
            line(bolt, other_plant, 8, day=date(2026, 12, 9)), line(nut, plant, 1, day=date(2027, 3, 1)))

    # when replenishment asks for the bolt over two weeks from today
    planned = queries.planned_quantities(session, TODAY, TODAY + timedelta(days=13), item_ids=[bolt.id])

    # then the week under way falls on today, next week on its Monday, the day on its day
    assert [(p.plant_id, p.day, p.quantity) for p in planned] == [
        (plant.id, TODAY, Decimal(70)), (plant.id, MONDAY_W50, Decimal(35)), (other_plant.id, date(2026, 12, 9), 8)]
    only_other = queries.planned_quantities(session, TODAY, TODAY + timedelta(days=13), plant_ids=[other_plant.id])
    assert [p.quantity for p in only_other] == [Decimal(8)]


def test_every_bad_line_is_named_and_nothing_is_published(session):
    world = make_plan_world(session)
    bolt, nut, gear = world.items
    plant = world.plants[0]
    before = versions(session)
    bad = [
        line(bolt, plant, 10, week="2026-W50"),
        line(nut, plant, 10, day=MONDAY_W50).model_copy(update={"item_code": "NO-SUCH-ITEM"}),
        line(gear, plant, 10, day=MONDAY_W50).model_copy(update={"plant_code": "NO-SUCH-PLANT"}),
        line(nut, plant, 10, week="2026-W54"),
        line(nut, plant, 10, week="2026-W40"),
        line(nut, plant, 3, day=TODAY - timedelta(days=1)),
        line(bolt, plant, 11, week="2026-W50"),
        line(bolt, plant, 12, day=MONDAY_W50 + timedelta(days=1)),
    ]

    with pytest.raises(InvalidInput) as refused:
        publish(session, world, *bad)

    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("lines[1].item_code", "unknown item code"),
        ("lines[2].plant_code", "unknown plant code"),
        ("lines[3].week", "no such week: 2026 has no week 54"),
        ("lines[4].week", "week is in the past"),
        ("lines[5].day", "date is in the past"),
        ("lines[6].week", "duplicate: the same item, plant and week as row 1"),
        ("lines[7].day", "week 2026-W50 is given whole in row 1 and by its days here"),
    ]
    assert versions(session) == before


def test_a_retry_with_the_same_key_returns_the_first_version_and_another_plan_is_refused(session):
    world = make_plan_world(session)
    bolt = world.items[0]
    plant = world.plants[0]
    plan = line(bolt, plant, 10, week="2026-W50")
    first = publish(session, world, plan, key="mrp-run-1")

    again = publish(session, world, plan, key="mrp-run-1")

    assert again.replayed and again.version.id == first.version.id
    assert queries.latest_number(session) == first.version.number
    with pytest.raises(IdempotencyMismatch):
        publish(session, world, line(bolt, plant, 11, week="2026-W50"), key="mrp-run-1")


def test_a_supplier_sees_its_own_items_and_a_sharp_rise_stands_out(session):
    # given two versions: the second raises the bolt's week 50 from 100 to 400 and the nut a little
    world = make_plan_world(session)
    bolt, nut, gear = world.items
    plant = world.plants[0]
    publish(session, world, line(bolt, plant, 100, week="2026-W50"), line(nut, plant, 100, week="2026-W50"),
            line(gear, plant, 50, week="2026-W50"))
    publish(session, world, line(bolt, plant, 400, week="2026-W50"), line(nut, plant, 110, week="2026-W50"),
            line(gear, plant, 900, week="2026-W51"))
    version = queries.get_current_version(session)

    # when the supplier of the bolt and the nut looks
    scope_to_supplier(session, world.supplier.id)
    changes = queries.week_changes(session, version)
    lines = queries.list_lines(session, version, queries.LineFilter(), cursor=None, limit=100)

    # then it sees its two items only, the bolt's week marked as a sharp rise
    assert {(c.item_code, c.week, c.previous, c.current, c.change) for c in changes.items} == {
        (bolt.code, "2026-W50", 100, 400, Change.UP_SHARPLY), (nut.code, "2026-W50", 100, 110, Change.UP)}
    assert {entry.item_code for entry in lines.items} == {bolt.code, nut.code}
    assert session.scalars(select(DemandPlanLine).where(DemandPlanLine.item_id == gear.id)).all() == []
    # and the planned quantities replenishment reads are its own items' too
    planned = queries.planned_quantities(session, date(2026, 12, 1), date(2026, 12, 31))
    assert {p.item_id for p in planned} == {bolt.id, nut.id}


def test_without_a_plan_there_is_no_current_version_and_nothing_planned(session):
    with pytest.raises(NotFound):
        queries.get_current_version(session)
    assert queries.planned_quantities(session, TODAY, TODAY + timedelta(days=7)) == []
