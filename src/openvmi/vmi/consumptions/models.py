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
    """A line: one ownership move (VMI location, supplier) -> (production, buyer) and its settlement line.

    Its supplier, agreement, item and places carry no foreign keys, on purpose: each copies a column of its
    move or settlement line, whose own keys check it, and a key check per line (a share lock on a shared
    party, item or location row) was most of the line's cost on PostgreSQL (docs/decisions.md, "Consumption
    SQL version 2"). `queries.line_link_violations` holds the copies equal to their move and settlement line."""

    __tablename__ = "vmi_consumption_line"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consumption_id: Mapped[int] = mapped_column(ForeignKey("vmi_consumption.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(index=True)  # party.id, the move's from_owner_id
    agreement_id: Mapped[int] = mapped_column(index=True)  # vmi_agreement.id, the settlement line's
    item_id: Mapped[int]  # item.id, the move's
    location_id: Mapped[int]  # the VMI store (location.id), the move's from_location_id
    production_location_id: Mapped[int]  # location.id, the move's to_location_id
    buyer_id: Mapped[int]  # the plant's owner, who now owns the stock: the move's to_owner_id (party.id)
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    move_id: Mapped[int] = mapped_column(ForeignKey("stock_move.id"), unique=True)
    settlement_line_id: Mapped[int] = mapped_column(ForeignKey("settlement_line.id"), unique=True)

    def writable_by(self, supplier_id: int) -> bool:
        return False  # production consumes; a supplier reads what was taken of its stock
