"""Why a patient on a therapist's caseload needs attention now. Pure: standard library only,
`now` is always an argument.

The reasons, most urgent first (issue 10, "Needs attention first"):

1. an open (unacknowledged) alert;
2. a rating at or above the clinic's alert level within the last 24 hours (any SUDS rating:
   quick, before or after a session), whether or not its alert was acknowledged since;
3. the latest GAD-7 total at least 5 points above the one before it;
4. nothing logged (practice, rating or GAD-7) for 3 practice days: the patient's local days,
   in their current zone, starting at the clinic's rollover hour like streaks do. A patient who
   never logged anything counts from the day they joined this caseload;
5. assigned practices overdue.

Anxiety never costs a streak and a streak never raises a reason: distress shows here only as
what the care team should look at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import IntEnum
from functools import lru_cache
from zoneinfo import ZoneInfo


class Reason(IntEnum):
    """A reason to look at a patient first; the lower the value, the more urgent."""

    OPEN_ALERT = 1
    HIGH_RATING = 2
    GAD7_RISING = 3
    NOTHING_LOGGED = 4
    OVERDUE = 5

    @property
    def label(self) -> str:
        return {
            Reason.OPEN_ALERT: "Open alert",
            Reason.HIGH_RATING: "High rating in the last 24 h",
            Reason.GAD7_RISING: "GAD-7 rising",
            Reason.NOTHING_LOGGED: "Nothing logged",
            Reason.OVERDUE: "Assignments overdue",
        }[self]


@dataclass(frozen=True, slots=True)
class AttentionRules:
    alert_level: int = 8  # the clinic's SUDS alert level (CarePolicy.alert_level)
    rating_window: timedelta = timedelta(hours=24)
    gad7_rise: int = 5
    quiet_days: int = 3
    rollover_hour: int = 3  # CarePolicy.day_rollover_hour

    def __post_init__(self) -> None:
        if self.rollover_hour not in range(24):
            raise ValueError(f"rollover_hour must be an hour 0-23, got {self.rollover_hour!r}")
        if self.quiet_days < 1 or self.gad7_rise < 1:
            raise ValueError("quiet_days and gad7_rise must be 1 or more")


@dataclass(frozen=True, slots=True)
class Signals:
    """What is known about one patient, as plain data (aware datetimes)."""

    time_zone: str
    on_caseload_since: datetime
    open_alerts: int = 0
    # The highest rating at or after `now - rating_window`, and when the latest of those was.
    peak_recent_rating: int | None = None
    peak_recent_rating_at: datetime | None = None
    gad7_latest: int | None = None
    gad7_previous: int | None = None
    last_activity: datetime | None = None  # latest practice, rating or GAD-7
    overdue: int | None = None  # None: adherence not known


@dataclass(frozen=True, slots=True)
class Concern:
    reason: Reason
    text: str  # plain words for the table, e.g. "Rated 9/10 in the last 24 h"


def local_day(moment: datetime, time_zone: str, rollover_hour: int) -> date:
    """The practice day `moment` falls on in `time_zone` (as `practice.streaks.practice_day`)."""
    local = moment.astimezone(_zone(time_zone))
    return date.fromordinal(local.toordinal() - (local.hour < rollover_hour))


def days_since(
    moment: datetime | None, *, now: datetime, time_zone: str, rollover: int
) -> int | None:
    """Whole practice days from `moment`'s day to today's (0 on the same day); None without one.
    A moment after now (clock skew) counts as today."""
    if moment is None:
        return None
    today = local_day(now, time_zone, rollover).toordinal()
    return max(0, today - local_day(moment, time_zone, rollover).toordinal())


def gad7_change(latest: int | None, previous: int | None) -> int | None:
    if latest is None or previous is None:
        return None
    return latest - previous


def concerns(signals: Signals, *, now: datetime, rules: AttentionRules) -> tuple[Concern, ...]:
    """Every reason that applies, most urgent first."""
    found: list[Concern] = []
    if signals.open_alerts > 0:
        plural = "s" if signals.open_alerts != 1 else ""
        found.append(Concern(Reason.OPEN_ALERT, f"{signals.open_alerts} open alert{plural}"))
    peak, peak_at = signals.peak_recent_rating, signals.peak_recent_rating_at
    if (
        peak is not None
        and peak_at is not None
        and peak >= rules.alert_level
        and now - rules.rating_window <= peak_at
    ):
        found.append(Concern(Reason.HIGH_RATING, f"Rated {peak}/10 in the last 24 h"))
    change = gad7_change(signals.gad7_latest, signals.gad7_previous)
    if change is not None and change >= rules.gad7_rise:
        found.append(Concern(Reason.GAD7_RISING, f"GAD-7 up {change} to {signals.gad7_latest}"))
    quiet = _quiet_days(signals, now=now, rules=rules)
    if quiet is not None and quiet >= rules.quiet_days:
        what = "for" if signals.last_activity is not None else "since joining,"
        found.append(Concern(Reason.NOTHING_LOGGED, f"Nothing logged {what} {quiet} days"))
    if signals.overdue:
        found.append(Concern(Reason.OVERDUE, f"{signals.overdue} overdue"))
    return tuple(found)


def attention_key(found: Sequence[Concern]) -> tuple[int, int]:
    """Sorts patients with concerns first, the most urgent reason first, then by how many."""
    if not found:
        return (len(Reason) + 1, 0)
    return (min(concern.reason for concern in found), -len(found))


def _quiet_days(signals: Signals, *, now: datetime, rules: AttentionRules) -> int | None:
    since = signals.last_activity or signals.on_caseload_since
    return days_since(since, now=now, time_zone=signals.time_zone, rollover=rules.rollover_hour)


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)
