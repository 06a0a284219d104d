"""Text as people type it, made safe to store and show: names, titles, notes, search words."""

from __future__ import annotations

import unicodedata

# Control characters (NUL, escapes, DEL) and line or paragraph separators: never part of a
# one-line value. PostgreSQL stores no NUL in text at all.
_BREAKING = frozenset({"Cc", "Zl", "Zp"})
# Bidirectional embeddings, overrides and isolates reorder the text after them, so a name, a
# title or a note could be made to read as something else ("Dr \u202eesuoH" shows "Dr House").
# Right-to-left text needs none of them: the letters carry their own direction.
BIDI_CONTROLS = frozenset(chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def without_bidi_controls(value: str) -> str:
    return "".join(char for char in value if char not in BIDI_CONTROLS)


def one_line(value: str) -> str:
    """`value` with each control character or line break as a space, runs of white space as
    one, no bidirectional controls, trimmed."""
    spaced = "".join(
        " " if unicodedata.category(char) in _BREAKING else char
        for char in value
        if char not in BIDI_CONTROLS
    )
    return " ".join(spaced.split())
