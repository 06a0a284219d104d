"""Everything the progress page shows, gathered in a few narrow queries, and kept per patient
between views while nothing it shows has changed.

What is kept, and under which key (each token read before the data kept under it):
1. The whole `Progress`, under the care data's and the catalog's change tokens (migrations 0011
   and 0005: every write to practice, check-ins, GAD-7 answers, a patient's zone, and session
   titles renews one of them, whoever writes), the patient's zone, the policy, and the day: the
   practice day and the calendar date of `now` in that zone, all the page reads of the clock. A
   repeat view reads the tokens and nothing else.
2. The practice part (every practice log read, the streak, the minutes per day and per week),
   under the patient's own practice change token (migration 0010), zone, policy and practice
   day: a write by anyone else in the clinic renews the care token, and the next view then
   reads only the ratings again, not five years of practice.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import RawSQL

from wellness.accounts.models import User
from wellness.catalog.services import session_titles
from wellness.checkins import trends
from wellness.checkins.models import Checkin, Gad7Response
from wellness.checkins.scoring import CheckinContext
from wellness.db import CARE_TOKEN, CATALOG_TOKEN, KeyedCache, change_tokens
from wellness.practice import history, streaks
from wellness.practice.services import streak_policy
from wellness.settings import CarePolicy

CALENDAR_WEEKS = 26
MINUTES_WEEKS = 12


@dataclass(frozen=True, slots=True)
class Progress:
    """Two kinds of time (README, "Check-ins, practice and streaks"): practice is counted by
    practice day (`today`, which begins at the rollover hour), while ratings are moments,
    shown up to `now` (so a rating at 01:30 is on the chart at once)."""

    streak: streaks.StreakSummary
    today: date  # the current practice day: the calendar, weekly minutes
    start: date  # the calendar's first practice day
    now: datetime  # this moment in the patient's zone: the anxiety and GAD-7 charts end here
    # The anxiety charts start at the first rating in the last 26 weeks (at least 4 weeks
    # back), so a new patient's few points are not squeezed against the right edge.
    ratings_start: date
    minutes_by_day: dict[date, int]
    checkins: list[tuple[datetime, int]]
    pairs: list[tuple[datetime, int, int]]
    gad7: list[tuple[date, int]]
    weekly: list[tuple[date, int]]
    by_session: list[tuple[str, float, int]]
    by_kind: list[tuple[str, float, int]]
    # What callers derive from these figures (the page's rendered charts) lives here, so it is
    # kept exactly as long as they are. Read-only apart from adding entries.
    derived: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def practised_in_weekly(self) -> bool:
        """Some practice day falls in the weeks of `weekly`, even if it rounds to no minute."""
        first = self.weekly[0][0] if self.weekly else self.today
        return any(first <= day <= self.today for day in self.streak.practice_days)


@dataclass(frozen=True, slots=True)
class _Practised:
    """What the page shows of the practice logs alone, and the logs the ratings pair with."""

    streak: streaks.StreakSummary
    practices: dict[int, history.PracticeRecord]
    minutes_by_day: dict[date, int]
    weekly: list[tuple[date, int]]


# Patients' progress (module docstring, 1) and practice parts (2), per database connection. A
# practice part holds a record per practice ever logged: five years of daily practice kept
# about 820 KiB (bench/progress.py's patient), and the charts' HTML kept with it about 150 KiB
# more; three months, a twentieth of that. So far fewer are kept than the caches' default: at
# most this many patients a worker, the cache emptied when full (about 0.5 GB at worst, were
# every one of them five years into daily practice).
KEPT_PATIENTS = 500
_kept: KeyedCache[Progress] = KeyedCache(limit=KEPT_PATIENTS)
_kept_practice: KeyedCache[_Practised] = KeyedCache(limit=KEPT_PATIENTS)


async def progress_for(patient: User, *, policy: CarePolicy, now: datetime) -> Progress:
    """The patient's progress as of `now`, kept (module docstring) while nothing it shows has
    changed: a kept one equals a fresh reading, its `now` this one."""
    practice, care, catalog = await change_tokens(  # read before the data
        f"{history.PRACTICE_TOKEN}{patient.id}", CARE_TOKEN, CATALOG_TOKEN
    )
    zone = ZoneInfo(patient.time_zone)
    local_now = now.astimezone(zone)
    today = streaks.practice_day(now, patient.time_zone, policy.day_rollover_hour)
    day: Hashable = (patient.time_zone, policy, today)

    async def compute() -> Progress:
        practised = await _kept_practice.kept_or(
            patient.id,
            (practice, day),
            lambda: _practised(patient, policy, now),
            keep=practice is not None,  # no practice yet: nothing worth keeping
        )
        return await _progress(patient, practised, local_now)

    found = await _kept.kept_or(
        patient.id,
        (care, catalog, day, local_now.date()),
        compute,
        keep=care is not None and catalog is not None,
    )
    return replace(found, now=local_now)


async def _practised(patient: User, policy: CarePolicy, now: datetime) -> _Practised:
    events, practices, minutes = await history.read_practice(patient.id, policy)
    summary = streaks.compute_streak(
        events, now=now, time_zone=patient.time_zone, policy=streak_policy(policy)
    )
    weekly = trends.weekly_totals(minutes, today=summary.today, weeks=MINUTES_WEEKS)
    return _Practised(summary, practices, minutes, weekly)


async def _progress(patient: User, practised: _Practised, local_now: datetime) -> Progress:
    zone = local_now.tzinfo
    assert isinstance(zone, ZoneInfo)
    summary = practised.streak
    start = summary.today - timedelta(weeks=CALENDAR_WEEKS)
    # Ratings by calendar date up to this moment: never the practice day, which lags the
    # calendar between midnight and the rollover hour.
    rated_through = local_now.date()
    since = datetime.combine(rated_through - timedelta(weeks=CALENDAR_WEEKS), time(), zone)
    quick, pairs, by_session, by_kind = await _ratings(patient, practised.practices, since, zone)
    gad7 = (
        await Gad7Response.filter(patient_id=patient.id, occurred_at__gte=since)
        .order_by("occurred_at")
        .values_list("occurred_at", "total")
    )
    gad7_days = [(moment.astimezone(zone).date(), total) for moment, total in gad7]
    first_rating = min(
        [moment.date() for moment, _ in quick]
        + [moment.date() for moment, _, _ in pairs]
        + [day for day, _ in gad7_days],
        default=rated_through,
    )
    ratings_start = max(since.date(), min(first_rating, rated_through - timedelta(weeks=4)))
    return Progress(
        streak=summary,
        today=summary.today,
        start=start,
        now=local_now,
        ratings_start=ratings_start,
        minutes_by_day=practised.minutes_by_day,
        checkins=quick,
        pairs=pairs,
        gad7=gad7_days,
        weekly=practised.weekly,
        by_session=by_session,
        by_kind=by_kind,
    )


async def _ratings(
    patient: User, practices: dict[int, history.PracticeRecord], since: datetime, zone: ZoneInfo
) -> tuple[
    list[tuple[datetime, int]],
    list[tuple[datetime, int, int]],
    list[tuple[str, float, int]],
    list[tuple[str, float, int]],
]:
    """Quick check-ins for the timeline, and before/after pairs for the timeline and for what
    helped (all pairs ever, so a long history still informs the averages). Every rating is
    plotted, but only completed practice says what helped: a session never played, or heard
    for half a minute, says nothing about what the session does."""
    # Two narrow queries: parsing the times of every rating ever cost more than the rest.
    recent = (
        await Checkin.filter(
            patient_id=patient.id, context=CheckinContext.QUICK, occurred_at__gte=since
        )
        .annotate(occurred_raw=RawSQL('"occurred_at"'))  # parsed by _moment, as started_at
        .values_list("occurred_raw", "level")
    )
    quick = [(history.moment(occurred_at).astimezone(zone), level) for occurred_at, level in recent]
    rated = await history.rated_before_and_after(patient.id)
    titles = await session_titles(p.session_id for p in practices.values())
    pairs: list[tuple[datetime, int, int]] = []
    by_session: list[tuple[str, int, int]] = []
    by_kind: list[tuple[str, int, int]] = []
    for practice_id, (before, after) in rated.items():
        found = practices.get(practice_id)
        if found is None:
            continue
        if found.started_at >= since:
            pairs.append((found.started_at.astimezone(zone), before, after))
        if not found.complete:
            continue
        by_kind.append((found.kind.label, before, after))
        if found.session_id in titles:
            by_session.append((titles[found.session_id], before, after))
    quick.sort()
    pairs.sort()
    return quick, pairs, trends.average_changes(by_session), trends.average_changes(by_kind)
