"""Uploads that cannot destroy data by accident: a full dry run lists the lines it would zero, and
confirming it applies what it showed without the file, once, by who checked it, before it expires."""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import update

from openvmi.access import Role
from openvmi.db import utcnow
from openvmi.supplier_stock.models import SupplierStockImport
from tests.builders import bearer, make_user
from tests.service.supplier_stock.world import make_world, stock_of
from tests.unit.supplier_stock.files import csv_bytes

IMPORTS = "/api/v1/supplier-stock/imports"
HEADER = ["item", "site", "on hand", "available"]


def upload(client, headers, data, **fields):
    return client.post(IMPORTS, headers=headers, files={"file": ("stock.csv", data, "text/csv")},
                       data={"mode": "full", **{k: str(v).lower() if isinstance(v, bool) else v
                                                for k, v in fields.items()}})


def confirm(client, headers, import_id):
    return client.post(f"{IMPORTS}/{import_id}/confirm", headers=headers)


def test_a_full_dry_run_lists_the_lines_it_zeroes_and_its_confirmation_applies_exactly_that(session, api_client):
    # given a supplier with three lines at site A
    world = make_world(session)
    (bolt, nut, cable), (site_a, site_b) = list(world.items), list(world.sites)
    supplier = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.supplier))
    upload(api_client, supplier, csv_bytes([HEADER, [bolt, site_a, 10, 10], [nut, site_a, 20, 20],
                                            [cable, site_a, 30, 30]]))

    # when it checks a full file that lists only the bolt
    checked = upload(api_client, supplier, csv_bytes([HEADER, [bolt, site_a, 12, 11]]), dry_run=True)

    # then the check warns that the nut and the cable would go to zero, and changes nothing
    body = checked.json()
    assert checked.status_code == 200 and body["status"] == "previewed" and body["kept_until"]
    assert [(z["item_code"], z["site_code"], Decimal(z["old_on_hand"])) for z in body["zeroed"]] == sorted(
        [(nut, site_a, Decimal(20)), (cable, site_a, Decimal(30))])
    assert body["warnings"] and "2" in body["warnings"][0] and "zero" in body["warnings"][0]
    assert stock_of(session, world.supplier)[(nut, site_a)] == (20, 20)

    # when it confirms without sending the file again
    confirmed = confirm(api_client, supplier, body["id"])

    # then what the check showed is applied, and a second confirmation is refused
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "applied" and confirmed.json()["id"] == body["id"]
    assert [confirmed.json()[k] for k in ("changed_count", "zeroed_count")] == [body["changed_count"], 2]
    assert stock_of(session, world.supplier) == {(bolt, site_a): (12, 11), (nut, site_a): (0, 0),
                                                 (cable, site_a): (0, 0)}
    again = confirm(api_client, supplier, body["id"])
    assert again.status_code == 409 and "already confirmed" in again.json()["detail"]


def test_a_confirmation_is_only_for_who_checked_the_file_before_it_expires(session, api_client):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    checker = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.supplier))
    colleague = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.supplier))
    other_supplier = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.other))
    admin = bearer(session, make_user(session, role=Role.ADMIN))
    checked = upload(api_client, checker, csv_bytes([HEADER, [bolt, site, 5, 5]]), dry_run=True).json()

    assert confirm(api_client, other_supplier, checked["id"]).status_code == 404
    assert confirm(api_client, colleague, checked["id"]).status_code == 404
    assert confirm(api_client, admin, checked["id"]).status_code == 404
    session.execute(update(SupplierStockImport).where(SupplierStockImport.id == checked["id"])
                    .values(kept_until=utcnow() - timedelta(seconds=1)))
    expired = confirm(api_client, checker, checked["id"])
    assert expired.status_code == 409 and "expired" in expired.json()["detail"]
    assert stock_of(session, world.supplier) == {}


def test_a_confirmation_is_refused_when_the_stock_changed_after_the_check(session, api_client):
    world = make_world(session)
    (bolt, nut, _), (site, _) = list(world.items), list(world.sites)
    supplier = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.supplier))
    upload(api_client, supplier, csv_bytes([HEADER, [bolt, site, 10, 10], [nut, site, 20, 20]]))
    checked = upload(api_client, supplier, csv_bytes([HEADER, [bolt, site, 12, 12]]), dry_run=True).json()
    assert [z["item_code"] for z in checked["zeroed"]] == [nut]

    # someone publishes a new figure for the nut, which the check would now zero unseen
    upload(api_client, supplier, csv_bytes([HEADER, [nut, site, 25, 25]]), mode="delta")
    refused = confirm(api_client, supplier, checked["id"])

    assert refused.status_code == 422 and "changed after this file was checked" in refused.json()["errors"][0]["reason"]
    assert stock_of(session, world.supplier) == {(bolt, site): (10, 10), (nut, site): (25, 25)}


def test_an_admin_must_name_the_supplier_of_a_file(session, api_client):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    admin = bearer(session, make_user(session, role=Role.ADMIN))

    answer = upload(api_client, admin, csv_bytes([HEADER, [bolt, site, 5, 5]]))

    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"field": "supplier", "message": "name the supplier whose stock this is"}]
