"""The rules of a patient's "Saved" list. Pure.

A patient saves a session they may open (a published one) to come back to it. The list keeps at
most `MAX_SAVED` of them. A session archived after it was saved stays in the list, shown as no
longer in the library (no play link) until the patient removes it: a list that silently lost
what someone chose to keep would look broken, and the patient can clear it with one button.

Searching the list: a saved session still in the library matches words as the library's search
does (title, teacher, tags, description, transcript); one gone from it matches by its title
only, the one thing of it the list still shows and what the patient knew it by. The library's
filters (kind, length, posture, guidance, tag) apply to every saved session alike.
"""

from __future__ import annotations

from enum import StrEnum

from wellness.catalog.kinds import Status
from wellness.catalog.rules import CatalogConflict

MAX_SAVED = 500
LIMIT_REACHED = "saved_limit"
# The statuses a saved session is in the library with; any other is gone from it.
IN_LIBRARY = frozenset({Status.PUBLISHED})


class Standing(StrEnum):
    """How one saved session is shown to the patient who saved it."""

    AVAILABLE = "available"  # in the library: its page and player open
    SKIP = "skip"  # their care team asked them to skip it: marked, never offered to start
    GONE = "gone"  # no longer in the library (archived): greyed, no link

    @property
    def label(self) -> str:
        return {
            Standing.AVAILABLE: "In the library",
            Standing.SKIP: "Your care team has asked you to skip this one for now",
            Standing.GONE: "No longer in the library",
        }[self]


def standing_of(status: Status, *, skip: bool) -> Standing:
    """Gone wins over a care team's mark: a session no longer in the library cannot be opened
    whatever its mark."""
    if status not in IN_LIBRARY:
        return Standing.GONE
    return Standing.SKIP if skip else Standing.AVAILABLE


def check_room(saved: int) -> None:
    """`CatalogConflict` (answered 409) when a patient holding `saved` sessions saves another."""
    if saved >= MAX_SAVED:
        raise CatalogConflict(
            LIMIT_REACHED,
            f"You can keep at most {MAX_SAVED} saved sessions. Remove one you no longer need "
            "from Saved, then save this one.",
        )
