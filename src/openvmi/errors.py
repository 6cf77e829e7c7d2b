"""Errors a user can act on. Web code decides the HTTP status; nothing here knows HTTP."""
from dataclasses import dataclass
from decimal import Decimal


class DomainError(Exception):
    code = "domain_error"


class NotFound(DomainError):
    """The thing does not exist, or the caller may not see it (same answer, on purpose)."""

    code = "not_found"


class Conflict(DomainError):
    """The request is valid, but the current state forbids it."""

    code = "conflict"


class RuleViolation(DomainError):
    """The request breaks a business rule."""

    code = "rule_violation"


class PermissionDenied(DomainError):
    code = "permission_denied"


class NotAuthenticated(DomainError):
    code = "not_authenticated"


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class InvalidInput(RuleViolation):
    """Input that is well-formed but wrong, with one entry per bad field."""

    code = "invalid_input"

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))


@dataclass(frozen=True)
class Shortfall:
    item_code: str
    location_code: str
    owner_code: str
    requested: Decimal
    available: Decimal


class InsufficientStock(Conflict):
    code = "insufficient_stock"

    def __init__(self, shortfalls: list[Shortfall]) -> None:
        self.shortfalls = shortfalls  # every short line, so the user fixes them in one go
        super().__init__("; ".join(
            f"{s.item_code} at {s.location_code} ({s.owner_code}): "
            f"{s.available} available, {s.requested} requested"
            for s in shortfalls))


class IdempotencyMismatch(Conflict):
    """The idempotency key was already used for a different request."""

    code = "idempotency_key_reused"
