"""The supplier boundary on pages: a supplier user sees and edits only its own rows, whatever the URL."""
from decimal import Decimal

from openvmi.access import Role
from tests.builders import make_item, make_party, make_supplier_item, make_user
from tests.web.conftest import heading


def _two_suppliers(session):
    mine, theirs = make_party(session, name="Mine Ltd"), make_party(session, name="Theirs Ltd")
    item = make_item(session, name="Shared bolt")
    own = make_supplier_item(session, supplier=mine, item=item, supplier_part_number="MINE-1")
    foreign = make_supplier_item(session, supplier=theirs, item=item, supplier_part_number="THEIRS-1")
    return mine, theirs, own, foreign


def test_a_supplier_user_lists_only_its_own_supplier_items(session, portal):
    mine, _, _, _ = _two_suppliers(session)
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=mine, locale="en"))

    page = portal.get("/supplier-items")

    assert "MINE-1" in page.text and "THEIRS-1" not in page.text


def test_a_supplier_user_editing_the_url_to_another_suppliers_item_gets_404(session, portal):
    mine, _, _, foreign = _two_suppliers(session)
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=mine, locale="en"))

    page = portal.get(f"/supplier-items/{foreign.id}")
    write = portal.post(f"/supplier-items/{foreign.id}", {"supplier_part_number": "HIJACKED", "lead_time_days": "1",
                                                          "moq": "0", "pack_size": "1", "version": "1"})

    assert page.status_code == 404 and heading(page.text) == "Page not found"
    assert "THEIRS-1" not in page.text
    assert write.status_code == 404
    session.refresh(foreign)
    assert foreign.supplier_part_number == "THEIRS-1"


def test_a_supplier_user_cannot_open_another_suppliers_company_page(session, portal):
    mine, theirs, _, _ = _two_suppliers(session)
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=mine, locale="en"))

    assert portal.get(f"/suppliers/{mine.id}").status_code == 200
    assert portal.get(f"/suppliers/{theirs.id}").status_code == 404
    listing = portal.get("/suppliers").text
    assert mine.code in listing and theirs.code not in listing


def test_a_supplier_users_export_holds_only_its_own_rows(session, portal):
    mine, theirs, _, _ = _two_suppliers(session)
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=mine))

    export = portal.get("/supplier-items?format=csv").content.decode("utf-8-sig")

    assert "MINE-1" in export and "THEIRS-1" not in export and theirs.code not in export


def test_a_supplier_user_creates_supplier_items_only_for_its_own_company(session, portal):
    mine, theirs, _, _ = _two_suppliers(session)
    item = make_item(session)
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=mine))

    answer = portal.post("/supplier-items/new", {"supplier_code": theirs.code, "item_code": item.code,
                                                 "supplier_part_number": "SNEAKY-1", "lead_time_days": "3",
                                                 "moq": "0", "pack_size": "1"}, follow_redirects=False)

    assert answer.status_code == 303
    created = portal.get(answer.headers["location"]).text
    assert mine.code in created and theirs.code not in created


def test_a_buyer_sees_every_suppliers_items(session, portal):
    _two_suppliers(session)
    portal.sign_in(make_user(session, role=Role.BUYER))

    page = portal.get("/supplier-items?q=-1")

    assert "MINE-1" in page.text and "THEIRS-1" in page.text


def test_the_supplier_dashboard_counts_only_its_own_catalogue(session, portal):
    mine, _, _, _ = _two_suppliers(session)
    make_supplier_item(session, supplier=mine, moq=Decimal(5))
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=mine, locale="en"))

    page = portal.get("/").text

    assert heading(page) == "Supplier portal"
    assert '<p class="big-number">2</p>' in page


def test_the_buyer_company_is_not_editable_as_a_supplier(session, portal):
    from tests.builders import make_buyer

    buyer = make_buyer(session)
    name = buyer.name
    portal.sign_in(make_user(session, role=Role.ADMIN))

    page = portal.get(f"/suppliers/{buyer.id}")
    write = portal.post(f"/suppliers/{buyer.id}", {"name": "Renamed", "stale_after_days": "7"})

    assert page.status_code == 404 and write.status_code == 404
    session.refresh(buyer)
    assert buyer.name == name
