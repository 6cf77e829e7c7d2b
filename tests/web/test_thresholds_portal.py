"""Alert thresholds in the portal: a buyer sets a supplier item's marks and sees where its stock
stands; a supplier sees the marks on its own items only, and cannot change them."""
from decimal import Decimal

from sqlalchemy import select

from openvmi.access import Role
from openvmi.catalog.models import SupplierItem
from openvmi.supplier_stock.models import StockThreshold
from tests.builders import make_supplier_item, make_user
from tests.service.supplier_stock.world import make_world, run_import
from tests.unit.supplier_stock.files import csv_bytes
from tests.web.conftest import field_error


def supplier_item_id(session, world, item_code):
    return session.scalar(select(SupplierItem.id).where(SupplierItem.supplier_id == world.supplier.id,
                                                        SupplierItem.item_id == world.items[item_code].id))


def marks_of(session, world, item_code):
    row = session.scalars(select(StockThreshold).where(StockThreshold.supplier_id == world.supplier.id,
                                                       StockThreshold.item_id == world.items[item_code].id)).first()
    return None if row is None else (row.low_water, row.high_water)


def test_a_buyer_sets_marks_and_sees_the_stock_below_them(session, portal):
    world = make_world(session)
    (bolt, nut, _), (site, _) = list(world.items), list(world.sites)
    run_import(session, world, csv_bytes([["item", "site", "qty"], [bolt, site, 40], [nut, site, 900]]))
    portal.sign_in(make_user(session, role=Role.BUYER, locale="en"))
    target = f"/thresholds/{supplier_item_id(session, world, bolt)}"

    saved = portal.post(target, {"low_water": "100", "high_water": "500"})

    assert saved.status_code == 200 and "saved" in saved.text
    assert marks_of(session, world, bolt) == (Decimal(100), Decimal(500))
    below = portal.get("/thresholds", params={"show": "below", "supplier": world.supplier.id})
    assert bolt in below.text and nut not in below.text
    assert "Below the low-water mark" in below.text
    alerts = portal.get("/alerts")
    assert bolt in alerts.text  # setting the mark is what opened the alert


def test_the_item_default_applies_until_a_supplier_item_has_its_own_marks(session, portal):
    world = make_world(session)
    bolt = next(iter(world.items))
    world.items[bolt].default_low_water = Decimal(50)
    session.flush()
    portal.sign_in(make_user(session, role=Role.BUYER, locale="zh_CN"))
    target = f"/thresholds/{supplier_item_id(session, world, bolt)}"

    page = portal.get(target)
    assert "物料默认" in page.text and "50" in page.text
    portal.post(target, {"low_water": "10"})
    assert marks_of(session, world, bolt) == (Decimal(10), None)
    cleared = portal.post(f"{target}/clear")
    assert cleared.status_code == 200
    assert marks_of(session, world, bolt) is None


def test_a_high_water_mark_not_above_the_low_one_is_refused_in_the_readers_language(session, portal):
    world = make_world(session)
    bolt = next(iter(world.items))
    portal.sign_in(make_user(session, role=Role.BUYER, locale="zh_CN"))

    answer = portal.post(f"/thresholds/{supplier_item_id(session, world, bolt)}",
                         {"low_water": "100", "high_water": "100"})
    not_a_number = portal.post(f"/thresholds/{supplier_item_id(session, world, bolt)}", {"low_water": "lots"})

    assert answer.status_code == 422
    assert field_error(answer.text, "high_water") == "高水位必须高于低水位。"
    assert not_a_number.status_code == 422 and field_error(not_a_number.text, "low_water")
    assert marks_of(session, world, bolt) is None


def test_a_supplier_sees_the_marks_on_its_own_items_only_and_cannot_change_them(session, portal):
    world = make_world(session)
    bolt = next(iter(world.items))
    portal.sign_in(make_user(session, role=Role.BUYER))
    portal.post(f"/thresholds/{supplier_item_id(session, world, bolt)}", {"low_water": "75"})
    others_item = make_supplier_item(session, supplier=world.other, item=world.items[bolt]).id
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=world.supplier, locale="en"))

    listed = portal.get("/thresholds")
    one = portal.get(f"/thresholds/{supplier_item_id(session, world, bolt)}")
    change = portal.post(f"/thresholds/{supplier_item_id(session, world, bolt)}", {"low_water": "1"})

    assert listed.status_code == 200 and bolt in listed.text and "75" in listed.text
    assert one.status_code == 200 and "low-water 75" in one.text and 'name="low_water"' not in one.text
    assert change.status_code == 403
    assert marks_of(session, world, bolt) == (Decimal(75), None)
    assert portal.get(f"/thresholds/{others_item}").status_code == 404
    assert world.other.code not in listed.text
