"""VMI agreements in the portal: buyers list, draft, activate and end them in either language; a
supplier only reads its own."""
from openvmi.access import Role
from tests.builders import (
    make_party, make_plant, make_location, make_supplier_item, make_user, make_vmi_agreement, make_vmi_location,
)
from tests.web.conftest import field_error, heading


def form(supplier_item_id: int, location_id: int, **overrides) -> dict:
    return {"supplier_item_id": str(supplier_item_id), "location_id": str(location_id), "min_level": "100",
            "max_level": "500", "settlement_cycle": "monthly", "currency": "CNY", "tax_rate_percent": "13",
            "call_off_answer_hours": "48", "over_shipment_tolerance_percent": "5", "adjustments_need_approval": "on",
            "valid_from": "2026-01-01", "valid_to": ""} | overrides


def test_a_buyer_drafts_and_activates_an_agreement_from_the_form(session, portal):
    supplier_item, location = make_supplier_item(session), make_vmi_location(session)
    portal.sign_in(make_user(session, role=Role.BUYER, locale="en"))

    new = portal.get("/vmi/agreements/new")
    created = portal.post("/vmi/agreements/new", form(supplier_item.id, location.id), follow_redirects=False)
    detail = portal.get(created.headers["location"])
    activated = portal.post(created.headers["location"] + "/activate")

    assert new.status_code == 200 and location.code in new.text
    assert created.status_code == 303
    assert heading(detail.text).startswith("VMI agreement #") and "Draft" in detail.text
    assert activated.status_code == 200 and "is now active" in activated.text


def test_form_mistakes_are_shown_next_to_their_fields_and_nothing_is_saved(session, portal):
    supplier_item = make_supplier_item(session)
    warehouse = make_location(session, kind="warehouse", plant_code=make_plant(session).code)
    portal.sign_in(make_user(session, role=Role.BUYER, locale="en"))

    page = portal.post("/vmi/agreements/new", form(supplier_item.id, warehouse.id, min_level="600", currency="XYZ"))
    fixed = portal.post("/vmi/agreements/new", form(supplier_item.id, warehouse.id, min_level="600"))

    assert page.status_code == 422
    assert field_error(page.text, "currency").startswith("is not an ISO 4217 currency code")
    assert field_error(fixed.text, "max_level") == "the maximum level is below the minimum level"
    assert "is not a VMI location at one of our plants" in field_error(fixed.text, "location_id")
    listed = portal.get("/vmi/agreements", params={"q": supplier_item.supplier_part_number})
    assert "No VMI agreements match" in listed.text


def test_a_second_activation_is_refused_on_the_page_in_chinese(session, portal):
    supplier_item, location = make_supplier_item(session), make_vmi_location(session)
    first = make_vmi_agreement(session, supplier_item=supplier_item, location=location, activate=True)
    second = make_vmi_agreement(session, supplier_item=supplier_item, location=location)
    portal.sign_in(make_user(session, role=Role.BUYER, locale="zh_CN"))

    page = portal.post(f"/vmi/agreements/{second.id}/activate")

    assert page.status_code == 409
    assert f"已有生效中的协议（#{first.id}）" in page.text
    assert "草稿" in page.text


def test_the_list_reads_in_chinese_and_filters_by_state(session, portal):
    active = make_vmi_agreement(session, activate=True, settlement_cycle="weekly")
    draft = make_vmi_agreement(session)
    portal.sign_in(make_user(session, role=Role.BUYER, locale="zh_CN"))

    page = portal.get("/vmi/agreements", params={"state": "active"})

    assert page.status_code == 200 and "VMI 协议" in page.text and "按周" in page.text
    assert f'/vmi/agreements/{active.id}"' in page.text and f'/vmi/agreements/{draft.id}"' not in page.text


def test_only_a_draft_offers_editing_and_the_edit_saves(session, portal):
    row = make_vmi_agreement(session)
    portal.sign_in(make_user(session, role=Role.BUYER, locale="en"))

    edit = portal.get(f"/vmi/agreements/{row.id}/edit")
    saved = portal.post(f"/vmi/agreements/{row.id}/edit", {**form_of(row), "max_level": "900"})
    portal.post(f"/vmi/agreements/{row.id}/activate")
    refused = portal.post(f"/vmi/agreements/{row.id}/edit", {**form_of(row), "max_level": "950"})

    assert edit.status_code == 200
    assert saved.status_code == 200 and "900" in saved.text
    assert "Edit draft" not in portal.get(f"/vmi/agreements/{row.id}").text
    assert refused.status_code == 422 and "only a draft can be changed" in refused.text


def form_of(row) -> dict:
    return form(row.supplier_item_id, row.location_id, over_shipment_tolerance_percent="0")


def test_a_supplier_reads_its_own_agreements_without_buttons_and_not_anothers(session, portal):
    mine, theirs = make_party(session), make_party(session)
    own = make_vmi_agreement(session, supplier_item=make_supplier_item(session, supplier=mine))
    other = make_vmi_agreement(session, supplier_item=make_supplier_item(session, supplier=theirs))
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=mine, locale="en"))

    listing = portal.get("/vmi/agreements")
    detail = portal.get(f"/vmi/agreements/{own.id}")

    assert f'/vmi/agreements/{own.id}"' in listing.text and f'/vmi/agreements/{other.id}"' not in listing.text
    assert "New VMI agreement" not in listing.text
    assert detail.status_code == 200 and "Activate" not in detail.text and "Edit draft" not in detail.text
    assert portal.get(f"/vmi/agreements/{other.id}").status_code == 404
    assert portal.get("/vmi/agreements/new").status_code == 403
    assert portal.post(f"/vmi/agreements/{own.id}/activate").status_code == 403


def test_self_billing_is_ticked_on_the_form_kept_on_edit_and_untickable_in_chinese(session, portal):
    from openvmi.vmi.agreements.models import VmiAgreement

    supplier_item, location = make_supplier_item(session), make_vmi_location(session)
    portal.sign_in(make_user(session, role=Role.BUYER, locale="zh_CN"))

    new = portal.get("/vmi/agreements/new")
    created = portal.post("/vmi/agreements/new", form(supplier_item.id, location.id, self_billing="on"),
                          follow_redirects=False)
    agreement_id = int(created.headers["location"].rsplit("/", 1)[1])
    detail = portal.get(f"/vmi/agreements/{agreement_id}")
    edit = portal.get(f"/vmi/agreements/{agreement_id}/edit")
    ticked = session.get(VmiAgreement, agreement_id).self_billing
    portal.post(f"/vmi/agreements/{agreement_id}/edit", form(supplier_item.id, location.id))  # box left unticked
    session.expire_all()

    assert 'name="self_billing"' in new.text and 'name="self_billing" type="checkbox" role="switch" checked' not in new.text
    assert "自开票（ERS）" in new.text
    assert ticked is True and "自开票（ERS）" in detail.text
    assert 'name="self_billing" type="checkbox" role="switch" checked' in edit.text
    assert session.get(VmiAgreement, agreement_id).self_billing is False
