"""How long something lasts, in words a reader scans quickly. Pure."""

from __future__ import annotations

import math


def rounded_minutes(seconds: float) -> str:
    """A practice length as people say it: "under 1 min", "12 min", "1 h 5 min"."""
    if not math.isfinite(seconds) or seconds <= 0:
        return "length unknown"
    if seconds < 60:
        return "under 1 min"
    minutes = round(seconds / 60)
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
