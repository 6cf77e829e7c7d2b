"""Supplier-published stock per (supplier, item, site), its append-only history, import batches,
saved column mappings, site aliases and thresholds. Every table here belongs to one supplier (SupplierScoped)."""
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON, CheckConstraint, ColumnElement, ForeignKey, Index, String, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from openvmi.db import Base, Quantity, UtcDateTime, one_of, utcnow
from openvmi.scoping import SupplierScoped
from openvmi.supplier_stock.rules import ImportMode, ImportStatus


class _OwnedBySupplier(SupplierScoped):
    """Every row names its supplier in `supplier_id`; the boundary is that one column."""

    @classmethod
    def supplier_criterion(cls, supplier_id: int) -> ColumnElement[bool]:
        return cls.supplier_id == supplier_id  # type: ignore[attr-defined]

    def writable_by(self, supplier_id: int) -> bool:
        return self.supplier_id == supplier_id  # type: ignore[attr-defined]


class SupplierStock(_OwnedBySupplier, Base):
    """The current figure a supplier publishes for one item at one of its own sites."""

    __tablename__ = "supplier_stock"
    __table_args__ = (
        UniqueConstraint("supplier_id", "item_id", "location_id"),
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("available >= 0", name="available_not_negative"),
        CheckConstraint("available <= on_hand", name="available_within_on_hand"),
        CheckConstraint("lead_time_days IS NULL OR lead_time_days >= 0", name="lead_time_not_negative"),
        # Covers what availability reads of an item's lines: an index-only scan, not a table page
        # per supplier (the 2026-12-01 migration says why).
        Index("ix_supplier_stock_item", "item_id", "supplier_id", "location_id", "available", "on_hand",
              "next_available_date", "lead_time_days", "reported_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("party.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    on_hand: Mapped[Decimal] = mapped_column(Quantity())
    available: Mapped[Decimal] = mapped_column(Quantity())
    next_available_date: Mapped[date | None]
    lead_time_days: Mapped[int | None]  # overrides the supplier item's lead time when given
    unit: Mapped[str] = mapped_column(String(20))
    # updated_at: the figure last changed; reported_at: the supplier last confirmed it (freshness).
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    source: Mapped[str] = mapped_column(String(40))  # "import:<batch id>", "api", "portal"
    import_id: Mapped[int | None]  # the batch of `source`; no foreign key, see the history table
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # The API's ETag. The ORM adds "WHERE version = <read>" to its UPDATE, so a stale edit fails.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


class SupplierStockHistory(_OwnedBySupplier, Base):
    """One change of one stock line: append-only, for audit, trends and freshness.

    No foreign keys on purpose: an import writes a million rows here in one statement, and
    PostgreSQL checks a foreign key per row with a row lock on the parent (the same supplier and
    import every time), which made the import four times slower. The ids are copied from rows
    that are never deleted (the stock line's own keys are constrained in supplier_stock).
    """

    __tablename__ = "supplier_stock_history"
    __table_args__ = (
        Index("ix_supplier_stock_history_line", "supplier_id", "item_id", "location_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int]
    item_id: Mapped[int]
    location_id: Mapped[int]
    old_on_hand: Mapped[Decimal | None] = mapped_column(Quantity())  # None: the line is new
    new_on_hand: Mapped[Decimal] = mapped_column(Quantity())
    old_available: Mapped[Decimal | None] = mapped_column(Quantity())
    new_available: Mapped[Decimal] = mapped_column(Quantity())
    source: Mapped[str] = mapped_column(String(40))
    import_id: Mapped[int | None] = mapped_column(index=True)
    changed_by_id: Mapped[int | None]
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class SupplierStockImport(_OwnedBySupplier, Base):
    """One uploaded stock file: how it was read, what it changed or why it was rejected."""

    __tablename__ = "supplier_stock_import"
    __table_args__ = (
        UniqueConstraint("supplier_id", "idempotency_key"),
        one_of("mode", ImportMode),
        one_of("status", ImportStatus),  # see ImportStatus for the way through them
        Index("ix_supplier_stock_import_hash", "supplier_id", "file_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("party.id"))
    status: Mapped[str] = mapped_column(String(20))
    mode: Mapped[str] = mapped_column(String(10))
    dry_run: Mapped[bool] = mapped_column(default=False)
    filename: Mapped[str] = mapped_column(String(300))
    file_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the bytes: same file twice is a replay
    file_format: Mapped[str] = mapped_column(String(10))  # csv or xlsx
    encoding: Mapped[str | None] = mapped_column(String(40))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    row_count: Mapped[int] = mapped_column(default=0)
    new_count: Mapped[int] = mapped_column(default=0)
    changed_count: Mapped[int] = mapped_column(default=0)
    unchanged_count: Mapped[int] = mapped_column(default=0)
    zeroed_count: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    # The first errors ({row, column, reason, value}); error_count says how many there were.
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # A queued import: the upload waits in a file, with what the user asked for (encoding, sheet,
    # mapping); a runner claims it for a lease, and a runner that dies gives it back when that ends.
    stored_file: Mapped[str | None] = mapped_column(String(500))
    options: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    # A checked upload keeps its file until then: its uploader can apply exactly what it showed, or check it again.
    kept_until: Mapped[datetime | None] = mapped_column(UtcDateTime())


class SupplierColumnMapping(_OwnedBySupplier, Base):
    """A supplier's own header names for our fields, remembered for its next upload."""

    __tablename__ = "supplier_column_mapping"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("party.id"), unique=True)
    mapping: Mapped[dict[str, str]] = mapped_column(JSON)  # field -> header as written in the file
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class SiteAlias(_OwnedBySupplier, Base):
    """A name a supplier's ERP writes for one of its sites (主仓 for NB-WH1); the supplier's own."""

    __tablename__ = "site_alias"
    __table_args__ = (UniqueConstraint("supplier_id", "match_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("party.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    alias: Mapped[str] = mapped_column(String(200))  # as the user wrote it
    match_key: Mapped[str] = mapped_column(String(200))  # rules.site_key(alias): what a file's cell is matched on
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class StockThreshold(_OwnedBySupplier, Base):
    """Low-water (and optional high-water) mark for a supplier's total available stock of an item."""

    __tablename__ = "supplier_stock_threshold"
    __table_args__ = (
        UniqueConstraint("supplier_id", "item_id"),
        CheckConstraint("low_water >= 0", name="low_not_negative"),
        CheckConstraint("high_water IS NULL OR high_water > low_water", name="high_above_low"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("party.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    low_water: Mapped[Decimal] = mapped_column(Quantity())
    high_water: Mapped[Decimal | None] = mapped_column(Quantity())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
