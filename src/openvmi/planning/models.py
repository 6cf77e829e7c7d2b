"""Demand plan versions and their lines. A version is one publication; lines are never changed after
it. A supplier user sees the lines of the items it supplies and nothing else (SupplierScoped)."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ColumnElement, ForeignKey, Index, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from openvmi.catalog.models import SupplierItem
from openvmi.db import Base, Quantity, UtcDateTime, one_of, utcnow
from openvmi.planning.rules import Bucket, Source
from openvmi.scoping import SupplierScoped


class DemandPlanVersion(Base):
    """One publication of the whole plan; the highest number is the current plan. Suppliers see that
    versions exist (numbers, times), never whose lines they hold."""

    __tablename__ = "demand_plan_version"
    __table_args__ = (one_of("source", Source),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)  # 1, 2, 3 ... in the order they were published
    source: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str | None] = mapped_column(String(300))
    line_count: Mapped[int]
    # Caller-scoped ("user:7:<key>") so two systems never share a key; the hash tells a retry from
    # another plan sent under the same key.
    idempotency_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    published_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class DemandPlanLine(SupplierScoped, Base):
    """A requirement of one item at one plant: for one day, or for an ISO week (`day` is its Monday).
    No foreign keys, like supplier stock history: PostgreSQL would lock the same version, item and
    plant rows once per inserted line; the ids come from rows the publication has just checked."""

    __tablename__ = "demand_plan_line"
    __table_args__ = (
        UniqueConstraint("version_id", "item_id", "plant_id", "day"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        one_of("bucket", Bucket),
        Index("ix_demand_plan_line_version_day", "version_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int]
    item_id: Mapped[int]
    plant_id: Mapped[int]
    bucket: Mapped[str] = mapped_column(String(10))
    day: Mapped[date]
    week_start: Mapped[date]  # the Monday of `day`'s ISO week: changes are compared per week
    quantity: Mapped[Decimal] = mapped_column(Quantity())

    @classmethod
    def supplier_criterion(cls, supplier_id: int) -> ColumnElement[bool]:
        """The lines of items the supplier supplies (an active supplier item)."""
        supplied = select(SupplierItem.item_id).where(SupplierItem.supplier_id == supplier_id,
                                                      SupplierItem.active.is_(True))
        return cls.item_id.in_(supplied)

    def writable_by(self, supplier_id: int) -> bool:
        return False  # only the buyer publishes plans


class DemandPlanCheck(Base):
    """A plan file that passed its check (dry run), kept so that who checked it can publish exactly that
    file without choosing it again, until `kept_until` (the supplier stock upload's mechanism:
    `openvmi.tabular.kept`). `stored_file` is cleared when it is used; `version_id` is what it published."""

    __tablename__ = "demand_plan_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(300))
    encoding: Mapped[str | None] = mapped_column(String(40))
    sheet: Mapped[str | None] = mapped_column(String(100))
    file_hash: Mapped[str] = mapped_column(String(64))
    line_count: Mapped[int]
    stored_file: Mapped[str | None] = mapped_column(String(500))
    kept_until: Mapped[datetime] = mapped_column(UtcDateTime())
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("demand_plan_version.id"))
