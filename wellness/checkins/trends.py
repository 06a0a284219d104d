"""What helped: average before-to-after change per session and per kind, and weekly minutes.
Pure: takes plain rows, returns plain rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta


def average_changes(rows: Iterable[tuple[str, int, int]]) -> list[tuple[str, float, int]]:
    """(label, before, after) ratings -> (label, mean after-minus-before, count), most helpful
    (most negative) first; ties by more ratings, then label."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for label, before, after in rows:
        sums[label][0] += after - before
        sums[label][1] += 1
    averaged = [(label, total / count, count) for label, (total, count) in sums.items()]
    return sorted(averaged, key=lambda row: (row[1], -row[2], row[0]))


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_totals(
    minutes_by_day: Mapping[date, int], *, today: date, weeks: int
) -> list[tuple[date, int]]:
    """Minutes per Monday-started week for the last `weeks` weeks, oldest first, zeros kept."""
    last = week_start(today)
    starts = [last - timedelta(weeks=offset) for offset in range(weeks - 1, -1, -1)]
    totals = dict.fromkeys(starts, 0)
    for day, minutes in minutes_by_day.items():
        start = week_start(day)
        if start in totals:
            totals[start] += minutes
    return list(totals.items())
