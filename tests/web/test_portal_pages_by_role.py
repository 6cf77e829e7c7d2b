"""Pages follow the navigation: every GET page of the portal, found in the app's routes (so a new page
is walked without touching this file), is opened as every role with ids from a small demo-like
company. What a role's menus offer answers 200, and so does every link on the pages it opens; what
they do not offer is refused (403, or 404 for a hidden row); and a supplier user never sees another
supplier's rows or the buyer's plants."""
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from openvmi.access import Actor, Role
from openvmi.alerts.models import Alert
from openvmi.alerts.schemas import AlertSignal
from openvmi.alerts.service import sync_alerts
from openvmi.supplier_stock.models import SupplierStock
from openvmi.supplier_stock.schemas import ImportRequest
from openvmi.supplier_stock.service import imports
from openvmi.vmi.call_offs import service as call_offs
from openvmi.vmi.call_offs.rules import CallOffAction
from openvmi.vmi.call_offs.schemas import CallOffCreate, CallOffLineCreate
from openvmi.vmi.shipments import service as shipments
from openvmi.vmi.shipments.schemas import ShipmentCreate, ShipmentLineCreate
from openvmi.web.csrf import check_csrf
from tests.invoice_world import record_invoice_of
from tests.settlement_world import issued_statement
from tests.web.conftest import app_routes
from tests.builders import (
    make_item, make_location, make_party, make_plant, make_supplier_item, make_user, make_vmi_agreement,
    make_vmi_location, unique,
)

PUBLIC = {"/login"}  # pages for people who are not signed in yet
REFUSED = {403, 404}


@dataclass
class Company:
    """What one supplier owns; `ids` fills a page's path parameters by name."""

    markers: list[str]  # texts that identify its rows
    ids: dict[str, int]


def _supplier(session, tag: str, shared_item) -> tuple[object, Company]:
    party = make_party(session, code=unique(f"S-{tag}"), name=f"{tag} Fasteners Ltd")
    own_item = make_item(session, code=unique(f"{tag}-ONLY"), name=f"{tag} special bolt", default_low_water=500)
    shared = make_supplier_item(session, supplier=party, item=shared_item, supplier_part_number=unique(f"{tag}-PN"))
    own_supplier_item = make_supplier_item(session, supplier=party, item=own_item,
                                           supplier_part_number=unique(f"{tag}-PN"))
    site = make_location(session, code=unique(f"{tag}-SITE"), name=f"{tag} warehouse", kind="supplier_site",
                         supplier_code=party.code)
    data = f"item,site,on_hand,available\n{own_item.code},{site.code},10,10\n{shared_item.code},{site.code},900,900\n"
    outcome = imports.import_supplier_stock(
        session, ImportRequest(supplier_code=party.code, filename=f"{tag}.csv", mode="full"),
        stream=io.BytesIO(data.encode()), actor_id=None)
    stock = session.query(SupplierStock).filter_by(supplier_id=party.id, item_id=own_item.id).one()
    sync_alerts(session, [AlertSignal(  # the import may have opened it already: then this changes nothing
        kind="low_stock", supplier_id=party.id, item_id=own_item.id, location_id=None, active=True,
        message=f"{own_item.code} low", numbers={"available": "10", "low_water": "500"})])
    alert = session.query(Alert).filter_by(supplier_id=party.id, item_id=own_item.id).one()
    agreement_id, call_off_id, shipment_id = _inbound(session, party, own_supplier_item)
    statement_id = issued_statement(session, party)
    invoice_id = record_invoice_of(session, issued_statement(session, party, day=date(2026, 6, 5)), party)
    return party, Company(markers=[party.code, party.name, shared.supplier_part_number, own_item.code, site.code],
                          ids={"party_id": party.id, "supplier_item_id": shared.id, "item_id": own_item.id,
                               "stock_id": stock.id, "import_id": outcome.batch.id, "alert_id": alert.id,
                               "agreement_id": agreement_id, "call_off_id": call_off_id,
                               "shipment_id": shipment_id, "statement_id": statement_id,
                               "invoice_id": invoice_id})


def _inbound(session, party, supplier_item) -> tuple[int, int, int]:
    """An agreement of the supplier's own item, a call-off under it and a shipment in transit."""
    agreement = make_vmi_agreement(session, supplier_item=supplier_item, location=make_vmi_location(session),
                                   activate=True)
    origin = make_location(session, kind="virtual")
    make_location(session, kind="in_transit")
    buyer = make_user(session, role=Role.BUYER)
    as_buyer = Actor(user_id=buyer.id, username=buyer.username, role=Role.BUYER, supplier_id=None)
    seller = make_user(session, role=Role.SUPPLIER, supplier=party)
    as_seller = Actor(user_id=seller.id, username=seller.username, role=Role.SUPPLIER, supplier_id=party.id)
    call_off = call_offs.create_call_off(session, CallOffCreate(lines=[CallOffLineCreate(
        agreement_id=agreement.id, quantity=Decimal(10), due_date="2026-12-15")]), actor=as_buyer)
    call_offs.act_on_call_off(session, call_off.id, action=CallOffAction.SEND, actor=as_buyer)
    call_offs.act_on_call_off(session, call_off.id, action=CallOffAction.ACCEPT, actor=as_seller)
    line_id = call_offs.queries.describe_call_off(session, call_off.id).lines[0].id
    shipment = shipments.confirm_shipment(session, ShipmentCreate(
        lines=[ShipmentLineCreate(call_off_line_id=line_id, quantity=Decimal(4))], expected_arrival="2026-12-10",
        origin_location_id=origin.id), actor=as_seller)
    return agreement.id, call_off.id, shipment.id


@pytest.fixture
def company(session):
    """Two suppliers (one item each to themselves, one they share), stock, imports and alerts, and the
    buyer's plant with its store."""
    shared = make_item(session, code=unique("BOLT-M10X8"), name="Hex bolt M10x8")
    mine, own = _supplier(session, "MINE", shared)
    _, theirs = _supplier(session, "THEIRS", shared)
    plant = make_plant(session, code=unique("PL"), name="Suzhou plant")
    store = make_location(session, code=unique("SZ-VMI"), name="Suzhou consignment store", kind="vmi",
                          plant_code=plant.code)
    users = {role: make_user(session, role=role, supplier=mine if role == Role.SUPPLIER else None, locale="en")
             for role in Role}
    for ids in (own.ids, theirs.ids):
        ids["user_id"] = users[Role.BUYER].id
    buyer_markers = [plant.code, plant.name, store.code, store.name]
    return users, own, theirs, buyer_markers


def portal_pages(app) -> list[str]:
    """The path of every GET page of the portal (its routers carry the CSRF check); the API is walked elsewhere."""
    return sorted(path for path, route, dependencies in app_routes(app.routes)
                  if "GET" in route.methods and check_csrf in [d.dependency for d in dependencies]
                  and path not in PUBLIC)


def offered_links(html: str) -> set[str]:
    """The hrefs of the main navigation and the user menu: what the role is offered."""
    blocks = re.findall(r'<nav class="container-fluid main-nav".*?</nav>|<details class="dropdown user-menu">.*?</details>',
                        html, re.S)
    return {href for block in blocks for href in re.findall(r'<a href="([^"?#]+)', block)}


def section(path: str, menu_hrefs: set[str]) -> str | None:
    """The menu entry a page belongs to: the longest href that is a prefix of its path, else one
    under the same first segment (e.g. /notifications/webhooks with /notifications/deliveries)."""
    parts = path.strip("/").split("/")
    prefixes = [h for h in menu_hrefs if h != "/" and parts[:len(h.strip("/").split("/"))] == h.strip("/").split("/")]
    if prefixes:
        return max(prefixes, key=len)
    if path == "/":
        return "/"
    siblings = sorted(h for h in menu_hrefs if h != "/" and h.strip("/").split("/")[0] == parts[0])
    return siblings[0] if siblings else None


def fill(path: str, ids: dict[str, int]) -> str:
    names = re.findall(r"{(\w+)}", path)
    missing = [n for n in names if n not in ids]
    assert not missing, f"{path}: name the parameter after its table or add it to the test's company"
    return path.format(**{n: ids[n] for n in names})


def shown(html: str) -> str:
    """The page without its header (the user menu names the signed-in user's own company)."""
    return html.split("<main", 1)[-1]


def test_every_role_opens_what_its_menus_offer_and_nothing_else(session, portal, company):
    users, own, theirs, _ = company
    offered = {role: offered_links(portal.sign_in(users[role]).get("/").text) for role in Role}
    every_link = set().union(*offered.values())
    pages = portal_pages(portal.client.app)
    assert len(pages) > 15  # the walk found the portal

    for role in Role:
        portal.sign_in(users[role])
        assert offered[role], role
        for href in offered[role]:
            assert portal.get(href).status_code == 200, (role, href)
        linked = set()
        for path in pages:
            home = section(path, every_link)
            assert home is not None, f"{path} is in no menu: link it, or list it in PUBLIC"
            answer = portal.get(fill(path, own.ids if role == Role.SUPPLIER else theirs.ids))
            assert answer.status_code < 500, (role, path, answer.status_code)
            if home not in offered[role]:
                assert answer.status_code in REFUSED, (role, path, answer.status_code)
            elif answer.status_code == 200:
                linked |= set(re.findall(r'<a href="(/[^"#?]*)', shown(answer.text)))  # sorts and filters: same page
        for href in linked:  # and what the pages it may open link to, it may open too
            assert portal.get(href).status_code == 200, (role, href)


@pytest.mark.parametrize("export", [False, True])
def test_a_supplier_user_sees_no_other_suppliers_rows_and_no_buyer_plant_on_any_page(session, portal, company,
                                                                                      export):
    users, own, theirs, buyer_markers = company
    portal.sign_in(users[Role.SUPPLIER])

    for path in portal_pages(portal.client.app):
        for ids in (own.ids, theirs.ids):  # its own rows, and the other supplier's by id in the URL
            url = fill(path, ids) + ("?format=csv" if export else "")
            answer = portal.get(url)
            text = shown(answer.text) if answer.headers["content-type"].startswith("text/html") else answer.text
            leaked = [m for m in theirs.markers + buyer_markers if m in text]
            assert not leaked, (url, leaked)
            if ids is theirs.ids and re.search(r"{\w+_id}", path):
                assert answer.status_code in REFUSED, (url, answer.status_code)


def test_a_supplier_user_opens_its_own_rows(session, portal, company):
    users, own, _, _ = company
    portal.sign_in(users[Role.SUPPLIER])

    for path in ("/supplier-items/{supplier_item_id}", "/supplier-stock/{stock_id}",
                 "/supplier-stock/imports/{import_id}", "/suppliers/{party_id}", "/alerts/{alert_id}"):
        assert portal.get(path.format(**own.ids)).status_code == 200, path


def test_a_supplier_user_adding_an_item_is_not_shown_the_buyers_whole_catalogue(session, portal, company):
    users, own, theirs, _ = company
    portal.sign_in(users[Role.SUPPLIER])

    page = portal.get("/supplier-items/new").text

    assert 'id="item-codes"' in page and "<option value=" not in page.split('id="item-codes"')[1].split("</datalist>")[0]
