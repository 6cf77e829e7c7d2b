"""Users, their opaque bearer tokens (stored hashed, revocable) and what log-in throttling remembers."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ColumnElement, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openvmi.auth.rules import AddressRecord
from openvmi.db import Base, UtcDateTime, utcnow
from openvmi.scoping import SupplierScoped


class User(SupplierScoped, Base):
    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin', 'buyer', 'warehouse', 'finance', 'supplier')", name="role"),
        # A supplier user is bound to exactly one supplier; staff users to none.
        CheckConstraint("(role = 'supplier') = (supplier_id IS NOT NULL)", name="supplier_binding"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    @classmethod
    def supplier_criterion(cls, supplier_id: int) -> ColumnElement[bool]:
        return cls.supplier_id == supplier_id

    def writable_by(self, supplier_id: int) -> bool:
        return self.supplier_id == supplier_id


class ApiToken(Base):
    """A bearer token: short-lived from a password login, or long-lived for an integration."""

    __tablename__ = "api_token"
    __table_args__ = (CheckConstraint("kind IN ('login', 'integration')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the secret
    prefix: Mapped[str] = mapped_column(String(12))  # shown in lists so users can tell tokens apart
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    user: Mapped[User] = relationship()


class LoginThrottle(Base):
    """One client address's recent log-ins to one account (auth.rules). Written only while the
    user's row is locked, so parallel guesses cannot overwrite each other's counts."""

    __tablename__ = "login_throttle"
    __table_args__ = (UniqueConstraint("user_id", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(64))  # auth.rules.client_key
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_success_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    @property
    def record(self) -> AddressRecord:
        return AddressRecord(failures=self.failures or 0, last_failure_at=self.last_failure_at,
                             last_success_at=self.last_success_at)
