"""Site names as suppliers' ERPs write them: a file naming 主仓 is refused with the supplier's sites
and how to add an alias; once the supplier adds it, the same file is accepted. Aliases are the
supplier's own."""
from decimal import Decimal

from openvmi.access import Role
from tests.builders import bearer, make_user
from tests.service.supplier_stock.world import fixture_bytes, make_fixture_world, make_world, stock_of
from tests.unit.supplier_stock.files import csv_bytes

IMPORTS = "/api/v1/supplier-stock/imports"
ALIASES = "/api/v1/supplier-stock/site-aliases"
ERP_FILE = "erp_site_names_gbk.csv"


def upload(client, headers, data, *, filename="stock.csv", **fields):
    return client.post(IMPORTS, headers=headers, files={"file": (filename, data, "application/octet-stream")},
                       data={"mode": "full", **fields})


def test_a_gbk_export_naming_the_main_warehouse_is_refused_then_accepted_once_the_alias_is_added(session, api_client):
    world = make_fixture_world(session)
    supplier = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.supplier))

    refused = upload(api_client, supplier, fixture_bytes(ERP_FILE), filename=ERP_FILE)

    assert refused.status_code == 422
    site_errors = [e for e in refused.json()["errors"] if e["column"] == "仓库"]
    assert [e["value"] for e in site_errors] == ["主仓", "主仓", "二号仓"]
    assert "NB-WH1" in site_errors[0]["reason"] and "NB-WH2" in site_errors[0]["reason"]
    assert "alias" in site_errors[0]["reason"] and ALIASES in site_errors[0]["reason"]
    assert stock_of(session, world.supplier) == {}

    main = api_client.post(ALIASES, headers=supplier, json={"site_code": "NB-WH1", "alias": "主仓"})
    second = api_client.post(ALIASES, headers=supplier, json={"site_code": "NB-WH2", "alias": "二号仓"})
    accepted = upload(api_client, supplier, fixture_bytes(ERP_FILE), filename=ERP_FILE)

    assert main.status_code == 201 and main.json()["site_code"] == "NB-WH1", main.text
    assert second.status_code == 201
    assert accepted.status_code == 201, accepted.text
    assert stock_of(session, world.supplier) == {
        ("FX-BOLT-M8", "NB-WH1"): (Decimal(1200), Decimal(1000)), ("FX-NUT-M8", "NB-WH1"): (Decimal(120), Decimal(80)),
        ("FX-CABLE-2C", "NB-WH2"): (Decimal("12.5"), Decimal("12.5"))}


def test_a_site_is_also_found_by_its_name_and_an_alias_is_matched_like_a_header(session, api_client):
    world = make_world(session)
    (bolt, nut, _), (site_a, site_b) = list(world.items), list(world.sites)
    supplier = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.supplier))
    api_client.post(ALIASES, headers=supplier, json={"site_code": site_a, "alias": "Main Store 主仓"})

    # full-width letters, other case and spaces: the alias still matches; a site code in full width too
    answer = upload(api_client, supplier, csv_bytes([["item", "site", "qty"], [bolt, "ＭＡＩＮ　store主 仓", 5],
                                                     [nut, site_b.lower(), 7]]))

    assert answer.status_code == 201, answer.text
    assert stock_of(session, world.supplier) == {(bolt, site_a): (5, 5), (nut, site_b): (7, 7)}


def test_aliases_are_the_supplier_s_own(session, api_client):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    mine = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.supplier))
    theirs = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.other))
    admin = bearer(session, make_user(session, role=Role.ADMIN))
    alias = api_client.post(ALIASES, headers=mine, json={"site_code": site, "alias": "主仓"}).json()

    # the other supplier's file naming 主仓 is not read with the first supplier's alias
    refused = upload(api_client, theirs, csv_bytes([["item", "site", "qty"], [bolt, "主仓", 1]]))
    assert refused.status_code == 422
    errors = {e["column"]: e["reason"] for e in refused.json()["errors"]}
    assert set(errors) == {"site", "item"}  # nor are the first supplier's items the other's
    assert world.other_site.code in errors["site"] and site not in errors["site"]
    # it cannot see, remove or borrow the alias
    assert api_client.get(f"{ALIASES}/{alias['id']}", headers=theirs).status_code == 404
    assert api_client.delete(f"{ALIASES}/{alias['id']}", headers=theirs).status_code == 404
    assert api_client.get(ALIASES, headers=theirs).json()["items"] == []
    assert api_client.post(ALIASES, headers=theirs, json={"site_code": site, "alias": "x"}).status_code == 422
    assert api_client.post(ALIASES, headers=theirs, json={"supplier_code": world.supplier.code, "site_code": site,
                                                          "alias": "x"}).status_code == 404
    # an admin sees every supplier's aliases and adds one for any supplier
    assert [a["id"] for a in api_client.get(ALIASES, headers=admin, params={"supplier_id": world.supplier.id})
            .json()["items"]] == [alias["id"]]
    assert api_client.post(ALIASES, headers=admin, json={"supplier_code": world.other.code,
                                                         "site_code": world.other_site.code,
                                                         "alias": "主仓"}).status_code == 201
    now_known = upload(api_client, theirs, csv_bytes([["site", "qty", "item"], ["主仓", 1, bolt]])).json()
    assert [e["column"] for e in now_known["errors"]] == ["item"]  # the site is known now; the item is still not theirs
    # the owner removes its own
    assert api_client.delete(f"{ALIASES}/{alias['id']}", headers=mine).status_code == 204
    assert api_client.get(ALIASES, headers=mine).json()["items"] == []


def test_an_alias_that_is_a_site_code_or_taken_by_another_site_is_refused(session, api_client):
    world = make_world(session)
    site_a, site_b = list(world.sites)
    supplier = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=world.supplier))
    first = api_client.post(ALIASES, headers=supplier, json={"site_code": site_a, "alias": "主仓"})

    again = api_client.post(ALIASES, headers=supplier, json={"site_code": site_a, "alias": "主 仓"})
    elsewhere = api_client.post(ALIASES, headers=supplier, json={"site_code": site_b, "alias": "主仓"})
    a_code = api_client.post(ALIASES, headers=supplier, json={"site_code": site_a, "alias": site_b.lower()})
    blank = api_client.post(ALIASES, headers=supplier, json={"site_code": site_a, "alias": "   "})

    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]  # the same alias: no change
    assert elsewhere.status_code == 409 and site_a in elsewhere.json()["detail"]
    assert a_code.status_code == 422 and a_code.json()["errors"][0]["field"] == "alias"
    assert blank.status_code == 422
