"""Consumption tables: the document a withdrawal from VMI stock is posted for, and a line per ownership move."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openvmi.db import Base, Quantity, UtcDateTime, utcnow
from openvmi.scoping import OwnedBySupplier


class Consumption(Base):
    """One request (a scan, a backflush batch, a file): the buyer's document, of no one supplier.
    A supplier reads it through its own lines (queries.describe_consumption)."""

    __tablename__ = "vmi_consumption"
    __table_args__ = (UniqueConstraint("caller_key", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(200))  # the MES/ERP order people read
    caller_key: Mapped[str] = mapped_column(String(60))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ConsumptionLine(OwnedBySupplier, Base):
    """A line: one ownership move (VMI location, supplier) -> (production, buyer) and its settlement line."""

    __tablename__ = "vmi_consumption_line"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consumption_id: Mapped[int] = mapped_column(ForeignKey("vmi_consumption.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("vmi_agreement.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))  # the VMI store
    production_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("party.id"))  # the plant's owner, who now owns the stock
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    move_id: Mapped[int] = mapped_column(ForeignKey("stock_move.id"), unique=True)
    settlement_line_id: Mapped[int] = mapped_column(ForeignKey("settlement_line.id"), unique=True)

    def writable_by(self, supplier_id: int) -> bool:
        return False  # production consumes; a supplier reads what was taken of its stock
