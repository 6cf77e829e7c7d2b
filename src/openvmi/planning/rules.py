"""Pure decisions for demand plans: buckets, ISO weeks, the plan file's columns, and how big a
change between two versions is."""
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from openvmi.enums import N_, Labelled
from openvmi.errors import Reason
from openvmi.tabular.values import CellError, normalise_header


class Bucket(Labelled):
    """How a plan line states its requirement: for one day, or for an ISO week (due on its Monday)."""

    DAY = "day", N_("Day")
    WEEK = "week", N_("Week")


class Source(Labelled):
    UPLOAD = "upload", N_("File upload")
    API = "api", N_("API")


class Change(Labelled):
    """What happened to one week's quantity since the previous version."""

    UP_SHARPLY = "up_sharply", N_("Sharply up")
    UP = "up", N_("Up")
    SAME = "same", N_("Unchanged")
    DOWN = "down", N_("Down")
    DOWN_SHARPLY = "down_sharply", N_("Sharply down")


# A week's quantity at least this much higher (or lower) than before, relative to the larger of the
# two, is a sharp change: 100 -> 150 is up sharply, 100 -> 120 is up; new demand is always sharp.
SHARP_CHANGE = Decimal("0.3")


def change_of(previous: Decimal, current: Decimal) -> Change:
    """How one week's quantity moved from the previous version to the current one."""
    if current == previous:
        return Change.SAME
    sharp = abs(current - previous) >= SHARP_CHANGE * max(current, previous)
    if current > previous:
        return Change.UP_SHARPLY if sharp else Change.UP
    return Change.DOWN_SHARPLY if sharp else Change.DOWN


def week_start(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def week_label(monday: date) -> str:
    """2026-W49: the ISO week a Monday starts."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


_WEEK = re.compile(r"(\d{4})\s*[-/.]?\s*(?:W|KW|第)?\s*(\d{1,2})\s*周?")


def parse_week(value: object, *, today: date) -> date:
    """The Monday of an ISO week written 2026-W49, 2026W49, 2026-49 or 2026第49周; a week that has
    already ended is refused."""
    text = unicodedata.normalize("NFKC", str(value)).strip().upper()
    match = _WEEK.fullmatch(text)
    if match is None:
        raise CellError("not a week (use YYYY-Www, e.g. 2026-W49)")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise CellError("no such week: %(year)s has no week %(week)s", year=year, week=week) from None
    if monday + timedelta(days=6) < today:
        raise CellError("week is in the past")
    return monday


FIELDS = ("item_code", "plant", "day", "week", "quantity")
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "item_code": ("物料编码", "物料代码", "物料号", "料号", "物料", "item", "item code", "item no", "material",
                  "part number", "part no"),
    "plant": ("工厂", "工厂代码", "厂区", "plant", "plant code", "site"),
    "day": ("日期", "需求日期", "交货日期", "到货日期", "date", "day", "due date", "required date"),
    "week": ("周", "周次", "需求周", "week", "iso week", "calendar week"),
    "quantity": ("数量", "需求数量", "需求量", "计划数量", "quantity", "qty", "requirement", "demand"),
}
_SYNONYM_TO_FIELD = {normalise_header(s): f for f, names in HEADER_SYNONYMS.items() for s in names}


@dataclass(frozen=True)
class HeaderMatch:
    columns: dict[str, int]  # field -> column index
    ignored: list[str]  # headers that map to no field
    problems: list[tuple[str, Reason]]  # (column, reason)


def match_headers(headers: list[str]) -> HeaderMatch:
    """Find each field's column by its known Chinese and English names."""
    columns: dict[str, int] = {}
    problems: list[tuple[str, Reason]] = []
    for index, header in enumerate(headers):
        field = _SYNONYM_TO_FIELD.get(normalise_header(header))
        if field is None:
            continue
        if field in columns:
            problems.append((header, Reason("a second column for %(field)s (already read from %(header)s)",
                                            field=field, header=repr(headers[columns[field]]))))
            continue
        columns[field] = index
    ignored = [h for i, h in enumerate(headers) if i not in columns.values() and h.strip()]
    if "item_code" not in columns:
        problems.append(("", Reason("no item column: expected e.g. 物料编码/item code")))
    if "plant" not in columns:
        problems.append(("", Reason("no plant column: expected e.g. 工厂/plant")))
    if "day" not in columns and "week" not in columns:
        problems.append(("", Reason("no date or week column: expected e.g. 日期/date or 周/week")))
    if "quantity" not in columns:
        problems.append(("", Reason("no quantity column: expected e.g. 数量/quantity")))
    return HeaderMatch(columns, ignored, problems)


def header_fitness(headers: list[str]) -> tuple[bool, int]:
    """How well a row reads as a plan file's header: (complete, fields recognised)."""
    match = match_headers(headers)
    return not match.problems, len(match.columns)
