"""How long ago, in words: elapsed time, the same in every time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from wellness.lib.elapsed import ago

NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(seconds=0), "just now"),
        (timedelta(seconds=59), "just now"),
        (timedelta(minutes=1), "1 min ago"),
        (timedelta(minutes=59, seconds=59), "59 min ago"),
        (timedelta(hours=1), "1 h ago"),
        (timedelta(hours=47, minutes=59), "47 h ago"),
        (timedelta(hours=48), "2 days ago"),
        (timedelta(days=13, hours=23), "13 days ago"),
        (timedelta(days=14), "2 weeks ago"),
        (timedelta(days=100), "14 weeks ago"),
        (timedelta(minutes=-5), "just now"),  # a device clock a little ahead
    ],
)
def test_it_grows_coarser_as_time_passes(delta: timedelta, words: str) -> None:
    assert ago(NOW - delta, NOW) == words


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Asia/Tokyo", "America/Los_Angeles"])
def test_the_zone_of_either_moment_changes_nothing(zone: str) -> None:
    then = (NOW - timedelta(hours=5)).astimezone(ZoneInfo(zone))

    assert ago(then, NOW) == ago(then, NOW.astimezone(ZoneInfo("Pacific/Pago_Pago"))) == "5 h ago"


def test_across_a_dst_change_it_counts_real_hours() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    before = datetime(2026, 10, 25, 1, 30, tzinfo=berlin)  # CEST; clocks go back at 03:00
    after = datetime(2026, 10, 25, 3, 30, tzinfo=berlin)  # CET: three real hours later

    assert ago(before, after) == "3 h ago"


def test_naive_moments_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        ago(datetime(2026, 11, 24, 12, 0), NOW)  # noqa: DTZ001
