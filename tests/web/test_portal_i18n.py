"""Chinese and English: the user's choice, then the browser's; every visible string has a translation."""
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from openvmi.access import Role
from openvmi.auth.models import User
from openvmi.web import i18n
from openvmi.web.i18n import Formatter, from_accept_language
from tests.builders import make_item, make_user
from tests.web.conftest import heading

ROOT = Path(__file__).resolve().parents[2]


def test_the_login_page_follows_the_browsers_language(portal):
    chinese = portal.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    english = portal.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})

    assert heading(chinese.text) == "登录" and '<html lang="zh-CN"' in chinese.text
    assert heading(english.text) == "Log in" and '<html lang="en"' in english.text


def test_accept_language_honours_quality_values_and_unsupported_languages():
    assert from_accept_language("de-DE,de;q=0.9,zh-TW;q=0.8,en;q=0.7") == "zh_CN"
    assert from_accept_language("fr;q=0.9, en;q=0.1") == "en"
    assert from_accept_language("fr, de") is None


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


def test_numbers_and_dates_are_written_for_the_reader():
    moment = datetime(2026, 3, 5, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
    chinese, english = Formatter("zh_CN", "Asia/Shanghai"), Formatter("en", "Asia/Shanghai")

    assert english.number(Decimal("12345.500000")) == "12,345.5"
    assert english.date(moment) == "Mar 5, 2026"
    assert chinese.date(moment) == "2026年3月5日"
    assert "9:30" in english.datetime(moment) and "09:30" in chinese.datetime(moment)


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


def test_every_visible_string_has_a_chinese_translation():
    method_map, options_map = parse_mapping_cfg((ROOT / "babel.cfg").open())
    extracted = {message if isinstance(message, str) else message[0]
                 for _, _, message, _, _ in extract_from_dir(
                     str(ROOT), method_map, options_map, keywords={"_": None, "N_": None, "gettext": None,
                                                                   "ngettext": (1, 2)})}
    with (i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        catalog = read_po(fp, locale="zh_CN")
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string
                  and "fuzzy" not in m.flags}

    missing = sorted(extracted - translated)
    assert not missing, f"run `make messages` and translate in zh_CN/messages.po: {missing}"


def test_translation_placeholders_match_the_english():
    with (i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        catalog = read_po(fp, locale="zh_CN")

    for message in catalog:
        if message.id and message.string:
            names = set(re.findall(r"%\((\w+)\)s", message.id if isinstance(message.id, str) else message.id[0]))
            text = message.string if isinstance(message.string, str) else message.string[0]
            assert set(re.findall(r"%\((\w+)\)s", text)) == names, message.id
