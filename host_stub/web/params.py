"""Numbers from URLs, query strings and forms, checked before they reach the database.

A number too large for an id column ends on PostgreSQL in ``integer out of range`` and on SQLite in an
``OverflowError``; here it becomes a 404 (path), a clamped value (paging) or a German message (a selection).
``create_app`` installs ``IdConverter`` as the app's ``int`` converter, so every ``<int:…>`` of the shell and
of every module blueprint is bounded without the module doing anything.
"""

from __future__ import annotations

from werkzeug.routing import ValidationError
from werkzeug.routing.converters import IntegerConverter

from host_stub.db import MAX_ID
from host_stub.errors import HostError

_MAX_DIGITS = len(str(MAX_ID))


class IdConverter(IntegerConverter):
    """``<int:…>`` of every route: 0 to ``MAX_ID``; a larger number does not match, so the page is a 404."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)

    def to_python(self, value: str) -> int:
        if len(value.lstrip("0")) > _MAX_DIGITS:  # also spares int() a string of thousands of digits
            raise ValidationError()
        return super().to_python(value)


def bounded_int(value: str | None, default: int, low: int = 1, high: int = MAX_ID) -> int:
    """A query argument such as ``page``: ``default`` when missing or not a number, else clamped to the range."""
    text = (value or "").strip()
    if not text.isdecimal():
        return default
    return high if len(text) > _MAX_DIGITS else min(max(int(text), low), high)


def id_value(value: str | None) -> int | None:
    """One id from a query or form (e.g. ``survivor``): None when missing, else a valid id or a HostError."""
    if value is None or value == "":
        return None
    return id_values([value])[0]


def id_values(values: list[str]) -> list[int]:
    """The ids of a selection (``ids`` of a list or context action), or a HostError saying to select again."""
    text = [value.strip() for value in values]
    if not all(value.isdecimal() and len(value) <= _MAX_DIGITS and 0 < int(value) <= MAX_ID for value in text):
        raise HostError("Die Auswahl ist ungültig; bitte markieren Sie die Zeilen neu.")
    return [int(value) for value in text]
