"""Chinese and English without a request: the browser's language, numbers and dates for the reader,
and a Chinese translation for every visible string."""
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from openvmi.web import i18n
from openvmi.web.i18n import Formatter, from_accept_language

ROOT = Path(__file__).resolve().parents[3]
# Reasons a file is refused for are msgids too (`make messages` extracts them the same way).
FILE_REASONS = {"Reason": None, "CellError": None, "file_error": None}


def test_accept_language_honours_quality_values_and_unsupported_languages():
    assert from_accept_language("de-DE,de;q=0.9,zh-TW;q=0.8,en;q=0.7") == "zh_CN"
    assert from_accept_language("fr;q=0.9, en;q=0.1") == "en"
    assert from_accept_language("fr, de") is None


def test_numbers_and_dates_are_written_for_the_reader():
    moment = datetime(2026, 3, 5, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
    chinese, english = Formatter("zh_CN", "Asia/Shanghai"), Formatter("en", "Asia/Shanghai")

    assert english.number(Decimal("12345.500000")) == "12,345.5"
    assert english.date(moment) == "Mar 5, 2026"
    assert chinese.date(moment) == "2026年3月5日"
    assert "9:30" in english.datetime(moment) and "09:30" in chinese.datetime(moment)


def test_every_visible_string_has_a_chinese_translation():
    method_map, options_map = parse_mapping_cfg((ROOT / "babel.cfg").open())
    extracted = {message if isinstance(message, str) else message[0]
                 for _, _, message, _, _ in extract_from_dir(
                     str(ROOT), method_map, options_map, keywords={"_": None, "N_": None, "gettext": None,
                                                                   "ngettext": (1, 2), **FILE_REASONS})}
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
