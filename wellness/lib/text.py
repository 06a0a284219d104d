"""Text as one line: what names, titles and search words are stored and shown as."""

from __future__ import annotations

import unicodedata

# Control characters (NUL, escapes, DEL) and line or paragraph separators: never part of a
# one-line value. PostgreSQL stores no NUL in text at all.
_BREAKING = frozenset({"Cc", "Zl", "Zp"})


def one_line(value: str) -> str:
    """`value` with each control character or line break as a space and runs of white space
    as one, trimmed."""
    spaced = "".join(" " if unicodedata.category(char) in _BREAKING else char for char in value)
    return " ".join(spaced.split())
