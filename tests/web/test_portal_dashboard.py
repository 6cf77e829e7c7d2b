"""Each role's home page shows what needs its attention, and only the navigation it may use."""
import re

import pytest

from openvmi.access import Role
from tests.builders import make_party, make_supplier_item, make_user
from tests.web.conftest import heading


def panels(html: str) -> list[str]:
    return re.findall(r'<h3 id="panel-[^"]+">(.*?)</h3>', html)


def nav(html: str) -> list[str]:
    block = re.search(r'<nav class="container-fluid main-nav".*?</nav>', html, re.S).group(0)
    return re.findall(r'<a href="[^"]+"[^>]*>(.*?)</a>', block)


@pytest.mark.parametrize(("role", "workspace", "must_see", "must_not_see"), [
    (Role.WAREHOUSE, "Warehouse workspace", "Receipts to post", "Statements to confirm"),
    (Role.FINANCE, "Finance workspace", "Statements to confirm", "Receipts to post"),
    (Role.BUYER, "Buyer workspace", "Master data", "Receipts to post"),
])
def test_each_staff_role_gets_its_own_workspace(session, portal, role, workspace, must_see, must_not_see):
    portal.sign_in(make_user(session, role=role, locale="en"))

    page = portal.get("/").text

    assert heading(page) == workspace
    assert must_see in panels(page) and must_not_see not in panels(page)


def test_only_admins_see_user_administration_in_the_navigation(session, portal):
    admin_nav = nav(portal.sign_in(make_user(session, role=Role.ADMIN, locale="en")).get("/").text)
    buyer_nav = nav(portal.sign_in(make_user(session, role=Role.BUYER, locale="en")).get("/").text)

    assert "Users" in admin_nav and "Users" not in buyer_nav


def test_a_supplier_user_sees_the_supplier_portal_navigation(session, portal):
    supplier = make_party(session)
    make_supplier_item(session, supplier=supplier)
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=supplier, locale="en"))

    page = portal.get("/").text

    assert heading(page) == "Supplier portal"
    assert {"My items", "My company"} <= set(nav(page))
    assert not {"Users", "Locations", "Items"} & set(nav(page))
    assert "Call-offs to confirm" in panels(page)
