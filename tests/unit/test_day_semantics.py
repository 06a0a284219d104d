"""Ratings are moments; practice days are practice days (they begin at the rollover hour).

The same scenario at every local hour of a day, at the minutes around the 03:00 rollover, in
zones east and west of UTC, and on the days the clocks change in both directions: a rating
made now is on the rating charts at once, practice now counts for the current practice day,
and the GAD-7 falls due by elapsed time, whatever the hour.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from wellness.checkins import scoring, trends
from wellness.practice import charts, streaks

ROLLOVER = 3
ZONES = (
    "Asia/Tokyo",  # UTC+9
    "Pacific/Kiritimati",  # UTC+14: the local date runs a day ahead of UTC for ten hours
    "America/Los_Angeles",  # UTC-8/-7
    "Pacific/Pago_Pago",  # UTC-11: behind UTC's date for eleven hours
    "Europe/Berlin",  # UTC+1/+2
    "America/New_York",  # UTC-5/-4
)
# An ordinary day, and the days the clocks change (spring forward, fall back) where they do.
DAYS = {
    "Asia/Tokyo": (date(2026, 12, 2),),
    "Pacific/Kiritimati": (date(2026, 12, 2),),
    "America/Los_Angeles": (date(2026, 12, 2), date(2026, 3, 8), date(2026, 11, 1)),
    "Pacific/Pago_Pago": (date(2026, 12, 2),),
    "Europe/Berlin": (date(2026, 12, 2), date(2026, 3, 29), date(2026, 10, 25)),
    "America/New_York": (date(2026, 12, 2), date(2026, 3, 8), date(2026, 11, 1)),
}
# Every hour, and the minutes either side of the rollover and of midnight.
TIMES = (
    *(time(hour, 30) for hour in range(24)),
    time(0, 0),
    time(2, 59),
    time(3, 0),
    time(3, 1),
    time(23, 59),
)


def moments(zone_name: str) -> Iterator[datetime]:
    """Each chosen local time of each chosen day, as an instant seen in the zone. A time the
    clocks skip (02:30 on a spring-forward day) is the instant it would have named, which the
    zone shows an hour later; a repeated time (fall back) is its first occurrence."""
    zone = ZoneInfo(zone_name)
    for day in DAYS[zone_name]:
        for clock_time in TIMES:
            naive = datetime.combine(day, clock_time)
            yield naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
    # Both occurrences of the repeated hour on a fall-back day.
    for day in DAYS[zone_name][2:]:
        for minute in (0, 30, 59):
            first = datetime.combine(day, time(1, minute), zone)
            yield first.replace(fold=1).astimezone(UTC).astimezone(zone)


CASES = [
    pytest.param(zone, moment, id=f"{zone}-{moment:%Y%m%dT%H%M%z}")
    for zone in ZONES
    for moment in moments(zone)
]


def earlier(now: datetime, **delta: float) -> datetime:
    """`delta` before the instant `now`, in `now`'s zone. (Subtracting from an aware local
    datetime directly moves its wall clock, which is wrong across a DST change.)"""
    return (now.astimezone(UTC) - timedelta(**delta)).astimezone(now.tzinfo)


def practice_day_of(local: datetime) -> date:
    return local.date() - timedelta(days=1) if local.hour < ROLLOVER else local.date()


@pytest.mark.parametrize(("zone", "now"), CASES)
def test_a_rating_made_now_is_on_the_rating_charts_at_any_hour(zone: str, now: datetime) -> None:
    a_minute_ago = earlier(now, minutes=1)
    start = now.date() - timedelta(weeks=4)

    timeline = charts.anxiety_timeline(
        [(a_minute_ago, 7), (now, 6)], [(a_minute_ago, 8, 4)], start=start, now=now
    )
    gad7 = charts.gad7_chart([(now.date(), 12)], start=start, now=now)

    assert not timeline.is_empty
    assert len(timeline.checkins) == 2
    assert len(timeline.pairs) == 1
    assert f"{now.hour:02}:{now.minute:02}: 6 out of 10" in timeline.checkins[-1].label
    assert len(gad7.points) == 1


@pytest.mark.parametrize(("zone", "now"), CASES)
def test_practice_now_counts_for_the_practice_day_at_any_hour(zone: str, now: datetime) -> None:
    started = earlier(now, minutes=10)
    practised = streaks.PracticeEvent(started, 10, counts=True)

    summary = streaks.compute_streak(
        [practised], now=now, time_zone=zone, policy=streaks.StreakPolicy(rollover_hour=ROLLOVER)
    )
    weekly = trends.weekly_totals({summary.today: 10}, today=summary.today, weeks=2)
    calendar = charts.calendar_heatmap(
        {summary.today: 10}, summary.practice_days, today=summary.today
    )

    assert summary.today == practice_day_of(now)
    assert summary.practised_today is (practice_day_of(started) == summary.today)
    assert summary.current == 1
    assert weekly[-1][1] == 10
    assert calendar.cells[-1].day == summary.today


@pytest.mark.parametrize(("zone", "now"), CASES)
def test_the_gad7_falls_due_by_elapsed_time_not_by_the_date(zone: str, now: datetime) -> None:
    last = earlier(now, days=14)

    assert scoring.gad7_due(last, now=now, interval_days=14)
    assert not scoring.gad7_due(earlier(last, minutes=-1), now=now, interval_days=14)


@pytest.mark.parametrize(("zone", "now"), CASES)
def test_back_dating_is_measured_from_now_not_from_a_day(zone: str, now: datetime) -> None:
    oldest = earlier(now, days=14)

    assert scoring.clean_moment("at", oldest, now=now, backdate_days=14) == oldest
    assert scoring.clean_moment("at", earlier(now, minutes=-5), now=now, backdate_days=14)
    with pytest.raises(ValueError, match="back-dated"):
        scoring.clean_moment("at", earlier(oldest, seconds=1), now=now, backdate_days=14)
    with pytest.raises(ValueError, match="future"):
        scoring.clean_moment("at", earlier(now, minutes=-6), now=now, backdate_days=14)


def test_between_midnight_and_the_rollover_the_practice_day_is_yesterday() -> None:
    """The case issue 8 found: 02:30 in Tokyo is 17:30 UTC the day before."""
    now = datetime(2026, 12, 2, 2, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    summary = streaks.compute_streak([], now=now, time_zone="Asia/Tokyo")

    timeline = charts.anxiety_timeline([(now, 4)], [], start=date(2026, 11, 4), now=now)

    assert summary.today == date(2026, 12, 1)
    assert len(timeline.checkins) == 1
    assert "2 Dec 2026" in timeline.summary
