"""One-line adjustments with versions, thresholds that open and resolve alerts, supplier isolation."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openvmi.alerts.models import Alert
from openvmi.db import utcnow
from openvmi.errors import Conflict, InvalidInput, NotFound
from openvmi.scoping import scope_to_supplier
from openvmi.supplier_stock import queries
from openvmi.supplier_stock.models import StockThreshold, SupplierStock
from openvmi.supplier_stock.schemas import (
    StockFilter, StockLineCreate, StockLineUpdate, ThresholdSet,
)
from openvmi.supplier_stock.service import lines, thresholds
from tests.builders import make_item, unique
from tests.service.supplier_stock.world import make_world, run_import
from tests.unit.supplier_stock.files import csv_bytes


def publish(session, world, item_code, site_code, on_hand, available=None):
    return lines.create_supplier_stock(session, StockLineCreate(
        supplier_code=world.supplier.code, item_code=item_code, site_code=site_code, on_hand=Decimal(on_hand),
        available=None if available is None else Decimal(available)), actor_id=None, source="api")


def alerts_of(session, world, item_code):
    return [(a.kind, a.status) for a in session.scalars(select(Alert).where(
        Alert.supplier_id == world.supplier.id, Alert.item_id == world.items[item_code].id).order_by(Alert.id))]


def test_an_adjustment_with_the_current_version_changes_the_line_and_keeps_history(session):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    line = publish(session, world, bolt, site, 10)

    lines.adjust_supplier_stock(session, line.id, StockLineUpdate(on_hand=Decimal(4)), expected_version=1,
                                  actor_id=None, source="portal")

    assert (line.on_hand, line.available, line.version) == (Decimal(4), Decimal(4), 2)
    history = queries.list_history(session, line.id)
    assert [(h.old_on_hand, h.new_on_hand, h.source) for h in history] == [
        (Decimal(10), Decimal(4), "portal"), (None, Decimal(10), "api")]


def test_a_stale_version_is_refused_not_overwritten(session):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    line = publish(session, world, bolt, site, 10)
    lines.adjust_supplier_stock(session, line.id, StockLineUpdate(on_hand=Decimal(8)), expected_version=1,
                                  actor_id=None, source="api")

    with pytest.raises(lines.StaleVersion):
        lines.adjust_supplier_stock(session, line.id, StockLineUpdate(on_hand=Decimal(3)), expected_version=1,
                                      actor_id=None, source="api")
    assert line.on_hand == Decimal(8)


def test_an_import_between_read_and_write_makes_the_read_stale(session):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    line = publish(session, world, bolt, site, 10)

    run_import(session, world, csv_bytes([["item", "site", "qty"], [bolt, site, 12]]), mode="delta")

    session.expire_all()
    with pytest.raises(lines.StaleVersion):
        lines.adjust_supplier_stock(session, line.id, StockLineUpdate(on_hand=Decimal(3)), expected_version=1,
                                      actor_id=None, source="api")


def test_available_above_on_hand_and_a_second_line_for_the_same_key_are_refused(session):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    with pytest.raises(InvalidInput):
        publish(session, world, bolt, site, 5, available=6)
    publish(session, world, bolt, site, 5)
    with pytest.raises(Conflict):
        publish(session, world, bolt, site, 7)


def test_crossing_below_the_low_water_opens_one_alert_and_going_back_resolves_it(session):
    # given a low-water mark of 100 for the bolt
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    thresholds.set_threshold(session, ThresholdSet(supplier_code=world.supplier.code, item_code=bolt,
                                                low_water=Decimal(100)), actor_id=None)
    header = ["item", "site", "qty"]

    # when stock falls below it, twice, then recovers
    run_import(session, world, csv_bytes([header, [bolt, site, 80]]))
    run_import(session, world, csv_bytes([header, [bolt, site, 60]]))
    assert alerts_of(session, world, bolt) == [("low_stock", "opened")]
    run_import(session, world, csv_bytes([header, [bolt, site, 150]]))

    # then exactly one alert opened and it is resolved
    assert alerts_of(session, world, bolt) == [("low_stock", "resolved")]


def test_the_item_default_low_water_applies_when_the_supplier_item_has_none(session):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    world.items[bolt].default_low_water = Decimal(50)
    session.flush()

    publish(session, world, bolt, site, 20)

    assert alerts_of(session, world, bolt) == [("low_stock", "opened")]


def test_a_high_water_mark_opens_a_high_stock_alert(session):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    publish(session, world, bolt, site, 500)

    thresholds.set_threshold(session, ThresholdSet(supplier_code=world.supplier.code, item_code=bolt,
                                                low_water=Decimal(10), high_water=Decimal(200)), actor_id=None)

    assert alerts_of(session, world, bolt) == [("high_stock", "opened")]


def test_a_threshold_for_an_item_the_supplier_does_not_supply_is_refused(session):
    world = make_world(session)
    foreign = make_item(session, code=unique("BRG"))

    with pytest.raises(InvalidInput) as refused:
        thresholds.set_threshold(session, ThresholdSet(supplier_code=world.supplier.code, item_code=foreign.code,
                                                    low_water=Decimal(1)), actor_id=None)

    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("item_code", f"{world.supplier.code} does not supply {foreign.code}")]
    assert session.scalar(select(func.count()).select_from(StockThreshold)) == 0


def test_a_supplier_user_sees_and_changes_only_its_own_stock(session):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    line = publish(session, world, bolt, site, 10)

    scope_to_supplier(session, world.other.id)
    assert queries.list_supplier_stock(session, StockFilter(), cursor=None, limit=50).items == []
    with pytest.raises(NotFound):
        lines.adjust_supplier_stock(session, line.id, StockLineUpdate(on_hand=Decimal(0)), expected_version=1,
                                      actor_id=None, source="api")
    with pytest.raises(NotFound):
        run_import(session, world, csv_bytes([["item", "site", "qty"], [bolt, site, 1]]))
    scope_to_supplier(session, None)


def test_a_supplier_that_stops_reporting_raises_a_stale_data_signal(session):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    publish(session, world, bolt, site, 10)
    world.supplier.stale_after_days = 3
    session.flush()

    fresh = [s for s in queries.stale_data_signals(session, now=utcnow()) if s.supplier_id == world.supplier.id]
    later = [s for s in queries.stale_data_signals(session, now=utcnow() + timedelta(days=4))
             if s.supplier_id == world.supplier.id]

    assert [s.active for s in fresh] == [False]
    assert [s.active for s in later] == [True]
    assert not any(s.supplier_id == world.other.id for s in later)  # never published: not stale


def test_line_fields_a_file_leaves_out_keep_their_value(session):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    run_import(session, world, csv_bytes([["item", "site", "qty", "lead time"], [bolt, site, 5, 9]]))

    run_import(session, world, csv_bytes([["item", "site", "qty"], [bolt, site, 6]]))

    line = session.scalars(select(SupplierStock).where(SupplierStock.supplier_id == world.supplier.id)).one()
    assert (line.on_hand, line.lead_time_days) == (Decimal(6), 9)
