"""What helps this patient: the change in their anxiety from before to after a practice, by
session and by kind, with how many ratings each figure rests on. Pure: plain rows in, plain rows
out (the same rule as the progress page's charts: only completed practice with both ratings).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

# Below this many before/after pairs an average says little: shown, but marked as tentative.
ENOUGH_RATINGS = 3


@dataclass(frozen=True, slots=True)
class RatedPractice:
    """One completed practice rated before and after (SUDS, 0-10)."""

    kind: str  # the kind's label ("Breathing")
    session: str | None  # the catalog session's title; None for practice without one
    before: int
    after: int


@dataclass(frozen=True, slots=True)
class Helped:
    label: str
    ratings: int  # before/after pairs it rests on
    mean_before: float
    mean_after: float
    lowered: int  # pairs where the after rating was lower
    raised: int  # pairs where it was higher
    enough: bool  # rests on at least ENOUGH_RATINGS pairs

    @property
    def change(self) -> float:
        """Mean after minus mean before: negative is calmer."""
        return self.mean_after - self.mean_before

    @property
    def summary(self) -> str:
        """The figure in plain words, e.g. "3.0 → 1.5: 1.5 points calmer on average"."""
        moved = abs(self.change)
        if moved < 0.05:
            direction = "no change on average"
        elif self.change < 0:
            direction = f"{moved:.1f} {_points(moved)} calmer on average"
        else:
            direction = f"{moved:.1f} {_points(moved)} more anxious on average"
        return f"{self.mean_before:.1f} → {self.mean_after:.1f}: {direction}"

    @property
    def basis(self) -> str:
        """What the figure rests on, e.g. "4 ratings, calmer after 3"."""
        ratings = f"{self.ratings} {'rating' if self.ratings == 1 else 'ratings'}"
        if not self.enough:
            return f"{ratings}: too few to say yet"
        return f"{ratings}, calmer after {self.lowered}"


@dataclass(frozen=True, slots=True)
class WhatHelps:
    by_session: list[Helped]
    by_kind: list[Helped]
    ratings: int  # pairs in all

    @property
    def empty(self) -> bool:
        return self.ratings == 0


def what_helps(rows: Iterable[RatedPractice], *, enough: int = ENOUGH_RATINGS) -> WhatHelps:
    """Sessions and kinds ordered for a reader: figures resting on enough ratings first, the
    calmest change first; then by more ratings, then by name."""
    by_session: dict[str, list[RatedPractice]] = defaultdict(list)
    by_kind: dict[str, list[RatedPractice]] = defaultdict(list)
    total = 0
    for row in rows:
        total += 1
        by_kind[row.kind].append(row)
        if row.session is not None:
            by_session[row.session].append(row)
    return WhatHelps(_ranked(by_session, enough), _ranked(by_kind, enough), total)


def overall(
    rows: Iterable[RatedPractice], *, label: str, enough: int = ENOUGH_RATINGS
) -> Helped | None:
    """Every row together as one figure (e.g. a report's period), or None without a row."""
    rows = list(rows)
    return _helped(label, rows, enough) if rows else None


def _ranked(groups: dict[str, list[RatedPractice]], enough: int) -> list[Helped]:
    helped = [_helped(label, rows, enough) for label, rows in groups.items()]
    return sorted(
        helped, key=lambda item: (not item.enough, item.change, -item.ratings, item.label)
    )


def _helped(label: str, rows: list[RatedPractice], enough: int) -> Helped:
    count = len(rows)
    return Helped(
        label=label,
        ratings=count,
        mean_before=sum(row.before for row in rows) / count,
        mean_after=sum(row.after for row in rows) / count,
        lowered=sum(row.after < row.before for row in rows),
        raised=sum(row.after > row.before for row in rows),
        enough=count >= enough,
    )


def _points(amount: float) -> str:
    return "point" if round(amount, 1) == 1 else "points"
