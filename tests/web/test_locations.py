"""Locations over HTTP and in the portal: the API keeps its shape; quarantine is a kind people can pick."""
from openvmi.access import Role
from tests.builders import bearer, make_location, make_user
from tests.web.conftest import field_error


def test_an_admin_adds_a_quarantine_place_and_the_api_lists_it_by_kind(session, api_client):
    headers = bearer(session, make_user(session, role=Role.ADMIN))

    created = api_client.post("/api/v1/locations", headers=headers,
                              json={"code": "QA-BLOCK-1", "name": "Blocked stock", "kind": "quarantine"})
    listed = api_client.get("/api/v1/locations", params={"kind": "quarantine"}, headers=headers).json()

    assert created.status_code == 201
    assert {key: created.json()[key] for key in ("code", "kind", "is_physical", "supplier_id")} == {
        "code": "QA-BLOCK-1", "kind": "quarantine", "is_physical": True, "supplier_id": None}
    assert [row["code"] for row in listed["items"]] == ["QA-BLOCK-1"]


def test_an_unknown_kind_is_refused_by_the_api(session, api_client):
    headers = bearer(session, make_user(session, role=Role.ADMIN))

    answer = api_client.post("/api/v1/locations", headers=headers, json={"code": "X-1", "name": "X", "kind": "limbo"})

    assert answer.status_code == 422
    assert [error["field"] for error in answer.json()["errors"]] == ["kind"]


def test_the_location_list_names_quarantine_in_the_readers_language(session, portal):
    make_location(session, code="QA-BLOCK-2", kind="quarantine")
    portal.sign_in(make_user(session, role=Role.ADMIN, locale="zh_CN"))

    page = portal.get("/locations", params={"kind": "quarantine", "q": "QA-BLOCK-2"})

    assert page.status_code == 200
    assert "QA-BLOCK-2" in page.text and "隔离库（损坏或冻结）" in page.text


def test_a_supplier_site_without_a_supplier_is_shown_next_to_the_field(session, portal):
    portal.sign_in(make_user(session, role=Role.ADMIN, locale="en"))

    page = portal.post("/locations/new", {"code": "SITE-X", "name": "Site", "kind": "supplier_site",
                                          "plant_code": "", "supplier_code": ""})

    assert page.status_code == 422
    assert field_error(page.text, "supplier_code") == "a supplier site needs its supplier"
