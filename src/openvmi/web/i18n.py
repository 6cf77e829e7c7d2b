"""Languages of the portal: Babel catalogs, choosing the request's locale, locale-aware formatting."""
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from openvmi.enums import N_  # noqa: F401 - the marker, re-exported for pages

LOCALE_DIR = Path(__file__).parent / "locale"
SUPPORTED = ("zh_CN", "en")  # the order the language switcher shows them
LANGUAGE_NAMES = {"zh_CN": "简体中文", "en": "English"}
LANGUAGE_COOKIE = "ovmi_lang"


def normalize(tag: str | None) -> str | None:
    """A supported locale for a tag like 'zh-CN', 'zh_Hans_CN', 'en-GB', or None."""
    if not tag:
        return None
    try:
        locale = Locale.parse(tag.strip().replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None
    if locale.language == "zh":
        # Simplified Chinese is the only Chinese we ship; Traditional readers get it too.
        return "zh_CN"
    return locale.language if locale.language in SUPPORTED else None


def from_accept_language(header: str | None) -> str | None:
    """The best supported locale in an Accept-Language header, honouring q-values."""
    if not header:
        return None
    weighted = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag))
    for _, _, tag in sorted(weighted):
        locale = normalize(tag)
        if locale:
            return locale
    return None


def choose_locale(*, user_choice: str | None, cookie: str | None, accept_language: str | None,
                  default: str) -> str:
    """The user's stored choice, then the switcher cookie, then the browser, then the default."""
    return (normalize(user_choice) or normalize(cookie) or from_accept_language(accept_language)
            or normalize(default) or "en")


@lru_cache(maxsize=None)
def translations(locale: str) -> NullTranslations:
    """The catalog of `locale`, compiled from its .po in memory (so .mo files never go stale)."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and (not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime):
        with mo_path.open("rb") as fp:
            return Translations(fp)
    if not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as fp:
        catalog = read_po(fp, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


class Formatter:
    """Dates, times and numbers written the way a reader of `locale` expects."""

    def __init__(self, locale: str, timezone: str) -> None:
        self.locale = locale
        self.tz = ZoneInfo(timezone)

    def date(self, value: date | datetime | None, format: str = "medium") -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.astimezone(self.tz).date()
        return babel_dates.format_date(value, format=format, locale=self.locale)

    def datetime(self, value: datetime | None, format: str = "medium") -> str:
        if value is None:
            return ""
        return babel_dates.format_datetime(value, format=format, tzinfo=self.tz, locale=self.locale)

    def number(self, value: Decimal | int | float | None) -> str:
        """A quantity: grouping separators, no trailing zeros beyond what the value needs."""
        if value is None:
            return ""
        if isinstance(value, Decimal):
            value = value.normalize() if value == value.to_integral_value() else value
            places = max(0, -value.as_tuple().exponent) if isinstance(value.as_tuple().exponent, int) else 0
            pattern = "#,##0" + ("." + "#" * min(places, 6) if places else "")
            return babel_numbers.format_decimal(value, format=pattern, locale=self.locale,
                                                decimal_quantization=False)
        return babel_numbers.format_decimal(value, locale=self.locale)

    def percent(self, fraction: float | None) -> str:
        return "" if fraction is None else babel_numbers.format_percent(fraction, locale=self.locale)

    def money(self, value: Decimal | None, currency: str) -> str:
        if value is None:
            return ""
        return babel_numbers.format_currency(value, currency, locale=self.locale)


class Words:
    """One reader's language for text worded when it is read or sent (inbox, e-mail, alert
    sentences): the catalog of `locale`, its figures, times in the configured zone."""

    def __init__(self, locale: str, timezone: str) -> None:
        self.locale = locale
        self._catalog = translations(locale)
        self._format = Formatter(locale, timezone)

    @classmethod
    def preferred(cls, choice: str | None, *, default: str, timezone: str) -> "Words":
        """The words of a user who chose `choice` (None: the portal's default language)."""
        return cls(normalize(choice) or normalize(default) or "en", timezone)

    def text(self, msgid: str, **params: object) -> str:
        text = self._catalog.gettext(msgid)
        return text % params if params else text

    def number(self, value: Decimal | int | None) -> str:
        return self._format.number(value)

    def datetime(self, value: datetime) -> str:
        return self._format.datetime(value, "short")
