"""Sorting the dashboard's rows and saying how long ago things were. Pure: no I/O.

`?sort=` takes one of `SORTS` (descending with a leading `-`); anything else is refused by the
page. Rows without a value (no check-in yet, no GAD-7) sort last in either direction; ties fall
back to "needs attention" order, then the name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar

from wellness.lib import sorting

# Column name -> (heading, the row attribute it sorts by, its first direction).
SORTS: dict[str, tuple[str, str, bool]] = {
    "attention": ("Needs attention", "attention", False),
    "name": ("Patient", "name", False),
    "streak": ("Streak", "streak", True),
    "adherence": ("This week", "adherence", False),
    "checkin": ("Last quick check-in", "checkin_at", True),
    "gad7": ("GAD-7", "gad7", True),
    "alerts": ("Open alerts", "open_alerts", True),
    "overdue": ("Missed, 7 days", "overdue", True),
    "activity": ("Days since activity", "days_since_activity", True),
}
DEFAULT_SORT = "attention"


class SortOrder(sorting.SortOrder):
    __slots__ = ()
    FIRST_DESCENDING: ClassVar[Mapping[str, bool]] = {
        column: first for column, (_, _, first) in SORTS.items()
    }


def parse_sort(value: str | None) -> SortOrder | None:
    """The order `?sort=` asks for; None when it names no sortable column."""
    return SortOrder.parse(value, SortOrder(DEFAULT_SORT, False))


def sort_rows(rows: Sequence[Any], order: SortOrder) -> list[Any]:
    """`rows` (dashboard rows) in `order`, rows without a value last."""
    attribute = SORTS[order.column][1]
    value: Callable[[Any], Any] = (
        _adherence if attribute == "adherence" else lambda row: getattr(row, attribute)
    )
    tie = sorted(rows, key=lambda row: (row.attention, row.name.casefold(), row.patient_id))
    present = [row for row in tie if value(row) is not None]
    missing = [row for row in tie if value(row) is None]
    ordered = sorted(present, key=value, reverse=order.descending)
    return ordered + missing


def _adherence(row: Any) -> float | None:
    if not row.week_prescribed:
        return None
    return float(row.week_done) / float(row.week_prescribed)


def ago(then: datetime | None, now: datetime) -> str:
    """ "just now", "25 min ago", "3 h ago", "2 days ago" (a moment after now is "just now")."""
    if then is None:
        return ""
    elapsed = max(timedelta(0), now - then)
    minutes = int(elapsed.total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    days = minutes // (24 * 60)
    return f"{days} days ago"


def ago_changes_at(then: datetime | None, now: datetime) -> datetime | None:
    """The first moment after `now` at which `ago(then, ...)` says something else; None when
    it never will (no moment)."""
    if then is None:
        return None
    minutes = int(max(timedelta(0), now - then).total_seconds() // 60)
    if minutes < 60:
        step, count = timedelta(minutes=1), minutes
    elif minutes < 48 * 60:
        step, count = timedelta(hours=1), minutes // 60
    else:
        step, count = timedelta(days=1), minutes // (24 * 60)
    return then + step * (count + 1)
