"""Which agreement a consumption line is settled under, the plant's local day that prices it, and the
columns of a backflush file."""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from openvmi.errors import Reason
from openvmi.tabular.values import normalise_header


@dataclass(frozen=True)
class Candidate:
    """An agreement in force for the line's item at its VMI location, with its supplier's stock there."""

    agreement_id: int
    supplier_id: int
    supplier_item_id: int
    currency: str
    tax_rate_percent: Decimal
    min_level: Decimal
    max_level: Decimal
    on_hand: Decimal


def choose_agreement(found: list[Candidate], *, supplier_id: int | None) -> Candidate | Reason:
    """The agreement the line consumes under: the named supplier's; else the only one in force; else the
    only one whose supplier has stock there. Otherwise the reason the line cannot be settled."""
    if supplier_id is not None:
        found = [candidate for candidate in found if candidate.supplier_id == supplier_id]
    if not found and supplier_id is not None:
        return Reason("no active VMI agreement of this supplier covers this item at this location")
    if not found:
        return Reason("no active VMI agreement covers this item at this location: it cannot be consumed "
                      "as consignment stock")
    if len(found) > 1:
        stocked = [candidate for candidate in found if candidate.on_hand > 0]
        if len(stocked) != 1:
            return Reason("several suppliers have agreements for this item here: name the supplier")
        found = stocked
    return found[0]


def crosses_a_level(before: Decimal, after: Decimal, *, min_level: Decimal, max_level: Decimal) -> bool:
    """Whether stock going from `before` to `after` crosses the agreement's min or max, so its VMI level
    alerts may open or resolve (they are edge-triggered; the alert sweep re-checks everything hourly)."""
    return (before < min_level) != (after < min_level) or (before > max_level) != (after > max_level)


def price_day(at: datetime, zone: str) -> date:
    """The local day (docs/decisions.md, Settlement lines: the configured zone) that picks a price."""
    return at.astimezone(ZoneInfo(zone)).date()


# A backflush file's columns by their Chinese and English names (MES and ERP exports differ).
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "item_code": ("物料编码", "物料代码", "物料号", "料号", "物料", "条码", "item", "item code", "item no", "material",
                  "part number", "barcode"),
    "quantity": ("数量", "消耗数量", "领用数量", "quantity", "qty", "consumed"),
    "location_code": ("库位", "库位编码", "寄售库位", "location", "location code", "storage location"),
    "supplier_code": ("供应商", "供应商编码", "supplier", "supplier code", "vendor"),
}
REQUIRED = ("item_code", "quantity", "location_code")
# The template file's header row in either language (each name is one of the synonyms above).
TEMPLATE_HEADERS: dict[str, tuple[str, ...]] = {
    "zh_CN": ("物料编码", "数量", "库位", "供应商"),
    "en": ("item code", "quantity", "location", "supplier"),
}
_SYNONYM_TO_FIELD = {normalise_header(s): f for f, names in HEADER_SYNONYMS.items() for s in names}


def match_headers(headers: list[str]) -> tuple[dict[str, int], list[tuple[str, Reason]]]:
    """Each field's column, and what is wrong with the header row (a column twice, a required one missing)."""
    columns: dict[str, int] = {}
    problems: list[tuple[str, Reason]] = []
    for index, header in enumerate(headers):
        field = _SYNONYM_TO_FIELD.get(normalise_header(header))
        if field is not None and field in columns:
            problems.append((header, Reason("a second column for %(field)s", field=field)))
        elif field is not None:
            columns[field] = index
    problems += [("", Reason("no %(field)s column: expected e.g. %(example)s", field=field,
                             example=f"{HEADER_SYNONYMS[field][0]}/{HEADER_SYNONYMS[field][-3]}"))
                 for field in REQUIRED if field not in columns]
    return columns, problems


def header_fitness(headers: list[str]) -> tuple[bool, int]:
    """How well a row reads as a backflush file's header: (complete, fields recognised)."""
    columns, problems = match_headers(headers)
    return not problems, len(columns)
