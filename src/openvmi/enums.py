"""Kinds and states: each list is one StrEnum whose members carry the label people read.

The schema `Literal`s, the CHECK constraints (`db.one_of`) and the portal's labels all come from
the enum, so a new kind is added in one place. Nothing here imports beyond the stdlib, so pure
`rules` modules may define their enums on it.
"""
from enum import StrEnum
from typing import Any, Self


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker
    """Mark a string for extraction (`make messages`); it is translated where the locale is known."""
    return message


class Labelled(StrEnum):
    """A StrEnum whose members are declared as `VMI = "vmi", N_("VMI (consignment)")`.

    The value is what the database and the API hold; `label` is the English msgid the portal
    translates.
    """

    label: str

    def __new__(cls, value: str, label: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(member.value for member in cls)

    @classmethod
    def labels(cls) -> dict[str, str]:
        """value -> msgid, in declaration order (for filters, selects and badges)."""
        return {member.value: member.label for member in cls}

    @staticmethod
    def _generate_next_value_(name: str, start: int, count: int, last_values: list[Any]) -> str:
        raise TypeError("declare every member with its value and label")
