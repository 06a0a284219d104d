"""`lib.days.local_date`: the calendar day an instant falls on where a person is, at every local
hour, east and west of UTC and on the days the clocks change (the day a collection was started
on, a note's contact date)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.unit.test_day_semantics import CASES
from wellness.lib.days import local_date


@pytest.mark.parametrize(("zone", "now"), CASES)
def test_an_instant_is_on_the_local_calendar_day_at_any_hour(zone: str, now: datetime) -> None:
    assert local_date(now.astimezone(UTC), zone) == now.date()


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Pacific/Kiritimati", "2026-11-25"),  # UTC+14: already the next day
        ("Asia/Tokyo", "2026-11-24"),  # 22:30, still the same day
        ("Europe/Berlin", "2026-11-24"),
        ("America/Los_Angeles", "2026-11-24"),
        ("Pacific/Pago_Pago", "2026-11-24"),  # UTC-11
    ],
)
def test_the_same_instant_is_on_different_days_east_and_west(zone: str, expected: str) -> None:
    afternoon_in_utc = datetime(2026, 11, 24, 13, 30, tzinfo=UTC)

    assert local_date(afternoon_in_utc, zone).isoformat() == expected
