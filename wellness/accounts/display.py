"""How a person's pages look: light, dark, or whichever their device asks for.

Benzodiazepine withdrawal brings sensitivity to light, and patients practise at bedtime: a dark,
low-glare display is theirs to choose on their account page or through the API, and it follows
the device (`prefers-color-scheme`) until they do."""

from __future__ import annotations

from enum import StrEnum


class Theme(StrEnum):
    DEVICE = "device"
    LIGHT = "light"
    DARK = "dark"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Theme.DEVICE: "As my device",
    Theme.LIGHT: "Light",
    Theme.DARK: "Dark",
}


def parse_theme(text: str) -> Theme | None:
    """The theme a form or query names exactly (`dark`), or None for anything else."""
    try:
        return Theme(text)
    except ValueError:
        return None
