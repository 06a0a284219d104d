"""`suggestions.following`: which list a practice that names none followed, by elapsed time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from wellness.checkins.scoring import CLOCK_SLACK
from wellness.suggestions.following import FOLLOW_WINDOW, within_follow_window

STARTED = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # Berlin's clocks go forward at 01:00 UTC


@pytest.mark.parametrize(
    ("shown_before", "follows"),
    [
        (FOLLOW_WINDOW, True),
        (FOLLOW_WINDOW + timedelta(seconds=1), False),
        (timedelta(minutes=3), True),
        (timedelta(0), True),
        (-CLOCK_SLACK, True),  # the list after the client's start: a clock a little behind
        (-CLOCK_SLACK - timedelta(seconds=1), False),
    ],
)
def test_a_list_counts_only_when_shown_within_the_window_before_the_start(
    shown_before: timedelta, follows: bool
) -> None:
    assert within_follow_window(STARTED - shown_before, STARTED) is follows


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC"])
def test_the_window_is_elapsed_time_across_a_clock_change_in_any_zone(zone: str) -> None:
    local = ZoneInfo(zone)
    # 50 minutes elapsed, though Berlin's wall clock moved 1 h 50 min.
    shown = (STARTED - timedelta(minutes=50)).astimezone(local)
    assert within_follow_window(shown, STARTED.astimezone(local))
    assert not within_follow_window(shown - timedelta(minutes=11), STARTED)
