"""The VMI agreement table: at most one active agreement per supplier item and VMI location."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ColumnElement, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from openvmi.db import Base, Percent, Quantity, UtcDateTime, one_of, utcnow
from openvmi.scoping import SupplierScoped
from openvmi.settlement.rules import SettlementCycle
from openvmi.vmi.agreements.rules import AgreementState

ACTIVE_ONLY = text("state = 'active'")


class VmiAgreement(SupplierScoped, Base):
    __tablename__ = "vmi_agreement"
    __table_args__ = (
        one_of("state", AgreementState),
        one_of("settlement_cycle", SettlementCycle),
        CheckConstraint("min_level >= 0", name="min_level_not_negative"),
        CheckConstraint("max_level >= min_level", name="max_not_below_min"),
        CheckConstraint("tax_rate_percent >= 0 AND tax_rate_percent <= 100", name="tax_rate_range"),
        CheckConstraint("over_shipment_tolerance_percent >= 0 AND over_shipment_tolerance_percent <= 100",
                        name="tolerance_range"),
        CheckConstraint("call_off_answer_hours > 0", name="answer_hours_positive"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_range"),
        # The database's own guard for "one active agreement per supplier item and VMI location",
        # so two buyers activating at once cannot both win (a partial index on both engines).
        Index("uq_vmi_agreement_active", "supplier_item_id", "location_id", unique=True,
              sqlite_where=ACTIVE_ONLY, postgresql_where=ACTIVE_ONLY),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_item_id: Mapped[int] = mapped_column(ForeignKey("supplier_item.id"), index=True)
    # Denormalised so the supplier boundary is one column comparison, like every scoped table.
    supplier_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    min_level: Mapped[Decimal] = mapped_column(Quantity())
    max_level: Mapped[Decimal] = mapped_column(Quantity())
    settlement_cycle: Mapped[str] = mapped_column(String(20), default=SettlementCycle.MONTHLY)
    currency: Mapped[str] = mapped_column(String(3))
    tax_rate_percent: Mapped[Decimal] = mapped_column(Percent())
    adjustments_need_approval: Mapped[bool] = mapped_column(default=True)
    # Self-billing (ERS): finance issues the invoice from the confirmed statement, the supplier records none.
    self_billing: Mapped[bool] = mapped_column(default=False)
    call_off_answer_hours: Mapped[int] = mapped_column(default=48)
    over_shipment_tolerance_percent: Mapped[Decimal] = mapped_column(Percent(), default=Decimal(0))
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    state: Mapped[str] = mapped_column(String(20), default=AgreementState.DRAFT, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    @classmethod
    def supplier_criterion(cls, supplier_id: int) -> ColumnElement[bool]:
        return cls.supplier_id == supplier_id

    def writable_by(self, supplier_id: int) -> bool:
        # Buyers write agreements; a supplier user reads its own and writes none.
        return False


class OnAgreementStock:
    """The columns of a document about an agreement's consigned stock (an adjustment, a buyout, a return):
    the agreement, its supplier (the row's supplier boundary), item and VMI location."""

    agreement_id: Mapped[int] = mapped_column(ForeignKey("vmi_agreement.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
