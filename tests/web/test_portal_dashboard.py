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


@pytest.mark.parametrize(("role", "workspace", "shown"), [
    (Role.WAREHOUSE, "Warehouse workspace", []),
    (Role.FINANCE, "Finance workspace", []),
    (Role.BUYER, "Buyer workspace", ["Open alerts", "Master data"]),
])
def test_each_staff_role_gets_its_own_workspace_with_only_panels_of_features_that_exist(
        session, portal, role, workspace, shown):
    portal.sign_in(make_user(session, role=role, locale="en"))

    page = portal.get("/").text

    assert heading(page) == workspace
    assert panels(page) == shown
    assert ("Needs your attention" in page) == bool(shown)  # no empty section either


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
    assert panels(page) == ["Open alerts", "Your catalogue"]


def test_the_welcome_line_separates_the_name_the_company_and_the_date(session, portal):
    supplier = make_party(session, name="Mine Ltd")
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=supplier, locale="en", display_name="Ann Lee"))

    page = portal.get("/").text

    assert re.search(r"Welcome, Ann Lee \(Mine Ltd\)\.\s+Today is", page)
