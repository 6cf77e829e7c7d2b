"""Chinese and English on the pages: the user's choice, then the browser's (the pure parts and the
catalog check: tests/unit/web/test_i18n.py)."""
from openvmi.access import Role
from openvmi.auth.models import User
from tests.builders import make_item, make_user
from tests.web.conftest import heading


def test_the_login_page_follows_the_browsers_language(portal):
    chinese = portal.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    english = portal.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})

    assert heading(chinese.text) == "登录" and '<html lang="zh-CN"' in chinese.text
    assert heading(english.text) == "Log in" and '<html lang="en"' in english.text


def test_the_switcher_wins_over_the_browser_and_is_remembered_on_the_user(session, portal):
    user = make_user(session, role=Role.BUYER, locale="en")
    portal.sign_in(user)

    switched = portal.post("/language", {"locale": "zh_CN", "next": "/items"},
                           headers={"Accept-Language": "en"}, follow_redirects=False)
    page = portal.get(switched.headers["location"], headers={"Accept-Language": "en"})

    assert switched.headers["location"] == "/items"
    assert heading(page.text) == "物料"
    assert session.get(User, user.id, populate_existing=True).locale == "zh_CN"


def test_a_users_stored_language_applies_on_every_device(session, portal):
    portal.sign_in(make_user(session, role=Role.WAREHOUSE, locale="zh_CN"))

    page = portal.get("/", headers={"Accept-Language": "en"})

    assert heading(page.text) == "仓库工作台"


def test_an_unsupported_language_is_refused(session, portal):
    answer = portal.post("/language", {"locale": "xx", "next": "/"})

    assert answer.status_code == 422


def test_form_errors_are_translated_next_to_the_field(session, portal):
    portal.sign_in(make_user(session, role=Role.BUYER, locale="zh_CN"))

    answer = portal.post("/items/new", {"code": "", "name": "螺栓", "unit": "PCS"})

    assert answer.status_code == 422
    assert '<small id="f-code-error" class="field-error">此项为必填项。</small>' in answer.text


def test_lists_show_numbers_in_the_readers_format(session, portal):
    make_item(session, code="BIG-LOW-WATER", default_low_water=12500)
    portal.sign_in(make_user(session, role=Role.BUYER, locale="en"))

    page = portal.get("/items?q=BIG-LOW-WATER")

    assert "12,500" in page.text
