"""Availability's supplier lines written as JSON by the database, byte for byte what `availability_json`
writes for the same lines (a test on random data holds the two equal on both engines). The few
spellings that differ between SQLite and PostgreSQL are the constructs at the top, one per format; the
rows the lines are written from are found per engine too (SUPPLIER_LINES), as each reads them fastest."""
from typing import Any

from sqlalchemy import (
    BigInteger, ColumnElement, Date, Integer, String, and_, bindparam, case, cast, func, literal_column,
    null, select, tuple_, union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal

from openvmi.alerts.queries import open_stock_alert_rows
from openvmi.catalog.models import SupplierItem
from openvmi.locations.models import Location
from openvmi.parties.models import Party
from openvmi.supplier_stock.models import SupplierStock
from openvmi.supplier_stock.rules import AvailabilitySource


class _Format(FunctionElement[str]):
    type = String()
    inherit_cache = True


class quantity_text(_Format):  # noqa: N801 - reads like the SQL function it stands for
    """A quantity as str(Decimal) writes the value the driver returns (six places)."""
    inherit_cache = True


class quantity_sum_text(_Format):  # noqa: N801
    """The exact sum of quantities, written like quantity_text (SQLite keeps them as floats)."""
    inherit_cache = True


class date_text(_Format):  # noqa: N801
    """A date as ISO 8601."""
    inherit_cache = True


class utc_text(_Format):  # noqa: N801
    """A UTC timestamp as orjson writes it: Z, microseconds only when there are some."""
    inherit_cache = True


class epoch_micros(FunctionElement[int]):  # noqa: N801
    """Microseconds since 1970 of a UTC timestamp, exact."""
    type = BigInteger()
    inherit_cache = True


class days_after(FunctionElement[Any]):  # noqa: N801
    """The date `days` days after a date."""
    type = Date()
    inherit_cache = True


class code_point_order(FunctionElement[str]):  # noqa: N801
    """A text compared by code point, as Python compares str (SQLite's default already does)."""
    type = String()
    inherit_cache = True


def _args(element: FunctionElement[Any], compiler: Any, **kw: Any) -> list[str]:
    return [compiler.process(argument, **kw) for argument in element.clauses]


_SQL = {
    "postgresql": {
        quantity_text: "CAST({0} AS TEXT)",
        quantity_sum_text: "CAST(sum({0}) AS TEXT)",
        date_text: "to_char({0}, 'YYYY-MM-DD')",
        # one to_char (three cost ~2 ms per 1,000 lines); the date part holds no '.', so only zero
        # microseconds are cut
        utc_text: "(replace(to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', '') || 'Z')",
        epoch_micros: "CAST(extract(epoch FROM {0}) * 1000000 AS BIGINT)",
        days_after: "(CAST({0} AS DATE) + {1})",
        code_point_order: "({0} COLLATE \"C\")",
    },
    "sqlite": {
        # Python writes the driver's float with "%.6f" (SQLAlchemy's Numeric on SQLite); so does printf.
        quantity_text: "printf('%.6f', {0})",
        quantity_sum_text: "printf('%d.%06d', sum(CAST(round({0} * 1000000) AS INTEGER)) / 1000000, "
                           "sum(CAST(round({0} * 1000000) AS INTEGER)) % 1000000)",
        date_text: "{0}",  # SQLite keeps dates as ISO text
        # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff' (SQLAlchemy's DateTime on SQLite), or without the fraction;
        # only the fraction holds a '.'. Two replace() calls cost less than four substr() and a CASE.
        utc_text: "(replace(replace({0}, ' ', 'T'), '.000000', '') || 'Z')",
        epoch_micros: "(CAST(strftime('%s', {0}) AS INTEGER) * 1000000 + CAST(substr({0}, 21, 6) AS INTEGER))",
        days_after: "date({0}, '+' || {1} || ' days')",
        code_point_order: "{0}",
    },
}


def _compile(element: FunctionElement[Any], compiler: Any, **kw: Any) -> str:
    return _SQL[compiler.dialect.name][type(element)].format(*_args(element, compiler, **kw))


for _construct in _SQL["sqlite"]:
    compiles(_construct)(_compile)

def _number(value: int) -> ColumnElement[int]:
    return literal_column(str(value), BigInteger if abs(value) > 2**31 - 1 else Integer)


def _text(value: str) -> ColumnElement[str]:
    return literal_column("'" + value.replace("'", "''") + "'", String)


# The statements' constants are written into their SQL, not bound: then PostgreSQL keeps one plan for
# the prepared lines statement after its first five, where with 23 more parameters bound it planned
# every answer again (~0.6 ms of its ~5 ms per 1,000 lines, bench/README.md).
_ZERO, _ONE, _TWO, _TEN = _number(0), _number(1), _number(2), _number(10)
_TENTH_OF_AN_HOUR = _number(360_000_000)  # microseconds
_DAY = _number(86_400_000_000)  # microseconds


class json_object(FunctionElement[str]):  # noqa: N801 - reads like the SQL function it stands for
    """One JSON object, members in the order given and no spaces, as orjson writes a dict. Each value
    is `text` (a string or NULL), `plain` (a string that needs no escaping: dates, figures), `number`
    (an integer or NULL) or `raw` (JSON already, or NULL). SQLite builds it with its json_object(), written in
    C and faster than concatenating the pieces; PostgreSQL's json_build_object writes spaces after
    ':' and ',', so there it is concatenated."""
    type = String()
    inherit_cache = True
    # The names and kinds are part of the SQL, so of its cache key too.
    _traverse_internals = [*FunctionElement._traverse_internals, ("names", InternalTraversal.dp_plain_obj)]

    def __init__(self, **members: tuple[str, ColumnElement[Any]]) -> None:
        self.names = tuple((name, kind) for name, (kind, _) in members.items())
        super().__init__(*(value for _, value in members.values()))


_MEMBER_SQL = {
    "postgresql": {"text": "coalesce(CAST(to_json(CAST({0} AS TEXT)) AS TEXT), 'null')",
                   "plain": "coalesce('\"' || {0} || '\"', 'null')",
                   "number": "coalesce(CAST({0} AS VARCHAR), 'null')", "raw": "coalesce({0}, 'null')"},
    "sqlite": {"text": "{0}", "plain": "{0}", "number": "{0}", "raw": "json({0})"},
}


@compiles(json_object)
def _compile_json_object(element: json_object, compiler: Any, **kw: Any) -> str:
    members = _MEMBER_SQL[compiler.dialect.name]
    values = [members[kind].format(value) for (_, kind), value in zip(element.names, _args(element, compiler, **kw))]
    if compiler.dialect.name == "sqlite":
        return "json_object(" + ", ".join(f"'{name}', {value}" for (name, _), value in zip(element.names, values)) + ")"
    pieces = [f"'{'{' if index == 0 else ','}\"{name}\":' || {value}"
              for index, ((name, _), value) in enumerate(zip(element.names, values))]
    return "(" + " || ".join(pieces) + " || '}')"


def age_tenths(age: ColumnElement[int]) -> ColumnElement[int]:
    """rules.age_hours in SQL, in tenths of an hour: half to even on the exact microseconds."""
    size = func.abs(age, type_=BigInteger)
    tenths, rest = size // _TENTH_OF_AN_HOUR, size % _TENTH_OF_AN_HOUR
    return tenths + case((rest * _TWO > _TENTH_OF_AN_HOUR, _ONE),
                         ((rest * _TWO == _TENTH_OF_AN_HOUR) & (tenths % _TWO == _ONE), _ONE), else_=_ZERO)


def _hours_text(age: ColumnElement[int], tenths: ColumnElement[int]) -> ColumnElement[str]:
    """Tenths of an hour as orjson writes the float: 12.3, 0.0, -0.5."""
    sign = case((and_(age < _ZERO, tenths > _ZERO), _text("-")), else_=_text(""))
    return sign + cast(tenths // _TEN, String) + _text(".") + cast(tenths % _TEN, String)


_SITE = Location.__table__
_ALERT = open_stock_alert_rows().subquery()
_SUPPLIER = ("plain", _text(AvailabilitySource.SUPPLIER.value))
_ITEM_IDS = bindparam("item_ids", expanding=True)
_TODAY = bindparam("today", type_=Date)
_NOW = bindparam("now_micros", type_=BigInteger)  # `now` as epoch_micros


def _alert_join(statement: Any, supplier_id: ColumnElement[int], item_id: ColumnElement[int]) -> Any:
    return statement.outerjoin(_ALERT, (_ALERT.c.supplier_id == supplier_id) & (_ALERT.c.item_id == item_id))


def _computed_once(statement: Any) -> Any:
    """A subquery whose columns are computed once a row. Both engines otherwise merge it into the query
    around it and copy each column's expression to every place that names it: the age (a numeric epoch
    on PostgreSQL, a time parsed from text on SQLite) was computed eight to a dozen times a line (2-3 ms
    per 1,000 lines on PostgreSQL). A subquery with an OFFSET is kept apart on both (a documented way)."""
    return statement.suffix_with("OFFSET 0", dialect="postgresql").suffix_with("LIMIT -1 OFFSET 0", dialect="sqlite")


def _published_rows() -> Any:
    """What each supplier line of the items shows, from the published lines only."""
    lead_time = func.coalesce(SupplierStock.lead_time_days, SupplierItem.lead_time_days)
    return _alert_join(
        select(SupplierStock.item_id, SupplierStock.supplier_id, Party.code, Party.name, Party.stale_after_days,
               SupplierStock.location_id, _SITE.c.code.label("site_code"), SupplierStock.on_hand,
               SupplierStock.available, SupplierStock.next_available_date, lead_time.label("lead_time_days"),
               SupplierStock.reported_at, (_NOW - epoch_micros(SupplierStock.reported_at)).label("age"),
               _ALERT.c.id.label("alert_id"), _ALERT.c.kind.label("alert_kind"))
        .join(Party, Party.id == SupplierStock.supplier_id)
        .join(_SITE, _SITE.c.id == SupplierStock.location_id)
        .outerjoin(SupplierItem, (SupplierItem.supplier_id == SupplierStock.supplier_id)
                   & (SupplierItem.item_id == SupplierStock.item_id)),
        SupplierStock.supplier_id, SupplierStock.item_id,
    ).where(SupplierStock.item_id.in_(_ITEM_IDS))


def _published_or_not_rows() -> Any:
    """The same, and in the same pass the suppliers of the items that have published nothing for
    them (an active catalogue entry of an active supplier): one FULL JOIN of the items' stock and
    catalogue entries reads each once, where a UNION ALL with _unpublished reads both twice and the
    planner plans the alert join twice. Such a supplier's line has no stock figures (NULL), an
    available quantity of 0 and no age."""
    stock = select(SupplierStock).where(SupplierStock.item_id.in_(_ITEM_IDS)).subquery()
    entry = select(SupplierItem).where(SupplierItem.item_id.in_(_ITEM_IDS)).subquery()
    supplier_id = func.coalesce(stock.c.supplier_id, entry.c.supplier_id)
    item_id = func.coalesce(stock.c.item_id, entry.c.item_id)
    return (
        select(item_id.label("item_id"), supplier_id.label("supplier_id"), Party.code, Party.name,
               Party.stale_after_days, stock.c.location_id, _SITE.c.code.label("site_code"),
               func.coalesce(stock.c.on_hand, _ZERO).label("on_hand"),
               func.coalesce(stock.c.available, _ZERO).label("available"), stock.c.next_available_date,
               func.coalesce(stock.c.lead_time_days, entry.c.lead_time_days).label("lead_time_days"),
               stock.c.reported_at, (_NOW - epoch_micros(stock.c.reported_at)).label("age"),
               _ALERT.c.id.label("alert_id"), _ALERT.c.kind.label("alert_kind"))
        .select_from(stock.join(entry, (entry.c.supplier_id == stock.c.supplier_id)
                                & (entry.c.item_id == stock.c.item_id), full=True))
        .join(Party, Party.id == supplier_id)
        .outerjoin(_SITE, _SITE.c.id == stock.c.location_id)
        # joined on coalesce(): the items named again, or every open alert would be read
        .outerjoin(_ALERT, (_ALERT.c.supplier_id == supplier_id) & (_ALERT.c.item_id == item_id)
                   & _ALERT.c.item_id.in_(_ITEM_IDS))
    ).where(stock.c.supplier_id.is_not(None) | (entry.c.active.is_(True) & Party.active.is_(True)))


def _lines(rows: Any, *, unpublished_too: bool) -> Any:
    """Each row's line as JSON with its sort keys; `unpublished_too`: rows without stock are
    suppliers that published nothing (no age: ranked as fresh, and no site: ranked first)."""
    raw = _computed_once(rows).subquery()
    raw = _computed_once(select(raw, age_tenths(raw.c.age).label("tenths"))).subquery()
    # rules.deliverable_on for a supplier's line
    deliverable = case((raw.c.available > _ZERO, _TODAY),
                       (raw.c.next_available_date > _TODAY, raw.c.next_available_date),
                       (raw.c.next_available_date.is_not(None), _TODAY),
                       else_=days_after(_TODAY, func.coalesce(raw.c.lead_time_days, _ZERO)))
    next_date = case((raw.c.available > _ZERO, null()), else_=raw.c.next_available_date)
    line = json_object(
        source=_SUPPLIER, supplier_id=("number", raw.c.supplier_id), supplier_code=("text", raw.c.code),
        supplier_name=("text", raw.c.name), location_id=("number", raw.c.location_id),
        site_code=("text", raw.c.site_code), on_hand=("plain", quantity_text(raw.c.on_hand)),
        available=("plain", quantity_text(raw.c.available)), next_available_date=("plain", date_text(next_date)),
        lead_time_days=("number", raw.c.lead_time_days), deliverable_on=("plain", date_text(deliverable)),
        reported_at=("plain", utc_text(raw.c.reported_at)), age_hours=("raw", _hours_text(raw.c.age, raw.c.tenths)),
        stale=("raw", case((raw.c.age > raw.c.stale_after_days * _DAY, _text("true")),
                           else_=_text("false"))),
        alert_id=("number", raw.c.alert_id), alert_kind=("text", raw.c.alert_kind))
    age, site_code = raw.c.age, raw.c.site_code
    if unpublished_too:
        age, site_code = func.coalesce(age, _ZERO).label("age"), func.coalesce(site_code, _text("")).label("site_code")
    return select(raw.c.item_id, deliverable.label("deliverable"), raw.c.available, age, raw.c.code,
                  site_code, line.label("line"))


def _unpublished() -> Any:
    """Suppliers of the item that have published nothing for it: most have."""
    deliverable = days_after(_TODAY, func.coalesce(SupplierItem.lead_time_days, _ZERO))
    nothing = ("raw", _text("null"))
    line = json_object(
        source=_SUPPLIER, supplier_id=("number", SupplierItem.supplier_id), supplier_code=("text", Party.code),
        supplier_name=("text", Party.name), location_id=nothing, site_code=nothing, on_hand=("plain", _text("0")),
        available=("plain", _text("0")), next_available_date=nothing, lead_time_days=("number", SupplierItem.lead_time_days),
        deliverable_on=("plain", date_text(deliverable)), reported_at=nothing, age_hours=nothing,
        stale=("raw", _text("false")), alert_id=("number", _ALERT.c.id), alert_kind=("text", _ALERT.c.kind))
    return _alert_join(
        select(SupplierItem.item_id, deliverable.label("deliverable"), cast(_ZERO, Integer).label("available"),
               cast(_ZERO, BigInteger).label("age"), Party.code, _text("").label("site_code"), line.label("line"))
        .join(Party, Party.id == SupplierItem.supplier_id),
        SupplierItem.supplier_id, SupplierItem.item_id,
    ).where(SupplierItem.item_id.in_(_ITEM_IDS), SupplierItem.active.is_(True), Party.active.is_(True),
            _none_published)


# Who has published for the items, read once from their few pages of ix_supplier_stock_item. As NOT
# EXISTS, SQLite looked each catalogue entry up in the (supplier, item, site) index instead, a page of
# its own per supplier across the whole table: ~1.5 ms of the statement's ~6 per 1,000 lines (bench/README.md).
_none_published = tuple_(SupplierItem.item_id, SupplierItem.supplier_id).not_in(
    select(SupplierStock.item_id, SupplierStock.supplier_id).where(SupplierStock.item_id.in_(_ITEM_IDS)))

# Each supplier line of the items and its sort keys, per engine.
_ALL = {"sqlite": union_all(_lines(_published_rows(), unpublished_too=False), _unpublished()).subquery(),
        "postgresql": _lines(_published_or_not_rows(), unpublished_too=True).subquery()}
# Per engine; parameters: item_ids, today, now_micros. Each item's supplier lines in the answer's
# order: rules.delivery_rank among suppliers' lines, then supplier and site code.
SUPPLIER_LINES = {engine: select(rows.c.item_id, rows.c.line).order_by(
    rows.c.item_id, rows.c.deliverable, rows.c.available.desc(), rows.c.age, code_point_order(rows.c.code),
    code_point_order(rows.c.site_code)) for engine, rows in _ALL.items()}
# SQLite only, parameters as SUPPLIER_LINES with a single item id: that item's lines as one text, joined
# by the database. The order holds: SQLite keeps a subquery's ORDER BY under an aggregate other than
# count(), min() and max().
_ONE_ITEMS_LINES = SUPPLIER_LINES["sqlite"].subquery()
JOINED_SUPPLIER_LINES = select(func.group_concat(_ONE_ITEMS_LINES.c.line, _text(",")))
# Parameter: item_ids. What suppliers have available of each item, written as the answer writes it.
SUPPLIER_TOTALS = (select(SupplierStock.item_id, quantity_sum_text(SupplierStock.available))
                   .where(SupplierStock.item_id.in_(_ITEM_IDS)).group_by(SupplierStock.item_id))
