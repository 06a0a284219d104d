"""The IANA time zone names people may choose from (stdlib only)."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones


@cache
def time_zone_names() -> tuple[str, ...]:
    """Every region/city zone this system knows, and UTC, sorted (no legacy names like EST5EDT)."""
    return tuple(sorted(name for name in available_timezones() if "/" in name or name == "UTC"))


def spoken(name: str) -> str:
    """A zone's name as people write it: "America/New_York" -> "America/New York"."""
    return name.replace("_", " ")
