"""The input types every schema and route shares, so that a value that passes validation is one
both databases store exactly (limits in openvmi.limits; docs/decisions.md, "Input at the edge").

Bodies, query and path parameters and forms use the same types: a NUL character, a lone surrogate,
an id past PostgreSQL's integer or a quantity a double cannot hold is a field error (422 in the
API, a message under the field in the portal), never a database error.
"""
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from babel.numbers import list_currencies
from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from openvmi import limits
from openvmi.errors import FieldError, InvalidInput


def storable_text(value: str) -> str:
    """Refuse text no database stores: PostgreSQL refuses NUL characters, and half of a UTF-16
    surrogate pair (JSON's "\\ud800") is no character at all, so UTF-8 cannot encode it."""
    if "\x00" in value:
        raise PydanticCustomError("nul_character", "must not contain NUL characters")
    if not value.isascii():
        try:
            value.encode()
        except UnicodeEncodeError:
            raise PydanticCustomError("lone_surrogate", "must be valid Unicode text (no lone surrogates)") from None
    return value


def currency_code(value: str) -> str:
    """An ISO 4217 code as the CLDR data (through Babel) knows it; lower case is read as upper case."""
    code = value.upper()
    if code not in _CURRENCIES:
        raise PydanticCustomError("unknown_currency", "is not an ISO 4217 currency code (such as CNY, USD, EUR)")
    return code


_CURRENCIES = frozenset(list_currencies())


def utc_comparable(value: datetime) -> datetime:
    """A time without a zone is UTC; one whose UTC time falls outside the years 1-9999 (year 1 east
    of Greenwich, 9999 west of it) has none to compare with what is stored, which is UTC."""
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise PydanticCustomError("datetime_out_of_range", "has no UTC time within the years 1 to 9999") from None
    return value


def refuse_unstorable(**texts: str) -> None:
    """For text a framework parsed without these types (the OAuth2 log-in form): InvalidInput
    naming every field whose text no database stores."""
    problems = []
    for name, value in texts.items():
        try:
            storable_text(value)
        except PydanticCustomError as error:
            problems.append(FieldError(name, error.message()))
    if problems:
        raise InvalidInput(problems)


# Any text a caller sends; a field adds its length limits: `name: Text = Field(max_length=200)`.
Text = Annotated[str, AfterValidator(storable_text)]
# A code naming an existing row (supplier, item, site, plant): as long as the longest code column.
Code = Annotated[str, StringConstraints(min_length=1, max_length=60), AfterValidator(storable_text)]
# What people type into a search box, in the API's `q` and in bodies alike.
Search = Annotated[str, StringConstraints(max_length=limits.MAX_SEARCH), AfterValidator(storable_text)]

# An ISO 4217 currency code, e.g. "CNY".
Currency = Annotated[str, StringConstraints(min_length=3, max_length=3, pattern=r"^[A-Za-z]{3}$"),
                     AfterValidator(currency_code)]

# A point in time sent in, e.g. a filter's bounds (stored timestamps are UTC).
Timestamp = Annotated[datetime, AfterValidator(utc_comparable)]

# Every id that comes in (paths, filters, bodies): 1 up to PostgreSQL's integer.
Id = Annotated[int, Field(ge=1, le=limits.MAX_ID)]

# Quantities: six decimals, no more than a double keeps exactly (limits.MAX_QUANTITY).
Quantity = Annotated[Decimal, Field(ge=0, le=limits.MAX_QUANTITY, decimal_places=limits.PLACES)]
PositiveQuantity = Annotated[Decimal, Field(gt=0, le=limits.MAX_QUANTITY, decimal_places=limits.PLACES)]
# Prices: what NUMERIC(18, 6) holds (db.Money keeps every digit on SQLite too).
Money = Annotated[Decimal, Field(ge=0, le=limits.MAX_MONEY, decimal_places=limits.PLACES)]
# Tax rates and tolerances: what NUMERIC(7, 4) holds.
Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=4)]
