"""How long ago something happened, in words a reader scans quickly. Pure: `now` is an argument."""

from __future__ import annotations

from datetime import UTC, datetime


def ago(then: datetime, now: datetime) -> str:
    """Elapsed time, coarser as it grows: "just now", "12 min ago", "5 h ago", "3 days ago",
    "6 weeks ago". Counted in elapsed time, so the same in every time zone; a moment after
    `now` (clock skew between devices) is "just now"."""
    if then.tzinfo is None or now.tzinfo is None:
        raise ValueError("ago() compares aware datetimes only")
    # In UTC: Python subtracts two times that share a tzinfo by their wall clocks, which is
    # an hour off across a DST change.
    minutes = int((now.astimezone(UTC) - then.astimezone(UTC)).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h ago"
    days = hours // 24
    if days < 14:
        return f"{days} days ago"
    return f"{days // 7} weeks ago"
