"""Users and tokens: input and output shapes."""
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from openvmi.access import Role
from openvmi.fields import Code, Text

MIN_PASSWORD_LENGTH = 8  # characters; every password a person sets


class UserCreate(BaseModel):
    username: str = Field(min_length=2, max_length=80, pattern=r"^[A-Za-z0-9_.@-]+$")
    display_name: Text = Field(min_length=1, max_length=200)
    email: Text | None = Field(default=None, max_length=200)
    password: Text = Field(min_length=MIN_PASSWORD_LENGTH, max_length=200)
    role: Role
    supplier_code: Code | None = None
    locale: str | None = Field(default=None, pattern=r"^(en|zh_CN)$")


class UserUpdate(BaseModel):
    """An admin's changes to a user; a new password only when one is given."""

    display_name: Text = Field(min_length=1, max_length=200)
    email: Text | None = Field(default=None, max_length=200)
    role: Role
    supplier_code: Code | None = None
    locale: str | None = Field(default=None, pattern=r"^(en|zh_CN)$")
    password: Text | None = Field(default=None, min_length=MIN_PASSWORD_LENGTH, max_length=200)


class PasswordChange(BaseModel):
    """A signed-in user's own new password, confirmed by the current one."""

    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=200)


@dataclass(frozen=True)
class LogInAttempt:
    """A password log-in, with the client address it came from (what throttling counts by)."""

    username: str
    password: str
    address: str | None


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
    name: Text = Field(min_length=1, max_length=120)
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
