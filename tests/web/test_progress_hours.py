"""Through HTTP, at every local hour: rate, log practice, and see both on /progress at once.

The app's clock is set to each moment (never the hour the suite runs at). Every hour of the day
is covered once, each in one of the zones east and west of UTC in turn, plus the minutes around
the 03:00 rollover and the DST changes in both directions; tests/unit/test_day_semantics.py and
tests/services/test_progress_hours.py sweep every hour in every zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import PERSONAS, Client
from tests.unit.test_day_semantics import ZONES, earlier, practice_day_of
from wellness.accounts.models import User
from wellness.lib.clock import FixedClock
from wellness.practice.charts.formatting import MONTHS

ORDINARY_DAY = date(2026, 12, 2)


def local(zone: str, day: date, at: time, *, fold: int = 0) -> datetime:
    """The instant a local time names (a skipped time: the one it would have named)."""
    naive = datetime.combine(day, at).replace(fold=fold)
    return naive.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC).astimezone(ZoneInfo(zone))


CASES = [
    *(local(ZONES[hour % len(ZONES)], ORDINARY_DAY, time(hour, 30)) for hour in range(24)),
    local("Asia/Tokyo", ORDINARY_DAY, time(2, 59)),
    local("Asia/Tokyo", ORDINARY_DAY, time(3, 0)),
    local("Pacific/Kiritimati", ORDINARY_DAY, time(0, 1)),
    local("Pacific/Pago_Pago", ORDINARY_DAY, time(2, 59)),
    # Spring forward: 02:00-03:00 does not exist; fall back: 01:00-02:00 happens twice.
    local("America/New_York", date(2026, 3, 8), time(1, 59)),
    local("America/New_York", date(2026, 3, 8), time(3, 0)),
    local("America/New_York", date(2026, 11, 1), time(1, 30)),
    local("America/New_York", date(2026, 11, 1), time(1, 30), fold=1),
    local("Europe/Berlin", date(2026, 3, 29), time(3, 30)),
    local("Europe/Berlin", date(2026, 10, 25), time(2, 30)),
    local("Europe/Berlin", date(2026, 10, 25), time(2, 30), fold=1),
]


@pytest.mark.parametrize("now", CASES, ids=lambda now: f"{now.tzinfo}-{now:%Y%m%dT%H%M%z}")
def test_ratings_appear_on_progress_at_once_whatever_the_local_hour(
    client: Client, personas: dict[str, User], clock: FixedClock, now: datetime
) -> None:
    patient = personas["patient"]
    client.run(lambda: User.filter(id=patient.id).update(time_zone=str(now.tzinfo)))
    clock.set(now)
    client.login_as(PERSONAS["patient"])

    checked_in = client.submit("/checkins", {"level": "5"})
    logged = client.post(
        "/api/v1/practice",
        json={
            "kind": "breathing",
            "started_at": earlier(now, minutes=20).isoformat(),
            "listened_seconds": 1200,
            "completed": True,
            "anxiety_before": 7,
            "anxiety_after": 4,
        },
    )
    page = client.get("/progress")
    streak = client.get("/api/v1/me/streak")

    assert (checked_in.status_code, logged.status_code, page.status_code) == (303, 201, 200)
    checkins = client.get("/api/v1/checkins").json()["items"]
    assert sorted(item["level"] for item in checkins) == [4, 5, 7]
    assert "No anxiety ratings" not in page.text
    started = earlier(now, minutes=20)
    assert f"Check-in {when(now)}: 5 out of 10" in page.text
    assert f"Session {when(started)}: 7 before, 4 after" in page.text
    assert "No GAD-7" in page.text  # none answered: the GAD-7 chart is empty, not missing
    assert streak.json()["today"] == practice_day_of(now).isoformat()
    assert streak.json()["current"] == 1
    assert streak.json()["practised_today"] is (practice_day_of(started) == practice_day_of(now))


def when(moment: datetime) -> str:
    """How the anxiety chart names a moment: its local date and wall-clock time."""
    return f"{moment.day} {MONTHS[moment.month - 1][:3]} {moment.year}, {moment:%H:%M}"
