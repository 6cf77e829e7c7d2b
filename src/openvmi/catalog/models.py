"""Item master and supplier items with dated prices."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ColumnElement, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openvmi.catalog.rules import code_sort_key
from openvmi.db import Base, Money, Quantity, UtcDateTime, utcnow
from openvmi.scoping import SupplierScoped


def _code_sort_key(context) -> str:
    return code_sort_key(context.get_current_parameters()["code"])


class Item(Base):
    __tablename__ = "item"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    # What lists order by "code" (natural order), set from the code on every insert, ORM or Core
    # alike; a code never changes after that.
    code_sort_key: Mapped[str] = mapped_column(String(200), index=True, default=_code_sort_key)
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(20))  # unit of measure, e.g. PCS, KG, M
    category: Mapped[str | None] = mapped_column(String(100))
    # Default low-water threshold for every supplier of this item (supplier stock feature).
    default_low_water: Mapped[Decimal | None] = mapped_column(Quantity())
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class SupplierItem(SupplierScoped, Base):
    __tablename__ = "supplier_item"
    __table_args__ = (
        UniqueConstraint("supplier_id", "item_id"),
        UniqueConstraint("supplier_id", "supplier_part_number"),
        CheckConstraint("lead_time_days >= 0", name="lead_time_not_negative"),
        CheckConstraint("moq >= 0", name="moq_not_negative"),
        CheckConstraint("pack_size > 0", name="pack_size_positive"),
        # An item's suppliers with what availability reads of them, straight from the index.
        Index("ix_supplier_item_item", "item_id", "supplier_id", "active", "lead_time_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    supplier_part_number: Mapped[str] = mapped_column(String(80))
    lead_time_days: Mapped[int] = mapped_column(default=0)
    moq: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    pack_size: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(1))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on every change: the API's ETag, so a stale edit is refused instead of overwriting.
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    prices: Mapped[list["SupplierItemPrice"]] = relationship(
        back_populates="supplier_item", order_by=lambda: [SupplierItemPrice.valid_from, SupplierItemPrice.min_quantity],
        cascade="all, delete-orphan")

    # The service sets the next version; the ORM adds "WHERE version = old" to the UPDATE.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    @classmethod
    def supplier_criterion(cls, supplier_id: int) -> ColumnElement[bool]:
        return cls.supplier_id == supplier_id

    def writable_by(self, supplier_id: int) -> bool:
        return self.supplier_id == supplier_id


class SupplierItemPrice(SupplierScoped, Base):
    """A price break valid from a date (inclusive) until the next break set or `valid_to` (inclusive),
    for quantities of at least `min_quantity`; the breaks starting on one day form one set."""

    __tablename__ = "supplier_item_price"
    __table_args__ = (
        UniqueConstraint("supplier_item_id", "valid_from", "min_quantity"),
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("min_quantity >= 0", name="min_quantity_not_negative"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_item_id: Mapped[int] = mapped_column(ForeignKey("supplier_item.id"), index=True)
    # Denormalised so the supplier boundary is one column comparison, like every scoped table.
    supplier_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    price: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3))
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    min_quantity: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0), server_default="0")

    supplier_item: Mapped[SupplierItem] = relationship(back_populates="prices")

    @classmethod
    def supplier_criterion(cls, supplier_id: int) -> ColumnElement[bool]:
        return cls.supplier_id == supplier_id

    def writable_by(self, supplier_id: int) -> bool:
        return self.supplier_id == supplier_id
