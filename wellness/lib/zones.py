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


def _key(text: str) -> str:
    return "_".join(text.split()).lower()


@cache
def _by_key() -> tuple[dict[str, str], dict[str, str]]:
    """Zone names by their whole name and by their city, in any case and with spaces for
    underscores. Of aliases ending in the same city (Asia/Istanbul, Europe/Istanbul), the
    shortest name stands for the city; they are one zone."""
    names = time_zone_names()
    cities: dict[str, str] = {}
    for name in sorted(names, key=lambda name: (len(name), name)):
        cities.setdefault(_key(name.rsplit("/", 1)[-1]), name)
    return {_key(name): name for name in names}, cities


def zone_named(text: str) -> str | None:
    """The zone `text` names: a zone's name in any case ("europe/berlin") or its city alone
    ("Berlin", "new york"); None when it names none."""
    whole, cities = _by_key()
    key = _key(text)
    return whole.get(key) or cities.get(key)
