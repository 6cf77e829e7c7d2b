"""HTML forms: turn posted fields into a schema, and every error into a message next to its field."""
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from openvmi.errors import DomainError, InvalidInput, Reason
from openvmi.web.i18n import N_

M = TypeVar("M", bound=BaseModel)

# Pydantic error types -> a message a person understands (msgids; translated when rendered).
_MESSAGES = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This field is required."),
    "string_too_long": N_("At most %(max_length)s characters."),
    "string_pattern_mismatch": N_("Use letters, digits and - _ . only."),
    "int_parsing": N_("Enter a whole number."),
    "int_from_float": N_("Enter a whole number."),
    "decimal_parsing": N_("Enter a number."),
    "decimal_type": N_("Enter a number."),
    "float_parsing": N_("Enter a number."),
    "finite_number": N_("Enter a number."),
    "greater_than_equal": N_("Must be at least %(ge)s."),
    "greater_than": N_("Must be greater than %(gt)s."),
    "less_than_equal": N_("Must be at most %(le)s."),
    "decimal_max_places": N_("At most %(decimal_places)s decimal places."),
    "decimal_max_digits": N_("Too many digits."),
    "date_parsing": N_("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": N_("Enter a date as YYYY-MM-DD."),
    "literal_error": N_("Choose one of the options."),
    "enum": N_("Choose one of the options."),
    "nul_character": N_("Remove the NUL characters from this text."),
    "lone_surrogate": N_("This text has characters that are not valid Unicode."),
    "string_unicode": N_("This text has characters that are not valid Unicode."),
}


# Services speak English; most say it with an errors.Reason (msgid + values). A few old messages
# still carry their values inside the text: these turn them into msgids + values, and say which form
# field a refusal belongs to. Unknown messages are shown as they are.
_SERVICE_MESSAGES: list[tuple[re.Pattern[str], str, str | None]] = [
    (re.compile(r"^no such supplier: (?P<detail>.+)$"), N_("no such supplier: %(detail)s"), "supplier_code"),
    (re.compile(r"^no such item: (?P<detail>.+)$"), N_("no such item: %(detail)s"), "item_code"),
    (re.compile(r"^no such plant: (?P<detail>.+)$"), N_("no such plant: %(detail)s"), "plant_code"),
]
# The form field a service's refusal belongs to, by its msgid.
_SERVICE_FIELDS = {
    N_("an item with code %(code)s already exists"): "code", N_("a company with code %(code)s already exists"): "code",
    N_("a plant with code %(code)s already exists"): "code", N_("location %(code)s already exists"): "code",
    N_("username %(username)s is taken"): "username",
    N_("%(supplier)s already has a supplier item for %(item)s or part number %(part)s"): "item_code",
} | {msgid: field for _, msgid, field in _SERVICE_MESSAGES if field}


@dataclass
class Message:
    """A msgid and its parameters; the template translates it in the reader's language."""

    text: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class FormState:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[Message]] = field(default_factory=dict)
    general: list[Message] = field(default_factory=list)

    @property
    def invalid(self) -> bool:
        return bool(self.errors or self.general)

    def add(self, name: str | None, message: Message) -> None:
        if name is None or name not in self.values:
            self.general.append(message)
        else:
            self.errors.setdefault(name, []).append(message)


def form_values(form: Mapping[str, Any], names: list[str]) -> dict[str, str]:
    """The posted text of each named field (checkboxes: "on" or absent)."""
    return {name: str(form.get(name, "")).strip() for name in names}


def chosen_file(posted: Mapping[str, Any], state: FormState) -> UploadFile | None:
    """The file sent in the form's `file` field, or None with "choose a file" under that field."""
    file = posted.get("file")
    if isinstance(file, UploadFile) and file.filename:
        return file
    state.add("file", Message(N_("Choose a CSV or Excel file.")))
    return None


def parse(model: type[M], data: Mapping[str, Any], state: FormState, *,
          field_names: Mapping[str, str] | None = None) -> M | None:
    """Validate `data` (empty strings mean "not given") into `model`; errors go into `state`."""
    cleaned = {k: v for k, v in data.items() if v != ""}
    try:
        return model.model_validate(cleaned)
    except ValidationError as error:
        for problem in error.errors():
            state.add(_field_of(problem["loc"], field_names), _message_of(problem))
        return None


def add_domain_error(state: FormState, error: DomainError, *,
                     field_names: Mapping[str, str] | None = None) -> None:
    """Put a service's refusal where it belongs: per field for InvalidInput, on top otherwise."""
    if isinstance(error, InvalidInput):
        for problem in error.errors:
            state.add(_field_of((problem.field,), field_names), split_message(problem.message))
    else:
        message = split_message(error.message)
        state.add(_SERVICE_FIELDS.get(message.text), message)


def split_message(message: str) -> Message:
    """A service's message as msgid + values, e.g. 'no such item: X' -> 'no such item: %(detail)s'."""
    if isinstance(message, Reason):  # it knows its msgid and values already
        return Message(message.msgid, dict(message.params))
    for pattern, msgid, _ in _SERVICE_MESSAGES:
        match = pattern.match(message)
        if match:
            return Message(msgid, match.groupdict())
    return Message(message)


def _field_of(loc: tuple[Any, ...], field_names: Mapping[str, str] | None) -> str | None:
    names = field_names or {}
    dotted = ".".join(str(part) for part in loc)
    if dotted in names:
        return names[dotted]
    last = [str(part) for part in loc if not isinstance(part, int)]
    return names.get(last[-1], last[-1]) if last else None


def _message_of(problem: Mapping[str, Any]) -> Message:
    kind = problem["type"]
    if kind == "value_error":
        error = problem.get("ctx", {}).get("error")
        if isinstance(error, ValueError) and error.args and isinstance(error.args[0], Reason):
            return split_message(error.args[0])  # str(error) would drop its msgid
        return split_message(str(error if error is not None else problem["msg"]))
    if kind in _MESSAGES:
        return Message(_MESSAGES[kind], {k: v for k, v in (problem.get("ctx") or {}).items()})
    return Message(str(problem["msg"]))


def plain(value: Decimal | None) -> str:
    """A quantity as typed into a form: no exponent, no trailing zeros."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
