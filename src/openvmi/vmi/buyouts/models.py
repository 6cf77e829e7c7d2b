"""Buyout and return documents: one row per buyout (with its settlement line) and per return to the supplier."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openvmi.db import Base, KeyedRequest, Money, Quantity, UtcDateTime, utcnow
from openvmi.scoping import OwnedBySupplier
from openvmi.vmi.agreements.models import OnAgreementStock


class _ReadBySupplier(OwnedBySupplier):
    def writable_by(self, supplier_id: int) -> bool:
        return False  # the buyer buys out and ends agreements; a supplier reads what happened to its stock


class VmiBuyout(OnAgreementStock, KeyedRequest, _ReadBySupplier, Base):
    __tablename__ = "vmi_buyout"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        UniqueConstraint("caller_key", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    unit_price: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3))
    net_amount: Mapped[Decimal] = mapped_column(Money())
    price_day: Mapped[date]
    move_id: Mapped[int | None] = mapped_column()  # the ownership move; its settlement line names it
    settlement_line_id: Mapped[int | None] = mapped_column()
    bought_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    bought_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class VmiStockReturn(OnAgreementStock, _ReadBySupplier, Base):
    """Stock left at an ending agreement's VMI location, sent back to the supplier's origin (no settlement)."""

    __tablename__ = "vmi_stock_return"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    origin_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    returned_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
