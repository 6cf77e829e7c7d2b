"""Pure decisions for supplier stock: kinds and states, matching headers, thresholds, ranking."""
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from openvmi.enums import N_, Labelled
from openvmi.errors import Reason
from openvmi.tabular.values import CellError, normalise_header


class ImportStatus(StrEnum):
    """queued -> running -> rejected | previewed | applied, or failed (an unexpected error, or a
    runner that died too often). Small files skip the queue and start running at once. No labels:
    the import's page says a sentence for each state instead of naming it."""

    QUEUED = "queued"
    RUNNING = "running"
    REJECTED = "rejected"
    PREVIEWED = "previewed"
    APPLIED = "applied"
    FAILED = "failed"


UNFINISHED = (ImportStatus.QUEUED, ImportStatus.RUNNING)


class ImportMode(Labelled):
    FULL = "full", N_("Full snapshot: lines missing from the file go to zero at its sites")
    DELTA = "delta", N_("Changes only: just the rows in the file")


class ChangeKind(Labelled):
    """What a dry run would do to one line."""

    NEW = "new", N_("new")
    CHANGED = "changed", N_("changed")
    ZEROED = "zeroed", N_("set to zero")  # full mode: the file no longer lists it at a site it covers


# A full dry run's warning above the list of lines its import would zero.
ZEROED_WARNING = N_("This full import sets %(count)s line(s) to zero: they are not in the file, at sites the file "
                    "covers. Check the list before you confirm.")


class ChangeSource(Labelled):
    """Who changed a published line, as its history shows it; a file import is stored as
    "import:<batch id>" (see source_of)."""

    API = "api", N_("API")
    PORTAL = "portal", N_("Entered in the portal")
    IMPORT = "import", N_("File import #%(id)s")


def plain_quantity(value: Decimal) -> str:
    """A quantity as plain text without trailing zeros or exponent: 1100, 2.5 (never 1100.000000)."""
    return format(value.normalize(), "f")


def source_of(stored: str) -> tuple[ChangeSource | None, str | None]:
    """A stored source as (kind, import batch id): "import:12" -> (IMPORT, "12"), "api" -> (API, None);
    an unknown one -> (None, None)."""
    kind, _, batch = stored.partition(":")
    return (ChangeSource(kind), batch or None) if kind in ChangeSource.values() else (None, None)


class AvailabilitySource(Labelled):
    """Where an availability line's stock is: ours (at a VMI location or on its way, named like
    those location kinds) or still at a supplier's own site."""

    VMI = "vmi", N_("our VMI stock")
    IN_TRANSIT = "in_transit", N_("in transit")
    SUPPLIER = "supplier", N_("supplier")


FIELDS = ("item_code", "supplier_part_number", "site", "on_hand", "available",
          "next_available_date", "lead_time_days", "unit")

# Header spellings seen in Chinese and English ERP exports, compared after normalise_header().
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "item_code": ("物料编码", "物料编号", "物料代码", "物料号", "物料", "料号", "品号", "存货编码", "客户料号",
                  "买方料号", "itemcode", "item", "itemno", "itemnumber", "material", "materialcode",
                  "materialno", "materialnumber", "partcode", "buyerpartnumber", "customerpartnumber"),
    "supplier_part_number": ("供应商料号", "供方料号", "供应商物料编码", "供应商物料号", "供应商编码料号",
                             "supplierpartnumber", "supplierpartno", "supplierpn", "vendorpartnumber",
                             "vendorpartno", "spn", "supplieritemcode"),
    "site": ("仓库", "库位", "仓库编码", "仓库代码", "库存地点", "地点", "工厂仓库", "site", "sitecode",
             "warehouse", "warehousecode", "location", "locationcode", "stocklocation"),
    "on_hand": ("库存", "现存量", "库存数量", "库存量", "即时库存", "现存数量", "现有库存", "在库数量", "结存数量", "实际库存",
                "非限制使用库存", "非限制库存", "unrestricted", "unrestrictedstock", "onhand",
                "onhandqty", "onhandquantity", "stock", "stockqty", "quantity", "qty", "inventory"),
    "available": ("可用量", "可用库存", "可用库存量", "可用数量", "可发货数量", "available", "availableqty",
                  "availablequantity", "freestock", "atp"),
    "next_available_date": ("预计可用日期", "下次可用日期", "预计到货日期", "预计入库日期", "预计完工日期",
                            "nextavailabledate", "nextavailable", "availabledate", "availablefrom", "eta"),
    "lead_time_days": ("交期", "交期天数", "交货期", "交货周期", "提前期", "采购提前期", "leadtime",
                       "leadtimedays", "lt"),
    "unit": ("单位", "计量单位", "主计量单位", "基本单位", "基本计量单位", "unit", "uom", "unitofmeasure"),
}

# The headers of the upload template, one set per language; each is one of HEADER_SYNONYMS, in FIELDS order.
TEMPLATE_HEADERS: dict[str, tuple[str, ...]] = {
    "zh_CN": ("物料编码", "供应商料号", "仓库", "库存数量", "可用数量", "预计可用日期", "交期天数", "单位"),
    "en": ("item code", "supplier part number", "site", "on hand", "available", "next available date",
           "lead time days", "unit"),
}

# Spellings of the same unit; a different unit is refused, never converted.
UNIT_ALIASES: dict[str, frozenset[str]] = {
    "PCS": frozenset({"PCS", "PC", "EA", "EACH", "PCE", "个", "件", "只", "支", "套"}),
    "KG": frozenset({"KG", "KGS", "公斤", "千克"}),
    "M": frozenset({"M", "METER", "METRE", "米"}),
    "L": frozenset({"L", "LITRE", "LITER", "升"}),
}


_SYNONYM_TO_FIELD = {normalise_header(s): f for f, names in HEADER_SYNONYMS.items() for s in names}


def site_key(text: str) -> str:
    """Compare site names as headers are compared, but keep punctuation (WH-1 and WH1 may be two
    sites): full-width and half-width, case and spaces do not matter (ＮＢ－ＷＨ１, nb-wh1, 主 仓)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


# The row error for a site the supplier has no site, site name or alias for; the portal offers
# to add the cell's text as an alias from the error report row that carries this message.
UNKNOWN_SITE = N_("unknown site: your sites are %(sites)s. If your ERP names one of them so, add this name as "
                  "an alias of that site (portal: “Add as alias” in this report; API: POST "
                  "/api/v1/supplier-stock/site-aliases), then check the file again")


def describe_sites(codes_and_names: list[tuple[str, str]], *, limit: int = 10) -> str:
    """The supplier's sites as an error lists them: "NB-WH1 (宁波一号仓), NB-WH2" (the first `limit`)."""
    named = [code if not name or name == code else f"{code} ({name})" for code, name in codes_and_names[:limit]]
    more = len(codes_and_names) - limit
    return ", ".join(named) + (f", … (+{more})" if more > 0 else "") if named else "—"


def field_for_header(header: str) -> str | None:
    return _SYNONYM_TO_FIELD.get(normalise_header(header))


@dataclass(frozen=True)
class HeaderMatch:
    columns: dict[str, int]  # field -> column index
    ignored: list[str]  # headers that map to no field
    problems: list[tuple[str, str]]  # (column, reason)


def header_fitness(headers: list[str], mapping: dict[str, str] | None = None) -> tuple[bool, int]:
    """How well a row reads as the header: (every required column found, fields recognised).
    Reports put titles, dates and blank lines above the header; this finds it."""
    match = match_headers(headers, mapping)
    return not match.problems, len(match.columns)


def match_headers(headers: list[str], mapping: dict[str, str] | None = None) -> HeaderMatch:
    """Find each field's column: the supplier's own mapping first, then the known spellings."""
    normalised = [normalise_header(h) for h in headers]
    columns: dict[str, int] = {}
    problems: list[tuple[str, str]] = []
    for field, header in (mapping or {}).items():
        if field not in FIELDS:
            problems.append((header, Reason("mapping names an unknown field %(field)s", field=repr(field))))
            continue
        if normalise_header(header) not in normalised:
            problems.append((header, Reason("the mapping for %(field)s names a column that is not in the file",
                                            field=field)))
            continue
        columns[field] = normalised.index(normalise_header(header))
    taken = set(columns.values())
    for index, header in enumerate(headers):
        field = _SYNONYM_TO_FIELD.get(normalised[index])
        if index in taken or field is None:
            continue
        if field in columns:
            problems.append((header, Reason("a second column for %(field)s (already read from %(header)s)",
                                            field=field, header=repr(headers[columns[field]]))))
            continue
        columns[field] = index
        taken.add(index)
    ignored = [h for i, h in enumerate(headers) if i not in taken and h.strip()]
    if "item_code" not in columns and "supplier_part_number" not in columns:
        problems.append(("", Reason("no item column: expected e.g. 物料编码/料号/item code or "
                                    "供应商料号/supplier part number")))
    if "on_hand" not in columns:
        problems.append(("", Reason("no on-hand column: expected e.g. 库存/现存量/on hand")))
    return HeaderMatch(columns, ignored, problems)


def parse_days(value: object) -> int:
    """A whole, non-negative number of days ("7", "7.0", "7天", "7 days")."""
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    text = re.sub(r"\s*(天|日|days?|d)$", "", text)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError("not a number of days") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise CellError("not a whole number of days")
    if number < 0:
        raise CellError("negative lead time")
    if number > 3650:
        raise CellError("lead time over 10 years")
    return int(number)


def same_unit(written: str, item_unit: str) -> bool:
    """The file's unit names the item's unit of measure (aliases allowed, no conversion)."""
    written_key = unicodedata.normalize("NFKC", written).strip().upper()
    item_key = item_unit.strip().upper()
    if written_key == item_key:
        return True
    return any(written_key in aliases and item_key in aliases for aliases in UNIT_ALIASES.values())


@dataclass(frozen=True)
class Thresholds:
    low_water: Decimal | None
    high_water: Decimal | None


def effective_thresholds(*, own_low: Decimal | None, own_high: Decimal | None,
                         item_default_low: Decimal | None) -> Thresholds:
    """A supplier item's own threshold wins; otherwise the item's default low-water applies."""
    if own_low is not None:
        return Thresholds(own_low, own_high)
    return Thresholds(item_default_low, None)


def is_low(available: Decimal, thresholds: Thresholds) -> bool:
    """Below the low-water mark ("crossing below" opens an alert; equal is not below)."""
    return thresholds.low_water is not None and available < thresholds.low_water


def is_high(available: Decimal, thresholds: Thresholds) -> bool:
    return thresholds.high_water is not None and available > thresholds.high_water


class WatchState(Labelled):
    """Where a supplier item's published stock stands against its marks (what the next sync does)."""

    BELOW = "below", N_("Below the low-water mark")
    ABOVE = "above", N_("Above the high-water mark")
    WITHIN = "within", N_("Within the marks")
    UNWATCHED = "unwatched", N_("No marks")
    UNPUBLISHED = "unpublished", N_("No stock published")


def watch_state(available: Decimal | None, thresholds: Thresholds) -> WatchState:
    """`available` is the supplier's total over its sites, None when it has published none
    (nothing to compare, so no alert either)."""
    if thresholds.low_water is None and thresholds.high_water is None:
        return WatchState.UNWATCHED
    if available is None:
        return WatchState.UNPUBLISHED
    if is_low(available, thresholds):
        return WatchState.BELOW
    if is_high(available, thresholds):
        return WatchState.ABOVE
    return WatchState.WITHIN


def is_stale(last_reported_at: datetime | None, *, now: datetime, stale_after_days: int) -> bool:
    """A supplier that once published stock but has not confirmed any for N days."""
    return last_reported_at is not None and now - last_reported_at > timedelta(days=stale_after_days)


_TENTH_OF_AN_HOUR = 360_000_000  # microseconds


def age_hours(age: timedelta) -> float:
    """How old a figure is, in hours to a tenth: half to even on the exact age, so the database,
    which writes the API's lines, rounds it the same (availability_sql.age_hours_text)."""
    micros = age // timedelta(microseconds=1)
    tenths, rest = divmod(abs(micros), _TENTH_OF_AN_HOUR)
    if rest * 2 > _TENTH_OF_AN_HOUR or (rest * 2 == _TENTH_OF_AN_HOUR and tenths % 2):
        tenths += 1
    return (-tenths if micros < 0 else tenths) / 10


SOURCE_RANK = {AvailabilitySource.VMI: 0, AvailabilitySource.IN_TRANSIT: 1, AvailabilitySource.SUPPLIER: 2}


def deliverable_on(*, source: str, available: Decimal, next_available_date: date | None,
                   lead_time_days: int | None, today: date) -> date:
    """The earliest day this line can serve demand: stock here or on its way now; a supplier's
    available stock now; otherwise its next-available date, else today plus its lead time."""
    if source != AvailabilitySource.SUPPLIER or available > 0:
        return today
    if next_available_date is not None:
        return max(next_available_date, today)
    return today + timedelta(days=lead_time_days or 0)


def delivery_rank(*, deliverable: date, source: str, available: Decimal, age_seconds: float) -> tuple:
    """Soonest first; at the same day our own stock before suppliers', more before less, fresh first."""
    return (deliverable, SOURCE_RANK[source], -available, age_seconds)
