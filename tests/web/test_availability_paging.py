"""Availability as a buyer uses it: several words in any order, pages instead of a silent cut,
supplier names and open alerts beside each line, and a link from an item to its stock."""
from sqlalchemy import select

from openvmi.access import Role
from openvmi.catalog.models import SupplierItem
from openvmi.supplier_stock.schemas import ThresholdSet
from openvmi.supplier_stock.service import thresholds
from tests.builders import bearer, make_item, make_supplier_item, make_user, unique
from tests.service.supplier_stock.world import make_world, run_import
from tests.unit.supplier_stock.files import csv_bytes

AVAILABILITY = "/api/v1/availability"


def test_every_word_must_match_code_or_name_in_any_order(session, api_client):
    stem = unique("Z")
    wanted = make_item(session, code=f"{stem}-M10X30", name="六角螺栓 镀锌")
    make_item(session, code=f"{stem}-M8X30", name="六角螺栓")
    make_item(session, code=f"{stem}-M10-NUT", name="螺母")
    buyer = bearer(session, make_user(session, role=Role.BUYER))

    def codes(q):
        answer = api_client.get(AVAILABILITY, params={"q": q}, headers=buyer)
        assert answer.status_code == 200, answer.text
        return [item["item_code"] for item in answer.json()["items"]]

    assert codes(f"螺栓 {stem}-M10") == [wanted.code]
    assert codes(f"{stem.lower()}-m10   螺栓") == [wanted.code]  # any order, any case, extra spaces
    assert codes(f"螺栓 {stem} 不锈钢") == []  # one word matching nothing rules the item out
    assert codes(f"{stem}%") == []  # the user's % is a character, not a wildcard


def test_a_broad_search_comes_in_pages_that_together_hold_every_item_once(session, api_client):
    stem = unique("PAGED")
    made = sorted(make_item(session, code=f"{stem}-{n:02}").code for n in range(23))
    buyer = bearer(session, make_user(session, role=Role.BUYER))

    seen, cursor, pages = [], None, 0
    while True:
        params = {"q": stem, "limit": 10} | ({"cursor": cursor} if cursor else {})
        page = api_client.get(AVAILABILITY, params=params, headers=buyer).json()
        seen += [item["item_code"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == made and pages == 3
    first = api_client.get(AVAILABILITY, params={"q": stem}, headers=buyer).json()
    assert len(first["items"]) == 20 and first["next_cursor"]  # the default page, with a way on


def test_paging_refuses_what_it_cannot_answer(session, api_client):
    buyer = bearer(session, make_user(session, role=Role.BUYER))

    too_many = api_client.get(AVAILABILITY, params={"q": "BOLT", "limit": 51}, headers=buyer)
    made_up = api_client.get(AVAILABILITY, params={"q": "BOLT", "cursor": "%%%"}, headers=buyer)

    assert too_many.status_code == 422
    assert made_up.status_code == 422 and made_up.json()["errors"][0]["field"] == "cursor"


def test_each_line_names_its_supplier_and_says_when_an_alert_is_open(session, api_client, portal):
    world = make_world(session)
    (bolt, nut, _), (site, _) = list(world.items), list(world.sites)
    run_import(session, world, csv_bytes([["item", "site", "qty"], [bolt, site, 5], [nut, site, 500]]))
    thresholds.set_threshold(session, ThresholdSet(supplier_code=world.supplier.code, item_code=bolt,
                                                   low_water=100), actor_id=None)
    buyer = make_user(session, role=Role.BUYER, locale="zh_CN")

    answer = api_client.get(AVAILABILITY, params={"item_code": [bolt, nut]}, headers=bearer(session, buyer)).json()
    page = portal.sign_in(buyer).get("/availability", params={"item": world.items[bolt].id})

    lines = {item["item_code"]: item["lines"][0] for item in answer["items"]}
    assert lines[bolt]["supplier_name"] == world.supplier.name and lines[bolt]["alert_kind"] == "low_stock"
    assert lines[nut]["alert_kind"] is None and lines[nut]["alert_id"] is None
    assert page.status_code == 200
    assert world.supplier.name in page.text and "库存不足" in page.text
    assert f'href="/alerts/{lines[bolt]["alert_id"]}"' in page.text


def test_the_portal_pages_on_instead_of_stopping_at_twenty_items(session, portal):
    stem = unique("MANY")
    made = sorted(make_item(session, code=f"{stem}-{n:02}", name="螺栓").code for n in range(25))
    portal.sign_in(make_user(session, role=Role.BUYER, locale="en"))

    first = portal.get("/availability", params={"q": f"螺栓 {stem}"})
    assert all(code in first.text for code in made[:20]) and made[20] not in first.text
    next_link = first.text.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = portal.get(next_link)
    assert all(code in second.text for code in made[20:]) and made[0] not in second.text
    assert "First page" in second.text
    assert portal.get("/availability", params={"q": stem, "cursor": "nonsense!"}).status_code == 200


def test_an_item_page_links_to_who_has_it(session, portal):
    world = make_world(session)
    bolt = world.items[next(iter(world.items))]
    supplier_item = session.scalar(select(SupplierItem.id).where(SupplierItem.item_id == bolt.id))
    portal.sign_in(make_user(session, role=Role.BUYER))

    assert f'href="/availability?item={bolt.id}"' in portal.get(f"/items/{bolt.id}").text
    assert f'href="/supplier-stock?supplier={world.supplier.id}"' in portal.get(f"/suppliers/{world.supplier.id}").text
    site = next(iter(world.sites.values()))
    assert f'href="/supplier-stock?location={site.id}"' in portal.get("/locations", params={"q": site.code}).text
    assert supplier_item is not None


def test_the_stock_list_narrows_to_the_supplier_item_or_site_linked_from(session, portal):
    world = make_world(session)
    (bolt, nut, _), (site, other_site) = list(world.items), list(world.sites)
    run_import(session, world, csv_bytes([["item", "site", "qty"], [bolt, site, 5], [nut, other_site, 7]]))
    portal.sign_in(make_user(session, role=Role.BUYER, locale="en"))

    by_item = portal.get("/supplier-stock", params={"item": world.items[bolt].id})
    by_site = portal.get("/supplier-stock", params={"location": world.sites[other_site].id})
    by_other_supplier = portal.get("/supplier-stock", params={"supplier": world.other.id})

    assert bolt in by_item.text and nut not in by_item.text and "Show all stock" in by_item.text
    assert nut in by_site.text and bolt not in by_site.text
    assert bolt not in by_other_supplier.text and nut not in by_other_supplier.text
