"""Errors a user can act on. Web code decides the HTTP status; nothing here knows HTTP."""
from dataclasses import dataclass
from decimal import Decimal


class DomainError(Exception):
    code = "domain_error"

    @property
    def message(self) -> str:
        """What it says: the Reason it was raised with (which a page shows in the reader's language),
        else its text. str(error) would be plain English."""
        first = self.args[0] if self.args else None
        return first if isinstance(first, Reason) else str(self)


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


class ContentTooLarge(DomainError):
    """A request body over what its address accepts; refused before (or as soon as) it is read."""

    code = "content_too_large"

    def __init__(self, limit_bytes: int) -> None:
        self.problem_extra = {"limit_bytes": limit_bytes}
        size = f"{limit_bytes / 1048576:g} MB" if limit_bytes >= 1048576 else f"{limit_bytes} bytes"
        super().__init__(f"the request body is larger than the {size} this address accepts")


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


class Reason(str):
    """English text that remembers its message id and parameters, so that a page can show it in
    the reader's language while the API, the CLI and stored reports keep the English. Mark the
    literal: `Reason("wrong unit: %(item)s is counted in %(unit)s", item=..., unit=...)`."""

    msgid: str
    params: dict[str, str]

    def __new__(cls, msgid: str, **params: object) -> "Reason":
        texts = {name: str(value) for name, value in params.items()}
        self = super().__new__(cls, msgid % texts if texts else msgid)
        self.msgid, self.params = msgid, texts
        return self


@dataclass(frozen=True)
class RowError:
    """One thing wrong in an uploaded file: where (row as the user sees it, column) and why."""

    row: int | None  # None: the whole file (encoding, size, headers)
    column: str | None
    reason: str
    value: str | None = None


class InvalidImportFile(RuleViolation):
    """A file that cannot be imported, with every bad row so the user fixes them in one go."""

    code = "invalid_import_file"

    def __init__(self, errors: list[RowError], *, error_count: int | None = None,
                 import_id: int | None = None) -> None:
        self.errors = errors
        self.error_count = error_count if error_count is not None else len(errors)
        self.import_id = import_id
        first = errors[0] if errors else RowError(None, None, "invalid file")
        where = f"row {first.row}: " if first.row is not None else ""
        more = f" (and {self.error_count - 1} more)" if self.error_count > 1 else ""
        super().__init__(f"{where}{first.reason}{more}")

    @property
    def problem_extra(self) -> dict[str, object]:
        return {"errors": [{"row": e.row, "column": e.column, "reason": e.reason, "value": e.value}
                           for e in self.errors],
                "error_count": self.error_count, "import_id": self.import_id}
