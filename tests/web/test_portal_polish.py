"""Small things a reader notices: an empty list says one thing, and a company page someone may not
edit reads as facts rather than a greyed-out form."""
from openvmi.access import Role
from tests.builders import make_party, make_user


def test_an_empty_list_shows_one_message_and_no_count(session, portal):
    portal.sign_in(make_user(session, role=Role.BUYER, locale="en"))

    page = portal.get("/items", params={"q": "no-such-item-anywhere"}).text

    results = page.split('<div id="results">', 1)[1].split("</main>", 1)[0]
    assert "No items match your search." in results
    assert "Showing" not in results and "Nothing found" not in results and "<table" not in results


def test_a_supplier_reads_its_company_as_facts_not_as_a_disabled_form(session, portal):
    mine = make_party(session, name="Mine Ltd", contact_email="sales@mine.example.com", stale_after_days=5)
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=mine, locale="en"))

    page = portal.get(f"/suppliers/{mine.id}").text

    main = page.split("<main", 1)[1]
    assert '<dl class="facts">' in main and "sales@mine.example.com" in main and "Mine Ltd" in main
    assert "<input" not in main and "disabled" not in main and "Save" not in main


def test_an_admin_still_edits_the_company_in_a_form(session, portal):
    company = make_party(session, name="Editable Ltd")
    portal.sign_in(make_user(session, role=Role.ADMIN, locale="en"))

    main = portal.get(f"/suppliers/{company.id}").text.split("<main", 1)[1]

    assert 'name="name" type="text" value="Editable Ltd"' in main and "disabled" not in main
