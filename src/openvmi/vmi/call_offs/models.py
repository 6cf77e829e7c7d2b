"""Call-off tables: the header (one supplier), its lines (one agreement each) and its state history."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from openvmi.db import Base, Quantity, UtcDateTime, one_of, utcnow
from openvmi.scoping import OwnedBySupplier
from openvmi.vmi.call_offs.rules import CallOffAction, CallOffState


class CallOff(OwnedBySupplier, Base):
    __tablename__ = "vmi_call_off"
    __table_args__ = (one_of("state", CallOffState),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=CallOffState.DRAFT, index=True)
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)  # last change of state


class CallOffLine(OwnedBySupplier, Base):
    __tablename__ = "vmi_call_off_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("proposed_quantity IS NULL OR proposed_quantity > 0", name="proposed_quantity_positive"),
        CheckConstraint("shipped_quantity >= 0", name="shipped_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_off_id: Mapped[int] = mapped_column(ForeignKey("vmi_call_off.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)  # the header's: one comparison
    agreement_id: Mapped[int] = mapped_column(ForeignKey("vmi_agreement.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    due_date: Mapped[date]
    # The supplier's counter proposal, until the buyer takes it (it becomes quantity/due date) or re-sends.
    proposed_quantity: Mapped[Decimal | None] = mapped_column(Quantity())
    proposed_due_date: Mapped[date | None]
    # What shipments not cancelled carry against the line (kept by the shipment use cases).
    shipped_quantity: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))


class CallOffEvent(OwnedBySupplier, Base):
    """One change of a call-off's state: who did what, when."""

    __tablename__ = "vmi_call_off_event"
    __table_args__ = (
        one_of("action", CallOffAction),
        one_of("from_state", CallOffState, name="from_state"),
        one_of("to_state", CallOffState, name="to_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_off_id: Mapped[int] = mapped_column(ForeignKey("vmi_call_off.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("party.id"))
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20))  # None: created
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    note: Mapped[str | None] = mapped_column(String(500))
