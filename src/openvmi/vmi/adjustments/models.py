"""The adjustment table: one row per supplier correction, its approval (who, when, why) and its posting."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openvmi.db import Base, KeyedRequest, Quantity, UtcDateTime, one_of, utcnow
from openvmi.scoping import OwnedBySupplier
from openvmi.vmi.adjustments.rules import AdjustmentDirection, AdjustmentReason, AdjustmentState
from openvmi.vmi.agreements.models import OnAgreementStock


class VmiAdjustment(OnAgreementStock, KeyedRequest, OwnedBySupplier, Base):
    """`location_id` is the agreement's VMI location; the stock moves between it and the virtual place."""

    __tablename__ = "vmi_adjustment"
    __table_args__ = (
        one_of("direction", AdjustmentDirection),
        one_of("reason", AdjustmentReason),
        one_of("state", AdjustmentState),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        UniqueConstraint("caller_key", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The virtual place the stock is written off to (decrease) or found from (increase).
    adjustment_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    direction: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    reason: Mapped[str] = mapped_column(String(30))
    comment: Mapped[str | None] = mapped_column(String(1000))
    state: Mapped[str] = mapped_column(String(20), index=True)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decision_comment: Mapped[str | None] = mapped_column(String(1000))
    posting_id: Mapped[int | None] = mapped_column()  # the ledger posting, once posted
