"""Plan files: the supplier stock reader's encodings and layouts, a dry run, and a row-by-row report."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openvmi.errors import InvalidImportFile
from openvmi.planning import queries
from openvmi.planning.models import DemandPlanVersion
from tests.service.planning.world import TODAY, make_plan_world, publish_file
from tests.unit.supplier_stock.files import csv_bytes, xlsx_bytes


def test_a_gbk_file_with_a_title_line_weeks_and_days_is_published(session):
    world = make_plan_world(session)
    bolt, nut, _ = world.items
    plant = world.plants[0]
    data = csv_bytes([["2026年12月 要货计划"], ["物料编码", "工厂", "周", "日期", "需求数量"],
                      [bolt.code, plant.code, "2026-W50", "", "1,200"],
                      [nut.code, plant.code.lower(), "", "2026/12/9", 30],
                      ["合计", "", "", "", 1230]], encoding="gbk")

    published = publish_file(session, world, data)

    assert published.version.number == 1 and published.version.line_count == 2
    planned = queries.planned_quantities(session, TODAY, date(2026, 12, 31))
    assert {(p.item_id, p.day, p.quantity) for p in planned} == {
        (bolt.id, date(2026, 12, 7), Decimal(1200)), (nut.id, date(2026, 12, 9), Decimal(30))}


def test_a_dry_run_says_what_the_file_holds_and_publishes_nothing(session):
    world = make_plan_world(session)
    bolt, nut, _ = world.items
    data = xlsx_bytes([["Item code", "Plant", "Week", "Quantity", "Remark"],
                       [bolt.code, world.plants[0].code, "2026-W50", 10, "x"],
                       [nut.code, world.plants[1].code, "2026W51", 20, ""]])

    checked = publish_file(session, world, data, filename="plan.xlsx", dry_run=True).read()

    assert (checked.version, checked.line_count, checked.item_count, checked.plant_count) == (None, 2, 2, 2)
    assert (checked.first_day, checked.last_day) == (date(2026, 12, 7), date(2026, 12, 14))
    assert checked.ignored_columns == ["Remark"]
    assert session.scalar(select(func.count()).select_from(DemandPlanVersion)) == 0


def test_every_bad_row_is_reported_with_its_column_and_nothing_is_published(session):
    world = make_plan_world(session)
    bolt, nut, gear = world.items
    plant = world.plants[0].code
    data = csv_bytes([["item", "plant", "date", "week", "qty"],
                      [bolt.code, plant, "2026-12-08", "", "12"],
                      ["NOPE", plant, "2026-12-08", "", "1"],
                      [nut.code, "PLANT-X", "2026-12-08", "", "1"],
                      [gear.code, plant, "2026-12-08", "", "-5"],
                      [gear.code, plant, "2026-12-09", "", "lots"],
                      [gear.code, plant, "2026-13-01", "", "1"],
                      [gear.code, plant, "", "2026-W99", "1"],
                      [bolt.code, plant, "2026-12-08", "", "3"],
                      [nut.code, plant, "", "", "3"]])

    with pytest.raises(InvalidImportFile) as refused:
        publish_file(session, world, data)

    assert [(e.row, e.column, e.reason) for e in refused.value.errors] == [
        (3, "item", "unknown item code"),
        (4, "plant", "unknown plant code"),
        (5, "qty", "negative quantity"),
        (6, "qty", "not a number"),
        (7, "date", "not a valid date"),
        (8, "week", "no such week: 2026 has no week 99"),
        (9, "date", "duplicate: the same item, plant and date as row 2"),
        (10, "date", "no date or week given"),
    ]
    assert session.scalar(select(func.count()).select_from(DemandPlanVersion)) == 0


def test_a_file_without_a_plant_column_is_refused_at_its_header(session):
    world = make_plan_world(session)
    data = csv_bytes([["物料编码", "日期", "数量"], [world.items[0].code, "2026-12-08", 1]])

    with pytest.raises(InvalidImportFile) as refused:
        publish_file(session, world, data)

    assert [(e.row, e.reason) for e in refused.value.errors] == [(1, "no plant column: expected e.g. 工厂/plant")]


def test_the_same_file_retried_under_its_key_is_published_once(session):
    world = make_plan_world(session)
    data = csv_bytes([["item", "plant", "week", "qty"], [world.items[0].code, world.plants[0].code, "2026-W50", 5]])

    first = publish_file(session, world, data, key="upload-1")
    again = publish_file(session, world, data, key="upload-1")

    assert again.replayed and again.version.number == first.version.number
    assert session.scalar(select(func.count()).select_from(DemandPlanVersion)) == 1
