"""Who may do what: the role -> permission table."""
import pytest

from openvmi.access import PERMISSIONS, STAFF, Role, has_permission


def test_only_admins_manage_users_parties_and_locations():
    for permission in ("users.read", "users.write", "parties.write", "locations.write"):
        assert [role for role in Role if has_permission(role, permission)] == [Role.ADMIN]


def test_suppliers_read_and_edit_their_supplier_items_but_never_post_stock():
    assert has_permission(Role.SUPPLIER, "masterdata.read")
    assert has_permission(Role.SUPPLIER, "ledger.read")
    assert has_permission(Role.SUPPLIER, "supplier_items.write")
    assert not has_permission(Role.SUPPLIER, "ledger.post")
    assert not has_permission(Role.SUPPLIER, "items.write")


def test_warehouse_posts_stock_but_finance_and_buyers_do_not():
    assert has_permission(Role.WAREHOUSE, "ledger.post")
    assert not has_permission(Role.FINANCE, "ledger.post")
    assert not has_permission(Role.BUYER, "ledger.post")


def test_every_role_can_read_master_data_and_manage_its_own_tokens():
    for role in Role:
        assert has_permission(role, "masterdata.read")
        assert has_permission(role, "tokens.manage")


def test_roles_are_compared_by_their_stored_string():
    assert has_permission("warehouse", "ledger.post")
    assert not has_permission("nobody", "ledger.read")


def test_an_unknown_permission_is_a_programming_error_not_a_silent_no():
    with pytest.raises(KeyError):
        has_permission(Role.ADMIN, "ledger.postt")


def test_the_table_only_names_known_roles():
    assert all(roles <= set(Role) for roles in PERMISSIONS.values())
    assert Role.SUPPLIER not in STAFF
