"""Enums whose members read as words on pages."""

from __future__ import annotations

from enum import StrEnum


class Vocabulary(StrEnum):
    """A string enum labelled by its value in sentence case (`body_scan` reads "Body scan").

    An enum whose labels are other words (a phrase, an apostrophe) is a plain `StrEnum` with
    a `label` of its own."""

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()
