"""What an assigned practice asks for: a specific session, any session of a kind within a
length, or any session of a collection. Pure: standard library only.

Each target says which completed practice it `accepts` and its `rank` in the matching of
practices to items (`wellness.care.adherence` rule 2): when one practice could fulfil items of
two targets, the narrower target claims it first. A session accepts one session; a collection
a handful it lists; a kind every session of that kind in the range, and logged practice too.
So a practice of a session that is in a collection and of a kind goes to the collection's item
before the kind's: the kind's item has the most other practices that can still fulfil it.
(The matching is a maximum one whatever the ranks; they only decide which items are fulfilled
when not all of them can be.)
"""

from __future__ import annotations

from dataclasses import dataclass

# A length range in whole minutes admits sessions that round to it, like the catalog's filter.
MINUTES_TOLERANCE = 0.5


@dataclass(frozen=True, slots=True)
class SessionTarget:
    """One specific catalog session."""

    session_id: int

    specific = True
    rank = 0

    def accepts(self, *, session_id: int | None, kind: str, minutes: float) -> bool:
        return session_id == self.session_id


@dataclass(frozen=True, slots=True)
class CollectionTarget:
    """Any session of a collection (a coordinator's programme of sessions). `session_ids` are
    the sessions it holds when the schedule is judged, whatever their status: a practice of a
    session archived since still counts for the day it was done."""

    collection_id: int
    session_ids: frozenset[int]

    specific = False
    rank = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "session_ids", frozenset(self.session_ids))  # hashable

    def accepts(self, *, session_id: int | None, kind: str, minutes: float) -> bool:
        return session_id is not None and session_id in self.session_ids


@dataclass(frozen=True, slots=True)
class KindTarget:
    """Any practice of a kind whose length, in minutes, rounds into min_minutes..max_minutes."""

    kind: str
    min_minutes: int
    max_minutes: int

    specific = False
    rank = 2

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str) or not self.kind:
            raise ValueError(f"kind must be a non-empty string, got {self.kind!r}")
        low, high = self.min_minutes, self.max_minutes
        if not (_is_int(low) and _is_int(high) and 0 <= low <= high):
            raise ValueError(f"need whole minutes 0 <= min <= max, got {low!r}..{high!r}")

    def accepts(self, *, session_id: int | None, kind: str, minutes: float) -> bool:
        return (
            kind == self.kind
            and self.min_minutes - MINUTES_TOLERANCE
            <= minutes
            <= self.max_minutes + MINUTES_TOLERANCE
        )


Target = SessionTarget | CollectionTarget | KindTarget
TARGET_TYPES = (SessionTarget, CollectionTarget, KindTarget)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
