"""A changed rule fires at once: a threshold or an item's default low-water mark that puts stock
below it opens the alert in the same transaction, and moving the mark back resolves it."""
from decimal import Decimal

from sqlalchemy import select

from openvmi.alerts.models import Alert
from openvmi.catalog import service as catalog_service
from openvmi.catalog.schemas import ItemUpdate
from openvmi.supplier_stock.schemas import StockLineCreate, ThresholdSet
from openvmi.supplier_stock.service import lines, thresholds
from tests.builders import make_location, make_party, make_supplier_item
from tests.service.supplier_stock.world import make_world


def publish(session, supplier, item_code, site_code, on_hand):
    lines.create_supplier_stock(session, StockLineCreate(
        supplier_code=supplier.code, item_code=item_code, site_code=site_code, on_hand=Decimal(on_hand)),
        actor_id=None, source="api")


def alerts_of(session, item):
    return [(a.supplier_id, a.kind, a.status) for a in session.scalars(
        select(Alert).where(Alert.item_id == item.id).order_by(Alert.id))]


def test_raising_a_threshold_above_stock_opens_the_alert_and_lowering_it_resolves_it(session):
    # given 300 bolts on hand and no threshold
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    publish(session, world.supplier, bolt, site, 300)
    item = world.items[bolt]

    # when the buyer sets the low-water mark to 500
    thresholds.set_threshold(session, ThresholdSet(supplier_code=world.supplier.code, item_code=bolt,
                                                   low_water=Decimal(500)), actor_id=None)

    # then the alert is open at once, no sweep needed
    assert alerts_of(session, item) == [(world.supplier.id, "low_stock", "opened")]

    # and lowering the mark under the stock resolves it at once
    thresholds.set_threshold(session, ThresholdSet(supplier_code=world.supplier.code, item_code=bolt,
                                                   low_water=Decimal(200)), actor_id=None)
    assert alerts_of(session, item) == [(world.supplier.id, "low_stock", "resolved")]


def test_an_item_default_above_stock_opens_alerts_for_every_supplier_of_the_item_at_once(session):
    # given two suppliers with 300 bolts each, and no threshold anywhere
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    item = world.items[bolt]
    second = make_party(session)
    make_supplier_item(session, supplier=second, item=item)
    second_site = make_location(session, kind="supplier_site", supplier_code=second.code)
    publish(session, world.supplier, bolt, site, 300)
    publish(session, second, bolt, second_site.code, 900)

    # when the item's default low-water mark becomes 500
    catalog_service.update_item(session, item.id, ItemUpdate(default_low_water=Decimal(500)),
                                low_water_changed=thresholds.sync_item_alerts)

    # then the short supplier's alert is open, the other has none
    assert alerts_of(session, item) == [(world.supplier.id, "low_stock", "opened")]

    # and removing the default resolves it at once
    catalog_service.update_item(session, item.id, ItemUpdate(default_low_water=None),
                                low_water_changed=thresholds.sync_item_alerts)
    assert alerts_of(session, item) == [(world.supplier.id, "low_stock", "resolved")]


def test_an_item_change_that_keeps_the_default_checks_nothing(session):
    world = make_world(session)
    item = next(iter(world.items.values()))
    called = []

    catalog_service.update_item(session, item.id, ItemUpdate(name="Bolt, renamed"),
                                low_water_changed=lambda _session, item_id: called.append(item_id))

    assert called == []
