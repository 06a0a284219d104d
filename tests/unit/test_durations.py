"""Durations as the catalog shows them."""

from __future__ import annotations

import math

import pytest

from wellness.lib.durations import clock, rounded_minutes, whole_minutes


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "length unknown"),
        (-5, "length unknown"),
        (math.nan, "length unknown"),
        (4, "under 1 min"),
        (59.9, "under 1 min"),
        (60, "1 min"),
        (89, "1 min"),
        (91, "2 min"),
        (150, "3 min"),  # half a minute rounds up, as everywhere (whole_minutes)
        (12 * 60 + 20, "12 min"),
        (3600, "1 h"),
        (3600 + 5 * 60, "1 h 5 min"),
        (2 * 3600 + 59 * 60 + 50, "3 h"),
    ],
)
def test_rounded_minutes_reads_like_speech(seconds: float, expected: str) -> None:
    assert rounded_minutes(seconds) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "0:00"),
        (4.9, "0:04"),
        (751, "12:31"),
        (3723, "1:02:03"),
        (math.inf, "unknown"),
        (-1, "unknown"),
    ],
)
def test_clock_shows_exact_running_time(seconds: float, expected: str) -> None:
    assert clock(seconds) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (20, 0),
        (29, 0),
        (30, 1),  # a demo session: half a minute rounds up, not to the even 0
        (89, 1),
        (90, 2),
        (150, 3),
        (2.5 / 60 * 60 * 60, 3),  # 2.5 minutes times 60, a hair off in floating point
        (0, 0),
        (-30, 0),
        (math.nan, 0),
        (math.inf, 0),
    ],
)
def test_whole_minutes_rounds_half_a_minute_up(seconds: float, expected: int) -> None:
    assert whole_minutes(seconds) == expected
