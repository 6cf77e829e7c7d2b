"""Master-data forms and lists: create, edit, errors next to fields, stale edits, search and paging."""
import re
from decimal import Decimal

from openvmi.access import Role
from openvmi.catalog.models import SupplierItem
from tests.builders import make_item, make_party, make_supplier_item, make_user
from tests.web.conftest import field_error, heading


def _buyer(session, portal):
    return portal.sign_in(make_user(session, role=Role.BUYER, locale="en"))


def test_a_buyer_creates_a_supplier_item_with_a_first_price(session, portal):
    supplier, item = make_party(session), make_item(session)
    _buyer(session, portal)

    answer = portal.post("/supplier-items/new", {
        "supplier_code": supplier.code, "item_code": item.code, "supplier_part_number": "PN-100",
        "lead_time_days": "14", "moq": "500", "pack_size": "50", "price": "1.25", "currency": "CNY",
        "valid_from": "2026-01-01"}, follow_redirects=False)

    assert answer.status_code == 303
    page = portal.get(answer.headers["location"])
    assert heading(page.text) == "Supplier item PN-100"
    assert "Supplier item PN-100 created." in page.text
    assert "CN¥1.25" in page.text


def test_bad_numbers_are_reported_next_to_their_fields_what_was_typed_is_kept_and_nothing_is_saved(session, portal):
    supplier = make_party(session)
    _buyer(session, portal)

    answer = portal.post("/supplier-items/new", {
        "supplier_code": supplier.code, "item_code": "NO-SUCH-ITEM", "supplier_part_number": "PN-200",
        "lead_time_days": "-3", "moq": "lots", "pack_size": "1"})

    assert answer.status_code == 422
    assert field_error(answer.text, "lead_time_days") == "Must be at least 0."
    assert field_error(answer.text, "moq") == "Enter a number."
    assert 'value="NO-SUCH-ITEM"' in answer.text  # what the user typed is kept
    assert session.query(SupplierItem).filter_by(supplier_part_number="PN-200").count() == 0


def test_a_service_refusal_lands_on_its_field(session, portal):
    supplier = make_party(session)
    _buyer(session, portal)

    answer = portal.post("/supplier-items/new", {"supplier_code": supplier.code, "item_code": "NO-SUCH-ITEM",
                                                 "supplier_part_number": "PN-300", "lead_time_days": "3",
                                                 "moq": "0", "pack_size": "1"})

    assert field_error(answer.text, "item_code") == "no such item: NO-SUCH-ITEM"


def test_editing_a_supplier_item_saves_and_adds_a_price_period(session, portal):
    row = make_supplier_item(session, supplier_part_number="PN-400")
    _buyer(session, portal)
    form = portal.get(f"/supplier-items/{row.id}").text
    version = re.search(r'name="version" value="(\d+)"', form).group(1)

    answer = portal.post(f"/supplier-items/{row.id}", {
        "supplier_part_number": "PN-401", "lead_time_days": "21", "moq": "10", "pack_size": "5", "active": "on",
        "version": version, "price": "1.40", "currency": "CNY", "valid_from": "2026-07-01"}, follow_redirects=False)

    assert answer.status_code == 303
    session.refresh(row)
    assert (row.supplier_part_number, row.lead_time_days, row.version) == ("PN-401", 21, int(version) + 1)
    assert len(row.prices) == 2


def test_a_stale_edit_is_refused_instead_of_overwriting_someone_elses_change(session, portal):
    row = make_supplier_item(session, supplier_part_number="PN-500")
    _buyer(session, portal)
    fields = {"supplier_part_number": "PN-501", "lead_time_days": "3", "moq": "0", "pack_size": "1",
              "active": "on", "version": str(row.version)}
    assert portal.post(f"/supplier-items/{row.id}", fields, follow_redirects=False).status_code == 303

    second = portal.post(f"/supplier-items/{row.id}", {**fields, "supplier_part_number": "PN-502"})

    assert second.status_code == 422
    assert "Someone else changed this supplier item" in second.text
    session.refresh(row)
    assert row.supplier_part_number == "PN-501"


def test_a_second_price_for_the_same_day_and_quantity_is_reported_at_the_new_price(session, portal):
    row = make_supplier_item(session)  # a price from 2026-01-01, open-ended, for any quantity
    _buyer(session, portal)

    answer = portal.post(f"/supplier-items/{row.id}", {
        "supplier_part_number": row.supplier_part_number, "lead_time_days": "3", "moq": "0", "pack_size": "1",
        "version": str(row.version), "price": "2", "currency": "CNY", "valid_from": "2026-01-01"})

    assert answer.status_code == 422
    assert field_error(answer.text, "valid_from") == "two prices starting 2026-01-01 for the same minimum quantity 0"


def test_a_duplicate_item_code_is_reported_on_the_code_field(session, portal):
    item = make_item(session)
    _buyer(session, portal)

    answer = portal.post("/items/new", {"code": item.code, "name": "Again", "unit": "PCS"})

    assert field_error(answer.text, "code") == f"an item with code {item.code} already exists"


def test_lists_search_sort_and_page(session, portal):
    for index in range(30):
        make_item(session, code=f"PAGED-{index:02d}", name=f"Paged item {index:02d}")
    _buyer(session, portal)

    first = portal.get("/items?q=paged-&sort=code&dir=desc&per_page=25").text
    second = portal.get("/items?q=paged-&sort=code&dir=desc&per_page=25&page=2").text

    codes = re.findall(r">(PAGED-\d\d)</a>", first)
    assert codes[:2] == ["PAGED-29", "PAGED-28"] and len(codes) == 25
    assert re.findall(r">(PAGED-\d\d)</a>", second) == [f"PAGED-{i:02d}" for i in range(4, -1, -1)]
    assert "Showing 1–25 of 30" in first and 'aria-sort="descending"' in first


def test_an_admin_creates_a_token_and_sees_its_secret_only_once(session, portal):
    portal.sign_in(make_user(session, role=Role.ADMIN, locale="en"))

    created = portal.post("/tokens", {"name": "SAP nightly", "expires_in_days": "30"})
    secret = re.search(r'id="token-secret">(ovmi_[^<]+)<', created.text).group(1)
    later = portal.get("/tokens").text

    assert "SAP nightly" in later and secret not in later
    token_id = re.search(r'action="/tokens/(\d+)/revoke"', later).group(1)
    assert portal.post(f"/tokens/{token_id}/revoke", follow_redirects=False).status_code == 303
    assert portal.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_an_admin_creates_a_supplier_user_bound_to_its_company(session, portal):
    supplier = make_party(session)
    portal.sign_in(make_user(session, role=Role.ADMIN, locale="en"))

    missing = portal.post("/users/new", {"username": "newsup", "display_name": "New", "password": "long-enough-1",
                                         "role": "supplier"})
    created = portal.post("/users/new", {"username": "newsup", "display_name": "New", "password": "long-enough-1",
                                         "role": "supplier", "supplier_code": supplier.code},
                          follow_redirects=False)

    assert field_error(missing.text, "supplier_code") == "a supplier user needs a supplier"
    assert "long-enough-1" not in missing.text
    assert created.status_code == 303


def test_an_admin_resets_a_paused_users_password_and_role(session, portal):
    user = make_user(session, role=Role.BUYER)
    admin = make_user(session, role=Role.ADMIN, locale="en")
    portal.sign_in(admin)
    for _ in range(5):  # this browser's address is now paused on the user's account
        portal.post("/login", {"username": user.username, "password": "guess-guess"})

    answer = portal.post(f"/users/{user.id}", {"display_name": "Moved to finance", "role": "finance",
                                               "password": "brand-new-pass-1", "locale": "en"},
                         follow_redirects=False)
    own = portal.post(f"/users/{admin.id}", {"display_name": "Me", "role": "buyer"})
    new_password = portal.post("/login", {"username": user.username, "password": "brand-new-pass-1"},
                               follow_redirects=False)

    assert answer.status_code == 303
    session.refresh(user)
    assert (user.role, user.display_name) == ("finance", "Moved to finance")
    assert field_error(own.text, "role") == "you cannot change your own role"
    assert new_password.status_code == 303


def test_a_quantity_break_joins_its_days_price_set_and_the_page_shows_the_breaks(session, portal):
    row = make_supplier_item(session, supplier_part_number="PN-500")  # 1.50 from 2026-01-01, any quantity
    portal.sign_in(make_user(session, role=Role.BUYER, locale="zh_CN"))
    version = re.search(r'name="version" value="(\d+)"', portal.get(f"/supplier-items/{row.id}").text).group(1)

    answer = portal.post(f"/supplier-items/{row.id}", {
        "supplier_part_number": "PN-500", "lead_time_days": "7", "moq": "0", "pack_size": "1", "active": "on",
        "version": version, "price": "1.20", "currency": "CNY", "valid_from": "2026-01-01", "min_quantity": "100"},
        follow_redirects=False)
    page = portal.get(f"/supplier-items/{row.id}").text

    assert answer.status_code == 303
    assert "起订数量" in page and "100+" in page and "0+" in page
    session.refresh(row)
    assert sorted((p.min_quantity, p.price) for p in row.prices) == [(0, Decimal("1.50")), (100, Decimal("1.20"))]



def test_a_services_refusal_reads_in_the_readers_language_on_its_field(session, portal):
    item = make_item(session)
    portal.sign_in(make_user(session, role=Role.BUYER, locale="zh_CN"))
    item_again = portal.post("/items/new", {"code": item.code, "name": "Again", "unit": "PCS"})
    admin = make_user(session, role=Role.ADMIN, locale="zh_CN")
    portal.sign_in(admin)
    user_again = portal.post("/users/new", {"username": admin.username, "display_name": "Again", "role": "buyer",
                                            "password": "long-enough-1"})

    assert field_error(item_again.text, "code") == f"编码为 {item.code} 的物料已存在"
    assert field_error(user_again.text, "username") == f"用户名 {admin.username} 已被占用"


def test_an_admin_who_deactivates_themself_is_told_why_in_their_language(session, portal):
    admin = make_user(session, role=Role.ADMIN, locale="zh_CN")
    portal.sign_in(admin)

    refused = portal.post(f"/users/{admin.id}/active", {"active": "false"})

    assert refused.status_code == 422 and "不能停用自己" in refused.text
    session.refresh(admin)
    assert admin.active
