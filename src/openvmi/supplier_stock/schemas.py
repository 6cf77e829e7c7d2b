"""Supplier stock in and out: stock lines, imports, thresholds, column mappings, availability."""
import codecs
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from openvmi.alerts.rules import AlertKind
from openvmi.enums import N_
from openvmi.errors import Reason
from openvmi.fields import Code, Id, Quantity, Search, Text
from openvmi.supplier_stock.rules import FIELDS, AvailabilitySource, ChangeKind, ImportMode, ImportStatus


class SupplierStockRead(BaseModel):
    id: int
    supplier_id: int
    supplier_code: str
    item_id: int
    item_code: str
    item_name: str
    location_id: int
    site_code: str
    on_hand: Decimal
    available: Decimal
    next_available_date: date | None
    lead_time_days: int | None
    unit: str
    updated_at: datetime
    reported_at: datetime
    source: str
    version: int


class SupplierStockPage(BaseModel):
    items: list[SupplierStockRead]
    next_cursor: str | None


class StockFilter(BaseModel):
    supplier_id: Id | None = None
    item_id: Id | None = None
    location_id: Id | None = None
    search: Search | None = None  # item code or name, supplier part number


class StockLineCreate(BaseModel):
    """Publish one line that is not there yet. Supplier users may leave supplier_code out."""

    supplier_code: Code | None = None
    item_code: Code | None = None
    supplier_part_number: Text | None = Field(default=None, max_length=80)
    site_code: Code
    on_hand: Quantity
    available: Quantity | None = None
    next_available_date: date | None = None
    lead_time_days: int | None = Field(default=None, ge=0, le=3650)

    @model_validator(mode="after")
    def _names_an_item(self) -> "StockLineCreate":
        if not self.item_code and not self.supplier_part_number:
            raise ValueError(Reason("give item_code or supplier_part_number"))
        return self


class StockLineUpdate(BaseModel):
    """New figures for one line (PATCH: only the fields given; PUT: on_hand is required)."""

    on_hand: Quantity | None = None
    available: Quantity | None = None
    next_available_date: date | None = None
    lead_time_days: int | None = Field(default=None, ge=0, le=3650)


class StockLineReplace(StockLineUpdate):
    on_hand: Quantity  # type: ignore[assignment]


class HistoryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    old_on_hand: Decimal | None
    new_on_hand: Decimal
    old_available: Decimal | None
    new_available: Decimal
    source: str
    import_id: int | None
    changed_by_id: int | None
    changed_at: datetime


class ImportRequest(BaseModel):
    """How to read and apply one uploaded file (the file itself travels separately)."""

    supplier_code: Code | None = None  # supplier users: their own supplier
    filename: Text = Field(default="upload", max_length=300)
    mode: ImportMode = ImportMode.FULL
    dry_run: bool = False
    encoding: str | None = Field(default=None, max_length=40)
    sheet: Text | None = Field(default=None, max_length=100)
    mapping: dict[Text, Text] | None = None  # field -> header in the file
    save_mapping: bool = False

    @field_validator("encoding")
    @classmethod
    def _text_encoding(cls, name: str | None) -> str | None:
        """Python also names compressions and transforms (zlib, base64, rot13) codecs; a file is
        read with a text encoding only."""
        if name is None:
            return None
        try:
            codec = codecs.lookup(name)
        except (LookupError, ValueError):
            codec = None
        if codec is None or not codec._is_text_encoding or codec.name in _NOT_FOR_FILES:
            raise PydanticCustomError("text_encoding", N_("not a text encoding: choose one such as utf-8, gb18030 "
                                                          "or big5"))
        return name

    @model_validator(mode="after")
    def _known_fields(self) -> "ImportRequest":
        unknown = set(self.mapping or {}) - set(FIELDS)
        if unknown:
            raise ValueError(f"mapping names unknown fields: {', '.join(sorted(unknown))}; "
                             f"known: {', '.join(FIELDS)}")
        return self


_NOT_FOR_FILES = {"idna", "punycode", "undefined"}  # text codecs for host names and tests


class RowErrorRead(BaseModel):
    row: int | None
    column: str | None
    reason: str
    value: str | None = None


class PreviewLine(BaseModel):
    row: int | None  # None for a line that is zeroed because the file does not mention it
    change: ChangeKind
    item_code: str
    site_code: str
    old_on_hand: Decimal | None
    new_on_hand: Decimal
    old_available: Decimal | None
    new_available: Decimal


class ImportRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    supplier_id: int
    status: ImportStatus
    mode: ImportMode
    dry_run: bool
    filename: str
    file_format: str
    encoding: str | None
    row_count: int
    new_count: int
    changed_count: int
    unchanged_count: int
    zeroed_count: int
    error_count: int
    created_at: datetime
    finished_at: datetime | None
    replayed: bool = False  # the same file or Idempotency-Key was already applied; nothing changed
    progress: float | None = None  # 0..1 of the file read, while this server process runs the import
    ignored_columns: list[str] = []
    preview: list[PreviewLine] = []
    # A full dry run: the lines its import would set to zero (they are not in the file at a site it covers).
    zeroed: list[PreviewLine] = []
    warnings: list[str] = []
    kept_until: datetime | None = None  # a checked file: POST .../confirm applies it until then, without the file


class ImportPage(BaseModel):
    items: list[ImportRead]
    next_cursor: str | None


class ImportErrors(BaseModel):
    import_id: int
    status: ImportStatus
    error_count: int
    errors: list[RowErrorRead]


class ThresholdSet(BaseModel):
    supplier_code: Code
    item_code: Code
    low_water: Quantity
    high_water: Quantity | None = None

    @model_validator(mode="after")
    def _high_above_low(self) -> "ThresholdSet":
        if self.high_water is not None and self.high_water <= self.low_water:
            raise ValueError(Reason("high_water must be above low_water"))
        return self


class ThresholdRead(BaseModel):
    id: int
    supplier_id: int
    supplier_code: str
    item_id: int
    item_code: str
    low_water: Decimal
    high_water: Decimal | None
    updated_at: datetime


class ThresholdPage(BaseModel):
    items: list[ThresholdRead]
    next_cursor: str | None


class SiteAliasCreate(BaseModel):
    """A name the supplier's ERP writes for one of its sites. Supplier users may leave supplier_code out."""

    supplier_code: Code | None = None
    site_code: Code
    alias: Text = Field(min_length=1, max_length=200)


class SiteAliasRead(BaseModel):
    id: int
    supplier_id: int
    supplier_code: str
    location_id: int
    site_code: str
    site_name: str
    alias: str
    created_at: datetime


class SiteAliasPage(BaseModel):
    items: list[SiteAliasRead]
    next_cursor: str | None


class ColumnMappingSet(BaseModel):
    mapping: dict[Text, Text]

    @model_validator(mode="after")
    def _known_fields(self) -> "ColumnMappingSet":
        unknown = set(self.mapping) - set(FIELDS)
        if unknown:
            raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}; known: {', '.join(FIELDS)}")
        return self


class ColumnMappingRead(BaseModel):
    supplier_id: int
    mapping: dict[str, str]
    updated_at: datetime | None


MAX_ITEMS = 200  # items one availability question may name
# Items per page of availability: one item may have a line per supplier (a thousand), so pages
# stay small; a broad search pages on with next_cursor instead of answering megabytes at once.
AVAILABILITY_PAGE = 20
MAX_AVAILABILITY_PAGE = 50


class AvailabilityQuery(BaseModel):
    item_ids: list[Id] = Field(default_factory=list, max_length=MAX_ITEMS)
    item_codes: list[Code] = Field(default_factory=list, max_length=MAX_ITEMS)
    search: Search | None = None  # words, each in the item code or name
    cursor: str | None = None  # next_cursor of the page before
    limit: int = Field(default=AVAILABILITY_PAGE, ge=1, le=MAX_AVAILABILITY_PAGE)


class AvailabilityLine(BaseModel):
    source: AvailabilitySource
    supplier_id: int | None
    supplier_code: str | None
    supplier_name: str | None
    location_id: int | None
    site_code: str | None
    on_hand: Decimal
    available: Decimal
    next_available_date: date | None
    lead_time_days: int | None
    deliverable_on: date
    reported_at: datetime | None
    age_hours: float | None  # how old the figure is
    stale: bool
    # The supplier's unresolved low- or high-stock alert on this item, if one is open.
    alert_id: int | None = None
    alert_kind: AlertKind | None = None


class ItemAvailability(BaseModel):
    item_id: int
    item_code: str
    item_name: str
    unit: str
    total_available: Decimal  # at suppliers' sites, available now
    buyer_side: Decimal  # at our VMI locations and in transit
    lines: list[AvailabilityLine]  # soonest first


class AvailabilityRead(BaseModel):
    items: list[ItemAvailability]
    next_cursor: str | None  # None: this was the last page
