"""Receipt tables: one receipt per shipment (the last guard against receiving twice), a line per shipment line."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openvmi.db import Base, Quantity, UtcDateTime, one_of, utcnow
from openvmi.scoping import OwnedBySupplier
from openvmi.vmi.receipts.rules import DifferenceReason


class _ReadBySupplier(OwnedBySupplier):
    def writable_by(self, supplier_id: int) -> bool:
        return False  # the warehouse receives; a supplier reads what was found on its shipments


class Receipt(_ReadBySupplier, Base):
    __tablename__ = "vmi_receipt"
    __table_args__ = (UniqueConstraint("caller_key", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("vmi_shipment.id"), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    quarantine_location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    caller_key: Mapped[str] = mapped_column(String(60))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))


class ReceiptLine(_ReadBySupplier, Base):
    __tablename__ = "vmi_receipt_line"
    __table_args__ = (
        CheckConstraint("accepted >= 0 AND short >= 0 AND over >= 0 AND damaged >= 0", name="parts_not_negative"),
        one_of("short_reason", DifferenceReason, name="short_reason"),
        one_of("over_reason", DifferenceReason, name="over_reason"),
        one_of("damaged_reason", DifferenceReason, name="damaged_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("vmi_receipt.id", ondelete="CASCADE"), index=True)
    shipment_line_id: Mapped[int] = mapped_column(ForeignKey("vmi_shipment_line.id"), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("party.id"))
    accepted: Mapped[Decimal] = mapped_column(Quantity())
    short: Mapped[Decimal] = mapped_column(Quantity())
    over: Mapped[Decimal] = mapped_column(Quantity())
    damaged: Mapped[Decimal] = mapped_column(Quantity())
    short_reason: Mapped[str | None] = mapped_column(String(30))
    over_reason: Mapped[str | None] = mapped_column(String(30))
    damaged_reason: Mapped[str | None] = mapped_column(String(30))
