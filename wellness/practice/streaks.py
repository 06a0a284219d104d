"""Practice streaks from practice events. Pure: standard library only, no I/O, no wall clock.

The rules (clinical notes, "Streak semantics"):

1. Practice day. An event belongs to the local day on which it *started*, in the IANA zone the
   patient had when practising (`PracticeEvent.time_zone`, else the zone given to
   `compute_streak`), so moving zone never rewrites past days. A new practice day begins at the
   first local moment whose wall-clock hour is at or after `rollover_hour` (default 03:00): a
   session starting at 00:30 belongs to the evening before. Across DST changes this is still
   the wall-clock hour: when the rollover hour is skipped (spring forward) the day begins at the
   first hour after it; when it is repeated (fall back) it begins at its first occurrence.
2. Counted day. A day counts when at least one of its events has `counts=True`. Events that are
   equal in every field (replayed submissions) are taken once; several practices on one day
   count as one day. Every distinct event adds its minutes, counted or not: a day's minutes are
   rounded once by `lib.durations.whole_minutes` and the total is the sum of the days, the same
   figures the practice calendar and the minutes per week add up.
3. Rest days (`rest_days_per_week = N`, clinic policy). Weeks are ISO weeks, Monday to Sunday.
   In each week, the first N days without counted practice, in calendar order, are rest days;
   any further day without practice in that week is a missed day. A rest day neither breaks
   nor extends a streak (it is not counted in it); a missed day breaks it. The allowance is the
   calendar week's, whether or not a streak was running on the skipped day: with N = 1, a
   patient who skips Monday and Thursday has a streak broken on Thursday. Because a day's kind
   depends only on earlier days of its week, a later miss never changes an earlier day, and
   adding a practice day never turns a rest day into a missed one.
4. Streaks. A streak is a maximal run of practice and rest days without a missed day, counted
   as its practice days; it starts and ends on a practice day. `history` holds every streak,
   newest first; they are never wiped.
5. Today is not required until it ends. The current streak is the newest streak when every day
   after its last practice day, up to and including yesterday, is a rest day; otherwise it is 0.
   Today counts as soon as it has practice, and is never a missed day while it lasts.
6. Days after today (clock skew) are ignored entirely. Anxiety plays no part: there is no
   anxiety input.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wellness.lib.durations import whole_minutes

MILESTONES = (3, 7, 14, 30, 60, 90, 180, 365)

_NUMBERS = (int, float)
_INF = math.inf
# A gap of 13 or more days without practice always holds a whole ISO week (7 days > 6 rest days).
_ALWAYS_BREAKS = 13

_MESSAGES = {
    3: "Three days of practice. A good start: keep it gentle.",
    7: "A whole week of practice. Well done for showing up for yourself.",
    14: "Two weeks of practice. This is becoming part of your days.",
    30: "Thirty days of practice. That is real commitment to your recovery.",
    60: "Sixty days of practice. Look how far you have come.",
    90: "Ninety days of practice. A steady habit, built one day at a time.",
    180: "Half a year of practice. Thank you for keeping this time for yourself.",
    365: "A full year of practice. Every one of those days mattered.",
}


@dataclass(frozen=True, slots=True)
class StreakPolicy:
    rollover_hour: int = 3  # local hour at which a new practice day begins (0-23)
    rest_days_per_week: int = 0  # per ISO week; see rule 3 in the module docstring (0-6)

    def __post_init__(self) -> None:
        if isinstance(self.rollover_hour, bool) or self.rollover_hour not in range(24):
            raise ValueError(f"rollover_hour must be an hour 0-23, got {self.rollover_hour!r}")
        if isinstance(self.rest_days_per_week, bool) or self.rest_days_per_week not in range(7):
            raise ValueError(
                f"rest_days_per_week must be 0-6, got {self.rest_days_per_week!r}",
            )


@dataclass(frozen=True, slots=True)
class PracticeEvent:
    started_at: datetime  # aware; UTC in storage
    minutes: float  # minutes practised (listened time or logged minutes)
    counts: bool  # reached completion -> the day counts for the streak
    time_zone: str | None = None  # the patient's zone then; None -> compute_streak's zone

    def __post_init__(self) -> None:
        # Kept cheap: a patient's whole history is built from rows on every streak page.
        _require_aware(self.started_at, "started_at")
        minutes = self.minutes
        if (
            minutes.__class__ is bool
            or not isinstance(minutes, _NUMBERS)
            or not 0 <= minutes < _INF
        ):
            raise ValueError(f"minutes must be a finite number 0 or more, got {minutes!r}")
        if self.time_zone is not None:
            _zone(self.time_zone)


@dataclass(frozen=True, slots=True)
class StreakPeriod:
    start: date  # first practice day
    end: date  # last practice day
    days: int  # practice days in it (rest days not counted)


@dataclass(frozen=True, slots=True)
class StreakSummary:
    current: int
    longest: int
    total_days: int  # distinct counted practice days
    total_minutes: int  # each day's minutes of distinct events, rounded, summed (rule 2)
    days_last_7: int  # counted days among the 7 local days ending today
    days_last_30: int
    practised_today: bool
    today: date  # the patient's current practice day
    current_period: StreakPeriod | None
    history: tuple[StreakPeriod, ...]  # every streak, newest first (the current one included)
    milestone: int | None  # the highest milestone the current streak has reached
    next_milestone: int | None
    practice_days: frozenset[date]  # counted days, for the calendar heatmap


def practice_day(moment: datetime, time_zone: str, rollover_hour: int) -> date:
    """The local practice day `moment` falls on in `time_zone` (rule 1)."""
    _require_aware(moment, "moment")
    if isinstance(rollover_hour, bool) or rollover_hour not in range(24):
        raise ValueError(f"rollover_hour must be an hour 0-23, got {rollover_hour!r}")
    local = moment.astimezone(_zone(time_zone))
    return date.fromordinal(local.toordinal() - (local.hour < rollover_hour))


def compute_streak(
    events: Iterable[PracticeEvent],
    *,
    now: datetime,
    time_zone: str,
    policy: StreakPolicy = StreakPolicy(),
) -> StreakSummary:
    """Streak figures as of `now` for a patient whose current zone is `time_zone`."""
    rollover = policy.rollover_hour
    today = practice_day(now, time_zone, rollover).toordinal()
    zones: dict[str | None, ZoneInfo] = {None: _zone(time_zone)}
    seen: set[tuple[datetime, float, bool, str | None]] = set()
    counted: set[int] = set()
    minutes: defaultdict[int, list[float]] = defaultdict(list)  # by practice day
    for event in events:
        key = (event.started_at, event.minutes, event.counts, event.time_zone)
        if key in seen:
            continue
        seen.add(key)
        zone = zones.get(event.time_zone)
        if zone is None:
            zone = zones[event.time_zone] = _zone(event.time_zone or time_zone)
        local = event.started_at.astimezone(zone)
        day = local.toordinal() - (local.hour < rollover)
        if day > today:
            continue
        minutes[day].append(event.minutes)
        if event.counts:
            counted.add(day)

    history, running = _walk(sorted(counted), today, policy.rest_days_per_week)
    current_period = history[0] if running else None
    current = current_period.days if current_period else 0
    return StreakSummary(
        current=current,
        longest=max((period.days for period in history), default=0),
        total_days=len(counted),
        total_minutes=_total_minutes(minutes.values()),
        days_last_7=sum(1 for day in range(today - 6, today + 1) if day in counted),
        days_last_30=sum(1 for day in range(today - 29, today + 1) if day in counted),
        practised_today=today in counted,
        today=date.fromordinal(today),
        current_period=current_period,
        history=history,
        milestone=max((m for m in MILESTONES if m <= current), default=None),
        next_milestone=min((m for m in MILESTONES if m > current), default=None),
        practice_days=frozenset(map(date.fromordinal, counted)),
    )


def _total_minutes(days: Iterable[list[float]]) -> int:
    # fsum is exact, so the order of a day's events never changes its rounding.
    return sum(whole_minutes(math.fsum(day) * 60) for day in days)


def milestone_message(days: int) -> str | None:
    """An encouraging line for a streak of exactly `days` practice days, if that is a milestone."""
    return _MESSAGES.get(days)


# --- internals: days are proleptic ordinals; ordinal 1 (0001-01-01) is a Monday -----------------


def _week(day: int) -> int:
    return (day - 1) // 7


class _Week:
    """Counts the days without practice in the ISO week being walked, in calendar order."""

    __slots__ = ("allowed", "index", "skipped")

    def __init__(self, first_practice_day: int, allowed: int) -> None:
        # Every day of the first week before the first practice day is a day without practice.
        self.index = _week(first_practice_day)
        self.skipped = (first_practice_day - 1) % 7
        self.allowed = allowed

    def any_missed(self, start: int, stop: int) -> bool:
        """Walk the days without practice in [start, stop); True when one of them is missed."""
        if stop - start >= _ALWAYS_BREAKS:
            self.index, self.skipped = _week(stop), (stop - 1) % 7
            return True
        missed = False
        for day in range(start, stop):
            week = _week(day)
            if week != self.index:
                self.index, self.skipped = week, 0
            self.skipped += 1
            missed = missed or self.skipped > self.allowed
        return missed


def _walk(
    days: list[int], today: int, rest_days_per_week: int
) -> tuple[tuple[StreakPeriod, ...], bool]:
    """Every streak, newest first, and whether the newest one is still running (rules 3-5)."""
    if not days:
        return (), False
    week = _Week(days[0], rest_days_per_week)
    periods: list[StreakPeriod] = []
    start = previous = days[0]
    count = 1
    for day in days[1:]:
        if day > previous + 1 and week.any_missed(previous + 1, day):
            periods.append(_period(start, previous, count))
            start, count = day, 0
        previous = day
        count += 1
    periods.append(_period(start, previous, count))
    periods.reverse()
    # Today is never missed while it lasts, so only the days up to yesterday can end the streak.
    running = previous >= today - 1 or not week.any_missed(previous + 1, today)
    return tuple(periods), running


def _period(start: int, end: int, days: int) -> StreakPeriod:
    return StreakPeriod(date.fromordinal(start), date.fromordinal(end), days)


def _require_aware(moment: datetime, name: str) -> None:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {moment!r}")


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    """ZoneInfo for an IANA name; ValueError naming it when it is not a known zone."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"unknown time zone: {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown time zone: {name!r}") from None
