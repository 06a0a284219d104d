"""Client-supplied file names, made harmless for display. They never become paths."""

from __future__ import annotations

import unicodedata

from wellness.lib.text import BIDI_CONTROLS

MAX_DISPLAY_NAME = 255
# Bidirectional overrides and isolates can make "evil\u202e3pm.exe" read as "evilexe.mp3"; in a
# file name the direction marks have no use either.
_BIDI_CONTROLS = BIDI_CONTROLS | {chr(code) for code in (0x200E, 0x200F, 0x061C)}


def display_filename(name: str | None) -> str:
    """The last path component, without control, format or bidi characters, at most 255 chars."""
    if not name:
        return ""
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(
        char
        for char in last
        if char not in _BIDI_CONTROLS
        and unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Co", "Cn"}
    )
    cleaned = " ".join(kept.split()).strip(" .")
    if len(cleaned) <= MAX_DISPLAY_NAME:
        return cleaned
    stem, dot, extension = cleaned.rpartition(".")
    if dot and 0 < len(extension) <= 10:
        return stem[: MAX_DISPLAY_NAME - len(extension) - 1] + "." + extension
    return cleaned[:MAX_DISPLAY_NAME]
