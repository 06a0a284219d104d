"""How long something lasts, in words a reader scans quickly. Pure."""

from __future__ import annotations

import math


def whole_minutes(seconds: float) -> int:
    """Practice time in whole minutes: the one rounding rule for every count of minutes.

    Half a minute or more rounds up, less rounds down: 20 s is 0, 30 s and 89 s are 1, 90 s is
    2. Python's `round` rounds halves to even, so a 30 s demo session would be 0 and 150 s 2.
    The seconds are made whole first: stored lengths are whole, but minutes times 60 can land a
    hair below a half. Totals add up days already rounded (`practice.history`, `streaks`), so a
    calendar's days sum to the minutes it states.
    """
    if not math.isfinite(seconds) or seconds <= 0:
        return 0
    return (round(seconds) + 30) // 60


def rounded_minutes(seconds: float) -> str:
    """A practice length as people say it: "under 1 min", "12 min", "1 h 5 min"."""
    if not math.isfinite(seconds) or seconds <= 0:
        return "length unknown"
    if seconds < 60:
        return "under 1 min"
    minutes = whole_minutes(seconds)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def clock(seconds: float) -> str:
    """An exact running time such as 0:04, 12:31 or 1:02:03 (whole seconds, rounded down)."""
    if not math.isfinite(seconds) or seconds < 0:
        return "unknown"
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"
