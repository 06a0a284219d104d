"""Reading a patient's practice history fast: narrow queries read as the driver returns them.

Tortoise converts every value of every row (SQLite datetimes through iso8601 at ~19 µs each);
for years of daily practice that cost more than the rest of a page. These helpers convert only
what is used, with the standard library.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.functions import Max
from tortoise.queryset import ValuesListQuery

from wellness.checkins.models import Checkin
from wellness.checkins.scoring import CheckinContext, side_of_practice
from wellness.lib.durations import whole_minutes
from wellness.practice import rules, streaks
from wellness.practice.models import PracticeLog
from wellness.practice.rules import PracticeKind
from wellness.settings import CarePolicy

# instance_flags['practice:<patient id>']: a new random value with every insert, update or
# delete of that patient's practice logs, set by database triggers (migration 0010).
PRACTICE_TOKEN = "practice:"  # noqa: S105  (a row name, not a secret)

# Tortoise's conversion of a datetime column, for what `moment` does not handle itself.
_DATETIME = PracticeLog._meta.fields_map["started_at"]

# What a practice's completion and day are judged from, in the order the readers unpack them
# (after the log's id, and for a caseload its patient's).
PRACTICE_COLUMNS = (
    "started_at",
    "listened_seconds",
    "duration_seconds",
    "completed",
    "evidence",
    "time_zone",
    "session_id",
    "kind",
)


@dataclass(frozen=True, slots=True)
class PracticeRecord:
    id: int
    started_at: datetime
    session_id: int | None
    kind: PracticeKind
    # By the completion rule, judged from the stored seconds now (rules.counts_as_complete).
    complete: bool


async def read_practice(
    patient_id: int, policy: CarePolicy
) -> tuple[list[streaks.PracticeEvent], dict[int, PracticeRecord], dict[date, int]]:
    """Every practice of a patient, as streak events, as records by id, and as minutes per
    local practice day, from one narrow query."""
    rows = await raw_rows(
        PracticeLog.filter(patient_id=patient_id).values_list("id", *PRACTICE_COLUMNS)
    )
    fraction, rollover = policy.completion_fraction, policy.day_rollover_hour
    zones: dict[str, ZoneInfo] = {}
    events: list[streaks.PracticeEvent] = []
    practices: dict[int, PracticeRecord] = {}
    seconds: dict[int, int] = defaultdict(int)  # by the ordinal of the practice day
    # Rows equal in every field the streak reads are one replayed practice: the streak takes
    # it once (streaks.py, rule 2), so the calendar and the weekly minutes do too.
    replayed: set[tuple[datetime, int, bool, str]] = set()
    for row_id, raw, listened, duration, completed, evidence, zone, session_id, kind in rows:
        started = moment(raw)
        counts = rules.log_counts_as_complete(
            evidence, bool(completed), listened, duration, fraction
        )
        # The event checks that `started` is aware and `zone` a known zone.
        events.append(streaks.PracticeEvent(started, listened / 60, counts, zone))
        practices[row_id] = PracticeRecord(row_id, started, session_id, PracticeKind(kind), counts)
        if (started, listened, counts, zone) in replayed:
            continue
        replayed.add((started, listened, counts, zone))
        # streaks.practice_day, without checking again what the event just checked.
        local_zone = zones.get(zone)
        if local_zone is None:
            local_zone = zones[zone] = ZoneInfo(zone)
        local = started.astimezone(local_zone)
        seconds[local.toordinal() - (local.hour < rollover)] += listened
    minutes = {date.fromordinal(day): whole_minutes(total) for day, total in seconds.items()}
    return events, practices, minutes


async def rated_before_and_after(patient_id: int) -> dict[int, tuple[int, int]]:
    """practice id -> (before, after), for each of the patient's practices rated both before
    and after it (a quick check-in it took counts on its side; the first rating of a side wins),
    read in one narrow query."""
    rows = await raw_rows(
        Checkin.filter(patient_id=patient_id, practice_id__isnull=False)
        .order_by("id")
        .values_list("level", "context", "practice_id")
    )
    around: dict[int, dict[CheckinContext, int]] = defaultdict(dict)
    for level, context, practice_id in rows:
        around[practice_id].setdefault(side_of_practice(context), level)
    return {
        practice_id: (sides[CheckinContext.BEFORE_SESSION], sides[CheckinContext.AFTER_SESSION])
        for practice_id, sides in around.items()
        if len(sides) == 2
    }


async def completed_sessions(
    patient_id: int, session_ids: Sequence[int], policy: CarePolicy
) -> set[int]:
    """Which of these catalog sessions the patient has completed at least once, by the one
    completion rule (`rules.log_counts_as_complete`), from one narrow query."""
    found = await practice_of_sessions(patient_id, session_ids, policy)
    return {session_id for session_id, practice in found.items() if practice.completed}


@dataclass(frozen=True, slots=True)
class SessionPractice:
    """A patient's practice of one catalog session: completed at least once (by the completion
    rule), and when they last started it, finished or not."""

    completed: bool
    last_started_at: datetime


async def practice_of_sessions(
    patient_id: int, session_ids: Sequence[int], policy: CarePolicy
) -> dict[int, SessionPractice]:
    """session id -> the patient's practice of it, for those of these they ever started, from
    one query that groups the practice by what the completion rule reads."""
    fraction = policy.completion_fraction
    found: dict[int, SessionPractice] = {}
    for session_id, evidence, completed, listened, duration, raw in await _practice_of(
        patient_id, session_ids
    ):
        started = moment(raw)
        counts = rules.log_counts_as_complete(
            evidence, bool(completed), listened, duration, fraction
        )
        before = found.get(int(session_id))
        if before is not None:
            counts = counts or before.completed
            started = max(started, before.last_started_at)
        found[int(session_id)] = SessionPractice(counts, started)
    return found


async def _practice_of(patient_id: int, session_ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """(session id, evidence, completed, most seconds listened, duration, latest start) of the
    patient's practice of these sessions, a row per group of practices the completion rule
    cannot tell apart but by the seconds listened. The rule is monotone in those (more seconds
    never undo a completion: tests/unit/test_practice_rules.py), so a group's most seconds
    decide whether any of its practices counts. Two years of practice of a collection's
    sessions are a few rows rather than hundreds, each parsed and judged (bench/home.py)."""
    if not session_ids:
        return []
    # Few rows: Tortoise's own conversion (and its column order) costs nothing here.
    rows: list[tuple[Any, ...]] = await (
        PracticeLog.filter(patient_id=patient_id, session_id__in=sorted(set(session_ids)))
        .annotate(most_listened=Max("listened_seconds"), latest_start=Max("started_at"))
        .group_by("session_id", "evidence", "completed", "duration_seconds")
        .values_list(
            "session_id",
            "evidence",
            "completed",
            "most_listened",
            "duration_seconds",
            "latest_start",
        )
    )
    return rows


async def raw_rows(query: ValuesListQuery[Any]) -> list[Sequence[Any]]:
    """The rows of `query` as the database driver gives them (SQLite: text for times, 0/1 for
    booleans). Tortoise's conversion of every value cost more than the rest of the page for a
    few years of practice; the caller converts the few values that need it. The parameters are
    inlined into the SQL: only numbers and our own constants, never text from a request."""
    sql = query.sql(params_inline=True)
    _, rows = await query.model._meta.db.execute_query(sql)
    return list(rows)


def moment(raw: Any) -> datetime:
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
