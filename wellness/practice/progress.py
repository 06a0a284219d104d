"""Everything the progress page shows, gathered in a few narrow queries."""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import RawSQL
from tortoise.queryset import ValuesListQuery

from wellness.accounts.models import User
from wellness.catalog.kinds import Kind
from wellness.catalog.models import PracticeSession
from wellness.checkins import trends
from wellness.checkins.models import Checkin, Gad7Response
from wellness.checkins.scoring import CheckinContext
from wellness.practice import rules, streaks
from wellness.practice.models import PracticeLog
from wellness.practice.rules import Evidence
from wellness.practice.services import streak_policy
from wellness.settings import CarePolicy

# Tortoise's conversion of a datetime column, for what `_moment` does not handle itself.
_DATETIME = PracticeLog._meta.fields_map["started_at"]

CALENDAR_WEEKS = 26
MINUTES_WEEKS = 12


@dataclass(frozen=True, slots=True)
class Progress:
    streak: streaks.StreakSummary
    today: date
    start: date
    # The anxiety charts start at the first rating in the calendar's span (at least 4 weeks
    # back), so a new patient's few points are not squeezed against the right edge.
    ratings_start: date
    minutes_by_day: dict[date, int]
    checkins: list[tuple[datetime, int]]
    pairs: list[tuple[datetime, int, int]]
    gad7: list[tuple[date, int]]
    weekly: list[tuple[date, int]]
    by_session: list[tuple[str, float, int]]
    by_kind: list[tuple[str, float, int]]


@dataclass(frozen=True, slots=True)
class _Practice:
    id: int
    started_at: datetime
    session_id: int | None
    kind: Kind


async def progress_for(patient: User, *, policy: CarePolicy, now: datetime) -> Progress:
    zone = ZoneInfo(patient.time_zone)
    events, practices, minutes = await _practice(patient, policy)
    summary = streaks.compute_streak(
        events, now=now, time_zone=patient.time_zone, policy=streak_policy(policy)
    )
    start = summary.today - timedelta(weeks=CALENDAR_WEEKS)
    since = datetime.combine(start, datetime.min.time(), zone)
    quick, pairs, by_session, by_kind = await _ratings(patient, practices, since, zone)
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
        default=summary.today,
    )
    ratings_start = max(start, min(first_rating, summary.today - timedelta(weeks=4)))
    return Progress(
        streak=summary,
        today=summary.today,
        start=start,
        ratings_start=ratings_start,
        minutes_by_day=minutes,
        checkins=quick,
        pairs=pairs,
        gad7=gad7_days,
        weekly=trends.weekly_totals(minutes, today=summary.today, weeks=MINUTES_WEEKS),
        by_session=by_session,
        by_kind=by_kind,
    )


async def _practice(
    patient: User, policy: CarePolicy
) -> tuple[list[streaks.PracticeEvent], dict[int, _Practice], dict[date, int]]:
    rows = await _raw_rows(
        PracticeLog.filter(patient_id=patient.id).values_list(
            "id",
            "started_at",
            "listened_seconds",
            "duration_seconds",
            "completed",
            "evidence",
            "time_zone",
            "session_id",
            "kind",
        )
    )
    fraction, rollover = policy.completion_fraction, policy.day_rollover_hour
    zones: dict[str, ZoneInfo] = {}
    events: list[streaks.PracticeEvent] = []
    practices: dict[int, _Practice] = {}
    seconds: dict[int, int] = defaultdict(int)  # by the ordinal of the practice day
    for row_id, raw, listened, duration, completed, evidence, zone, session_id, kind in rows:
        started = _moment(raw)
        has_media = evidence == Evidence.OBSERVED_PLAYBACK or duration is not None
        counts = rules.counts_for_streak(
            has_media=has_media,
            completed=bool(completed),
            listened_seconds=listened,
            duration_seconds=duration,
            fraction=fraction,
        )
        # The event checks that `started` is aware and `zone` a known zone.
        events.append(streaks.PracticeEvent(started, listened / 60, counts, zone))
        practices[row_id] = _Practice(row_id, started, session_id, Kind(kind))
        # streaks.practice_day, without checking again what the event just checked.
        local_zone = zones.get(zone)
        if local_zone is None:
            local_zone = zones[zone] = ZoneInfo(zone)
        local = started.astimezone(local_zone)
        seconds[local.toordinal() - (local.hour < rollover)] += listened
    minutes = {date.fromordinal(day): round(total / 60) for day, total in seconds.items()}
    return events, practices, minutes


async def _ratings(
    patient: User, practices: dict[int, _Practice], since: datetime, zone: ZoneInfo
) -> tuple[
    list[tuple[datetime, int]],
    list[tuple[datetime, int, int]],
    list[tuple[str, float, int]],
    list[tuple[str, float, int]],
]:
    """Quick check-ins for the timeline, and before/after pairs for the timeline and for what
    helped (all pairs ever, so a long history still informs the averages)."""
    # Two narrow queries: parsing the times of every rating ever cost more than the rest.
    recent = (
        await Checkin.filter(
            patient_id=patient.id, context=CheckinContext.QUICK, occurred_at__gte=since
        )
        .annotate(occurred_raw=RawSQL('"occurred_at"'))  # parsed by _moment, as started_at
        .values_list("occurred_raw", "level")
    )
    quick = [(_moment(occurred_at).astimezone(zone), level) for occurred_at, level in recent]
    rated = await _raw_rows(
        Checkin.filter(patient_id=patient.id, practice_id__isnull=False)
        .exclude(context=CheckinContext.QUICK)
        .values_list("level", "context", "practice_id")
    )
    around: dict[int, dict[str, int]] = defaultdict(dict)
    for level, context, practice_id in rated:
        around[practice_id][str(context)] = level
    titles = await _titles({p.session_id for p in practices.values() if p.session_id})
    pairs: list[tuple[datetime, int, int]] = []
    by_session: list[tuple[str, int, int]] = []
    by_kind: list[tuple[str, int, int]] = []
    for practice_id, levels in around.items():
        before = levels.get(CheckinContext.BEFORE_SESSION.value)
        after = levels.get(CheckinContext.AFTER_SESSION.value)
        found = practices.get(practice_id)
        if before is None or after is None or found is None:
            continue
        if found.started_at >= since:
            pairs.append((found.started_at.astimezone(zone), before, after))
        by_kind.append((found.kind.label, before, after))
        if found.session_id in titles:
            by_session.append((titles[found.session_id], before, after))
    quick.sort()
    pairs.sort()
    return quick, pairs, trends.average_changes(by_session), trends.average_changes(by_kind)


async def _titles(session_ids: set[int | None]) -> dict[int, str]:
    if not session_ids:
        return {}
    rows = await PracticeSession.filter(id__in=session_ids).values_list("id", "title")
    return dict(rows)


async def _raw_rows(query: ValuesListQuery[Any]) -> list[Sequence[Any]]:
    """The rows of `query` as the database driver gives them (SQLite: text for times, 0/1 for
    booleans). Tortoise's conversion of every value cost more than the rest of the page for a
    few years of practice; the caller converts the few values that need it. The parameters are
    inlined into the SQL: only numbers and our own constants, never text from a request."""
    sql = query.sql(params_inline=True)
    _, rows = await query.model._meta.db.execute_query(sql)
    return list(rows)


def _moment(raw: Any) -> datetime:
    """A raw datetime column (`started_at`, `occurred_at`): SQLite's text parsed with
    `datetime.fromisoformat` (some 50 times faster than Tortoise's iso8601 parse),
    PostgreSQL's aware datetime as it is. Anything else (a naive value, text `fromisoformat`
    refuses) goes through Tortoise's own conversion."""
    moment = raw
    if isinstance(raw, str):
        with contextlib.suppress(ValueError):
            moment = datetime.fromisoformat(raw)
    if isinstance(moment, datetime) and moment.tzinfo is not None:
        return moment
    converted: datetime = _DATETIME.to_python_value(raw)
    return converted
