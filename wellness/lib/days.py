"""Days as people type them in a query or a form (YYYY-MM-DD), and a local day's first instant.
Pure: stdlib only.

Only ASCII digits in the ISO form are a day: `date.fromisoformat` alone would also take
"20261124" and fullwidth digits, which no form of ours offers.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

# The days a filter or a period may name: wide enough for any record, far enough from the
# calendar's edges that a day's bounds in any zone are still dates.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_day(text: str) -> date | None:
    """The calendar day `text` names as YYYY-MM-DD, or None when it names none."""
    if not _DAY.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:  # 2026-02-30
        return None


def read_day(text: str, field: str, errors: dict[str, str]) -> date | None:
    """The day typed in `field` (None when left empty), or None with the problem in `errors`."""
    if not text:
        return None
    day = iso_day(text)
    if day is None:
        errors[field] = "Give a date as YYYY-MM-DD, e.g. 2026-11-24."
    elif not FIRST_DAY <= day <= LAST_DAY:
        errors[field] = f"Give a date from {FIRST_DAY} to {LAST_DAY}."
        return None
    return day


def local_date(moment: datetime, zone: str) -> date:
    """The calendar day `moment` falls on in `zone`."""
    return moment.astimezone(ZoneInfo(zone)).date()


def local_midnight(day: date, zone: str) -> datetime:
    """The instant, in UTC, at which `day` starts in `zone` (days may be 23 or 25 hours long
    across a DST change, so the next day's start is `local_midnight(day + 1 day)`)."""
    return datetime.combine(day, time(0), ZoneInfo(zone)).astimezone(UTC)
