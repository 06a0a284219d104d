"""Durations as the catalog shows them."""

from __future__ import annotations

import math

import pytest

from wellness.lib.durations import clock, rounded_minutes


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
