"""Statement tables: the statement (one supplier, currency, cycle and period), its history, line disputes."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openvmi.db import Base, UtcDateTime, one_of, utcnow
from openvmi.scoping import OwnedBySupplier
from openvmi.settlement.rules import SettlementCycle
from openvmi.settlement.statements.rules import DisputeState, StatementAction, StatementState


class SettlementStatement(OwnedBySupplier, Base):
    __tablename__ = "settlement_statement"
    __table_args__ = (
        one_of("state", StatementState),
        one_of("cycle", SettlementCycle),
        CheckConstraint("period_start <= period_end", name="period_in_order"),
        # One statement per period: two clerks generating at once meet on this key.
        UniqueConstraint("supplier_id", "currency", "cycle", "period_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    cycle: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[date]
    period_end: Mapped[date] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(String(20), default=StatementState.DRAFT, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)  # last change of state


class StatementEvent(OwnedBySupplier, Base):
    """One change of a statement: who did what, when."""

    __tablename__ = "settlement_statement_event"
    __table_args__ = (
        one_of("action", StatementAction),
        one_of("from_state", StatementState, name="from_state"),
        one_of("to_state", StatementState, name="to_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("settlement_statement.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("party.id"))
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20))  # None: generated
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # Facts in numbers, worded by the reader's language: how many lines a generation or dispute
    # touched, which line a withdrawal or credit was about. `note` is only what a person typed.
    line_count: Mapped[int | None] = mapped_column()
    line_id: Mapped[int | None] = mapped_column(ForeignKey("settlement_line.id"))
    note: Mapped[str | None] = mapped_column(String(500))


class LineDispute(OwnedBySupplier, Base):
    """The supplier's objection to one line of an issued statement, with its comment."""

    __tablename__ = "settlement_line_dispute"
    __table_args__ = (one_of("state", DisputeState),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("settlement_statement.id", ondelete="CASCADE"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("settlement_line.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("party.id"))
    comment: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(20), default=DisputeState.OPEN)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
