"""Parties (buyer and suppliers) and the buyer's plants."""
from datetime import datetime

from sqlalchemy import ColumnElement, ForeignKey, String, or_
from sqlalchemy.orm import Mapped, mapped_column

from openvmi.db import Base, UtcDateTime, one_of, utcnow
from openvmi.parties.rules import PartyKind
from openvmi.scoping import SupplierScoped

class Party(SupplierScoped, Base):
    __tablename__ = "party"
    __table_args__ = (one_of("kind", PartyKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    country: Mapped[str | None] = mapped_column(String(2))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    # Stock older than this many days raises a stale-data alert (supplier stock feature).
    stale_after_days: Mapped[int] = mapped_column(default=7)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    @classmethod
    def supplier_criterion(cls, supplier_id: int) -> ColumnElement[bool]:
        return or_(cls.kind == PartyKind.BUYER, cls.id == supplier_id)

    def writable_by(self, supplier_id: int) -> bool:
        return self.id == supplier_id


class Plant(Base):
    __tablename__ = "plant"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(400))
