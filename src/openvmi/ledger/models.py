"""The immutable move journal, balances per (item, location, owner), receipt layers."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint, ColumnElement, ForeignKey, Index, String, UniqueConstraint, or_, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openvmi.db import Base, Quantity, UtcDateTime, one_of, utcnow
from openvmi.scoping import SupplierScoped

from openvmi.ledger.rules import DocumentKind, MoveKind


class Posting(Base):
    """One call of post_moves: the unit of idempotency for a batch of moves, and the link from
    the moves to the business document that caused them (and back)."""

    __tablename__ = "posting"
    __table_args__ = (
        # Keys are the caller's own: two integrations may both send "42".
        UniqueConstraint("caller_key", "idempotency_key"),
        one_of("document_kind", DocumentKind),
        CheckConstraint("document_kind = 'manual' OR document_id IS NOT NULL", name="document_named"),
        Index("ix_posting_document", "document_kind", "document_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    caller_key: Mapped[str] = mapped_column(String(40))  # Actor.caller_key ("user:7", "token:3"), or "system"
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))  # refuses a reused key with new content
    document_kind: Mapped[str] = mapped_column(String(20))
    document_id: Mapped[int | None]  # the document's row in its own feature's table; none for manual postings
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class StockMove(SupplierScoped, Base):
    """An immutable journal row. A supplier->buyer owner change is an ownership transfer."""

    __tablename__ = "stock_move"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "from_location_id <> to_location_id OR from_owner_id <> to_owner_id", name="moves_something"),
        one_of("kind", MoveKind),
        Index("ix_stock_move_item_created", "item_id", "created_at"),
        # Only reversals are indexed: the journal's other rows cost no index upkeep for them.
        Index("ix_stock_move_reverses_move_id", "reverses_move_id",
              postgresql_where=text("reverses_move_id IS NOT NULL"), sqlite_where=text("reverses_move_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("posting.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    from_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    from_owner_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    to_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    to_owner_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str | None] = mapped_column(String(200))  # the document's number people read, e.g. ASN-1042
    # The earlier move this one undoes (its mirror image), never beyond what is left to reverse.
    reverses_move_id: Mapped[int | None] = mapped_column(ForeignKey("stock_move.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # Read along with the move: its document is the posting's.
    posting: Mapped[Posting] = relationship(lazy="joined", innerjoin=True, viewonly=True)

    @property
    def document_kind(self) -> str:
        return self.posting.document_kind

    @property
    def document_id(self) -> int | None:
        return self.posting.document_id

    @classmethod
    def supplier_criterion(cls, supplier_id: int) -> ColumnElement[bool]:
        return or_(cls.from_owner_id == supplier_id, cls.to_owner_id == supplier_id)

    def writable_by(self, supplier_id: int) -> bool:
        # A supplier only moves its own stock; handing it to the buyer (consumption) is staff's.
        return self.from_owner_id == supplier_id and self.to_owner_id == supplier_id


class StockBalance(SupplierScoped, Base):
    """On-hand quantity per (item, location, owner); written only by ledger.service."""

    __tablename__ = "stock_balance"
    __table_args__ = (
        UniqueConstraint("item_id", "location_id", "owner_id"),
        CheckConstraint("on_hand >= 0 OR NOT is_physical", name="physical_not_negative"),
        # Half-full pages: an update finds room on its own page (HOT), so it writes no index entries.
        {"postgresql_with": {"fillfactor": 50}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    on_hand: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    is_physical: Mapped[bool]  # copied from the location kind so the CHECK can see it
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.item_id, self.location_id, self.owner_id)

    @classmethod
    def supplier_criterion(cls, supplier_id: int) -> ColumnElement[bool]:
        return cls.owner_id == supplier_id

    def writable_by(self, supplier_id: int) -> bool:
        return self.owner_id == supplier_id


class ReceiptLayer(SupplierScoped, Base):
    """A FIFO layer opened by a receipt into a physical location; drains oldest first."""

    __tablename__ = "receipt_layer"
    __table_args__ = (
        CheckConstraint("quantity_left >= 0", name="left_not_negative"),
        CheckConstraint("quantity_left <= quantity_received", name="left_within_received"),
        Index("ix_receipt_layer_fifo", "item_id", "location_id", "owner_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("party.id"))
    move_id: Mapped[int] = mapped_column(ForeignKey("stock_move.id"), index=True)
    quantity_received: Mapped[Decimal] = mapped_column(Quantity())
    quantity_left: Mapped[Decimal] = mapped_column(Quantity())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())

    @classmethod
    def supplier_criterion(cls, supplier_id: int) -> ColumnElement[bool]:
        return cls.owner_id == supplier_id

    def writable_by(self, supplier_id: int) -> bool:
        return self.owner_id == supplier_id


class LayerDraw(SupplierScoped, Base):
    """What a move took from a FIFO layer, so that its reversal can give the same layers back
    (with their receipt dates). A reversal records what it gave back as a negative quantity.

    No foreign keys, on purpose: every id is copied from a row the same posting wrote or locked,
    and a key check per draw row (with a share lock on the parent) cost a tenth of a single move's
    time on PostgreSQL (docs/decisions.md). The ledger's invariant tests cover the links."""

    __tablename__ = "layer_draw"
    __table_args__ = (CheckConstraint("quantity <> 0", name="quantity_not_zero"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    move_id: Mapped[int] = mapped_column(index=True)  # stock_move.id
    layer_id: Mapped[int]  # receipt_layer.id
    owner_id: Mapped[int]  # the layer's owner (party.id), for the supplier boundary
    quantity: Mapped[Decimal] = mapped_column(Quantity())

    @classmethod
    def supplier_criterion(cls, supplier_id: int) -> ColumnElement[bool]:
        return cls.owner_id == supplier_id

    def writable_by(self, supplier_id: int) -> bool:
        return self.owner_id == supplier_id
