"""How a permission is looked up. What each role may do is proven on the routes
(tests/web/test_api_roles.py), not by restating the table here."""
import pytest

from openvmi.access import Role, has_permission


def test_roles_are_compared_by_their_stored_string():
    assert has_permission("warehouse", "ledger.post")
    assert not has_permission("nobody", "ledger.read")


def test_an_unknown_permission_is_a_programming_error_not_a_silent_no():
    with pytest.raises(KeyError):
        has_permission(Role.ADMIN, "ledger.postt")
