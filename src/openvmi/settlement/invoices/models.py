"""Invoice tables: the invoice of a statement (its number unique per supplier, its PDF's place and
checksum) and finance's matching tolerance per currency."""
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openvmi.db import Base, Money, Percent, UtcDateTime, one_of, utcnow
from openvmi.scoping import OwnedBySupplier
from openvmi.settlement.invoices.rules import InvoiceSource, InvoiceState


class SettlementInvoice(OwnedBySupplier, Base):
    __tablename__ = "settlement_invoice"
    __table_args__ = (
        one_of("state", InvoiceState),
        one_of("source", InvoiceSource),
        # An invoice number is the supplier's, once: a second invoice with it is refused.
        UniqueConstraint("supplier_id", "number"),
        UniqueConstraint("caller_key", "idempotency_key"),  # a retried request answers the first invoice
        CheckConstraint("gross = net + tax", name="gross_is_net_plus_tax"),
        CheckConstraint("(pdf_path IS NULL) = (pdf_sha256 IS NULL)", name="pdf_has_checksum"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("settlement_statement.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("party.id"))
    source: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default=InvoiceState.RECORDED)
    number: Mapped[str] = mapped_column(String(60))
    invoice_date: Mapped[date]
    currency: Mapped[str] = mapped_column(String(3))
    net: Mapped[Decimal] = mapped_column(Money())
    tax: Mapped[Decimal] = mapped_column(Money())
    gross: Mapped[Decimal] = mapped_column(Money())
    # [{"tax_rate_percent": "13", "net": "100.00", "tax": "13.00"}] as the invoice states them (may be empty)
    by_rate: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The PDF lives in settings.invoice_storage_dir under this relative name; the checksum proves it.
    pdf_path: Mapped[str | None] = mapped_column(String(200))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_bytes: Mapped[int | None]
    caller_key: Mapped[str | None] = mapped_column(String(80))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_hash: Mapped[str | None] = mapped_column(String(64))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class MatchTolerance(Base):
    """Finance's tolerance for matching invoices in one currency; no row: invoices must match exactly."""

    __tablename__ = "settlement_match_tolerance"
    __table_args__ = (
        CheckConstraint("absolute_amount >= 0", name="absolute_not_negative"),
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent_range"),
    )

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    absolute_amount: Mapped[Decimal] = mapped_column(Money())
    percent: Mapped[Decimal] = mapped_column(Percent())
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
