"""Settlement lines: what the buyer owes a supplier for stock that became the buyer's.

Only the documents that hand a supplier's stock to the buyer (consumption, buyout) and the
reversal of a consumption write them, one per ownership move, in the move's transaction; finance
adds money-only credit lines to correct a disputed line (settlement.statements).
"""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ColumnElement, ForeignKey, Index, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, column_property, mapped_column

from openvmi.db import Base, Money, Percent, Quantity, UtcDateTime, one_of
from openvmi.scoping import SupplierScoped
from openvmi.settlement.rules import SettlementKind


class StatementLine(Base):
    """Which statement a line is on: one narrow row per line, inserted once by the generation (or with a
    credit) and never changed, so "a line is on at most one statement, ever" is the primary key. Inserting
    these is far cheaper than rewriting each wide line (docs/decisions.md, Statement membership).
    No foreign keys: each one's per-row check doubled the insert, and the one on the line row-locks every
    line it links; the only writers take the ids from lines and drafts they read in the same statement,
    and neither is ever deleted. Not supplier-scoped: every reader reaches it through a line or statement."""

    __tablename__ = "settlement_statement_line"

    line_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    statement_id: Mapped[int] = mapped_column(index=True)


class SettlementLine(SupplierScoped, Base):
    __tablename__ = "settlement_line"
    __table_args__ = (
        one_of("kind", SettlementKind),
        # A consumption or buyout owes (positive); a reversal gives back (negative); a credit is money
        # only (quantity 0, net below zero) and, like a reversal, names the line it corrects.
        CheckConstraint("(kind = 'reversal') = (quantity < 0)", name="sign_follows_kind"),
        CheckConstraint("(kind IN ('reversal', 'credit')) = (reverses_line_id IS NOT NULL)",
                        name="reversal_names_its_line"),
        CheckConstraint("(kind = 'credit') = (quantity = 0)", name="quantity_not_zero"),
        CheckConstraint("(kind = 'credit') = (move_id IS NULL)", name="move_unless_credit"),
        CheckConstraint("(kind = 'credit') = (reason IS NOT NULL)", name="credit_gives_reason"),
        CheckConstraint("kind <> 'credit' OR net_amount < 0", name="credit_below_zero"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        Index("ix_settlement_line_supplier_occurred", "supplier_id", "occurred_at"),
        UniqueConstraint("caller_key", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    # Denormalised so the supplier boundary is one column comparison, like every scoped table.
    supplier_id: Mapped[int] = mapped_column(ForeignKey("party.id"))
    agreement_id: Mapped[int] = mapped_column(ForeignKey("vmi_agreement.id"), index=True)
    supplier_item_id: Mapped[int] = mapped_column(ForeignKey("supplier_item.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    # The ownership move it settles: exactly one line per move, ever (none for a credit).
    move_id: Mapped[int | None] = mapped_column(ForeignKey("stock_move.id"), unique=True)
    reverses_line_id: Mapped[int | None] = mapped_column(ForeignKey("settlement_line.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    unit_price: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3))
    tax_rate_percent: Mapped[Decimal] = mapped_column(Percent())
    net_amount: Mapped[Decimal] = mapped_column(Money())
    # The plant's local day that chose the price (docs/decisions.md, Settlement lines).
    price_day: Mapped[date]
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # The statement it is on (None: on none yet), read from its membership row; never written here.
    statement_id: Mapped[int | None] = column_property(
        select(StatementLine.statement_id).where(StatementLine.line_id == id).correlate_except(StatementLine)
        .scalar_subquery())
    reason: Mapped[str | None] = mapped_column(String(500))  # why finance credited (credit lines only)
    # A credit's request: its caller and Idempotency-Key, so a retry returns the first credit.
    caller_key: Mapped[str | None] = mapped_column(String(100))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))

    @classmethod
    def supplier_criterion(cls, supplier_id: int) -> ColumnElement[bool]:
        return cls.supplier_id == supplier_id

    def writable_by(self, supplier_id: int) -> bool:
        # Written by the buyer's consignment documents only; a supplier's session never writes one.
        return False
