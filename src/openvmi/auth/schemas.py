"""Users, tokens and the authenticated actor."""
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from openvmi.auth.rules import Role, has_permission


@dataclass(frozen=True)
class Actor:
    """Who is calling: passed to every use case instead of a raw user row."""

    user_id: int
    username: str
    role: Role
    supplier_id: int | None  # set for supplier users: the boundary of what they see
    locale: str | None = None
    token_id: int | None = None  # set when the caller authenticated with an integration token

    def can(self, permission: str) -> bool:
        return has_permission(self.role, permission)

    @property
    def caller_key(self) -> str:
        """Whose Idempotency-Keys these are: each integration token's own, else the user's."""
        return f"token:{self.token_id}" if self.token_id is not None else f"user:{self.user_id}"


class UserCreate(BaseModel):
    username: str = Field(min_length=2, max_length=80, pattern=r"^[A-Za-z0-9_.@-]+$")
    display_name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=200)
    password: str = Field(min_length=8, max_length=200)
    role: Role
    supplier_code: str | None = None
    locale: str | None = Field(default=None, pattern=r"^(en|zh_CN)$")


class UserUpdate(BaseModel):
    """An admin's changes to a user; a new password only when one is given."""

    display_name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=200)
    role: Role
    supplier_code: str | None = None
    locale: str | None = Field(default=None, pattern=r"^(en|zh_CN)$")
    password: str | None = Field(default=None, min_length=8, max_length=200)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    email: str | None
    role: Role
    supplier_id: int | None
    locale: str | None
    active: bool


class UserPage(BaseModel):
    items: list[UserRead]
    next_cursor: str | None


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    name: str
    kind: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenIssued(TokenRead):
    token: str  # shown once; only its hash is stored


class AccessToken(BaseModel):
    """OAuth2 token response (RFC 6749 section 5.1)."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int
