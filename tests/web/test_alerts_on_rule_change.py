"""Changing an item's default low-water mark over the API or in the portal opens the alert at once."""
from decimal import Decimal

from sqlalchemy import select

from openvmi.access import Role
from openvmi.alerts.models import Alert
from openvmi.supplier_stock.schemas import StockLineCreate
from openvmi.supplier_stock.service import lines
from tests.builders import bearer, make_item, make_location, make_party, make_supplier_item, make_user


def stocked_item(session, on_hand):
    supplier, item = make_party(session), make_item(session)
    make_supplier_item(session, supplier=supplier, item=item)
    site = make_location(session, kind="supplier_site", supplier_code=supplier.code)
    lines.create_supplier_stock(session, StockLineCreate(
        supplier_code=supplier.code, item_code=item.code, site_code=site.code, on_hand=Decimal(on_hand)),
        actor_id=None, source="api")
    return item


def statuses(session, item):
    return [a.status for a in session.scalars(select(Alert).where(Alert.item_id == item.id))]


def test_an_item_default_set_over_the_api_opens_the_alert_at_once(session, api_client):
    item = stocked_item(session, 300)
    headers = bearer(session, make_user(session, role=Role.ADMIN))

    answer = api_client.patch(f"/api/v1/items/{item.id}", json={"default_low_water": "500"}, headers=headers)

    assert answer.status_code == 200
    assert statuses(session, item) == ["opened"]


def test_an_item_default_saved_in_the_portal_opens_the_alert_at_once(session, portal):
    item = stocked_item(session, 300)
    portal.sign_in(make_user(session, role=Role.ADMIN))

    answer = portal.post(f"/items/{item.id}", {"name": item.name, "unit": item.unit, "category": "",
                                               "default_low_water": "500", "active": "on"})

    assert answer.status_code in (200, 303), answer.text[:500]
    assert statuses(session, item) == ["opened"]
