"""After a log-in or a form, the portal only ever sends the browser back to one of its own pages."""
import pytest

from openvmi.web.rendering import safe_next


@pytest.mark.parametrize("target", ["/items?q=bolt", "/alerts/7", "/"])
def test_a_page_of_our_own_is_where_the_user_returns(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("target", [
    "https://evil.example.com/phish", "//evil.example.com/phish", "/\\evil.example.com", "javascript:alert(1)",
    "items", "http:/items"])
def test_another_site_or_anything_that_is_not_a_path_sends_the_user_home(target):
    assert safe_next(target) == "/"


def test_without_a_target_the_user_lands_on_the_given_default():
    assert safe_next(None, "/alerts") == "/alerts"
    assert safe_next("", "/alerts") == "/alerts"
