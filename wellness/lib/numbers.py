"""Whole numbers read from text that came from outside: form fields, query strings, headers.

`str.isdigit()` is True for superscripts (`²`) that `int()` refuses; `int()` takes other
scripts' digits (Arabic-Indic `٩`, the fullwidth digits) and refuses more than 4,300 digits;
regex `\\d` matches any script's digits. So a number typed by a person or sent by a client is
ASCII digits only, of a bounded length, then range-checked. Pure.
"""

from __future__ import annotations

import functools
import re

from wellness.lib.validation import FieldError

# The largest id the app hands out or accepts: a 32-bit signed integer, which every database
# column type we use (SQLite's 64-bit and PostgreSQL's `integer`) can hold.
MAX_ID = 2**31 - 1


@functools.cache
def _digits(max_digits: int) -> re.Pattern[str]:
    return re.compile(f"[0-9]{{1,{max_digits}}}")


def ascii_digits(text: str, *, max_digits: int) -> int | None:
    """The value of `text` when it is 1 to `max_digits` ASCII digits and nothing else, or None."""
    return int(text) if _digits(max_digits).fullmatch(text) else None


def whole_number(text: str, *, field: str, low: int, high: int, message: str | None = None) -> int:
    """`text` (surrounding spaces ignored) as a whole number from `low` to `high`.

    Raises FieldError naming `field`, with `message` or a default sentence, for anything else.
    """
    value = ascii_digits(text.strip(), max_digits=len(str(high)))
    if value is None or not low <= value <= high:
        raise FieldError(field, message or f"Enter a whole number from {low} to {high}.")
    return value


def record_id(text: str, *, field: str, message: str | None = None) -> int:
    """`text` as the id of a stored record (1 to MAX_ID)."""
    return whole_number(text, field=field, low=1, high=MAX_ID, message=message)
