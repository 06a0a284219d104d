"""The therapist's dashboard: one row per patient on their current caseload.

The number of queries does not depend on the caseload's size: everything is read for all the
patients at once (tests/services/test_dashboard_queries.py counts them):

1. the caseload with, per patient, the latest check-in, the latest two GAD-7 totals, the open
   alerts, and the highest rating of the last 24 h (correlated subqueries, each an index seek);
2. per patient, the practice logs' count, newest id, last change and newest start: the last
   practice, and the key under which each patient's current streak is cached in this process;
3. only when some streak is not cached under its key: those patients' practice rows, in one
   narrow query, for `practice.streaks.compute_streak`;
4. this week's adherence and overdue assigned practice (`plan.adherence_for_many`, a fixed
   number of queries of its own).

A streak's key holds everything it depends on: the practice rows' count, newest id, newest
`updated_at` (every change to a practice log sets it) and summed listened seconds, the
patient's zone, today's practice day there and the clinic's streak policy.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise import connections

from wellness.accounts.roles import Role
from wellness.caseload import attention, plan
from wellness.caseload.attention import AttentionRules, Concern, Signals
from wellness.practice import rules as practice_rules
from wellness.practice import streaks
from wellness.practice.history import moment
from wellness.practice.rules import Evidence
from wellness.settings import CarePolicy

MAX_CACHED_STREAKS = 50_000


@dataclass(frozen=True, slots=True)
class DashboardRow:
    patient_id: int
    name: str
    time_zone: str
    streak: int
    checkin_level: int | None
    checkin_at: datetime | None
    gad7: int | None
    gad7_change: int | None
    open_alerts: int
    days_since_activity: int | None
    concerns: tuple[Concern, ...]
    # From the assignments' adherence; None while not known.
    week_done: int | None = None
    week_prescribed: int | None = None
    overdue: int | None = None

    @property
    def attention(self) -> tuple[int, int]:
        return attention.attention_key(self.concerns)


def attention_rules(policy: CarePolicy) -> AttentionRules:
    return AttentionRules(alert_level=policy.alert_level, rollover_hour=policy.day_rollover_hour)


async def dashboard_rows(
    therapist_id: int, *, policy: CarePolicy, now: datetime, name_filter: str = ""
) -> list[DashboardRow]:
    """The therapist's current caseload (active patients), "needs attention" first, then by
    name; `name_filter` keeps the patients whose name contains it (case-insensitive)."""
    rules = attention_rules(policy)
    patients = await _caseload(therapist_id, rules, now)
    needle = name_filter.casefold()
    if needle:
        patients = [row for row in patients if needle in str(row[1]).casefold()]
    if not patients:
        return []
    ids = [int(row[0]) for row in patients]
    practice = await _practice_summaries(ids)
    current = await _current_streaks(patients, practice, policy, now)
    adherence = await plan.adherence_for_many(ids, policy=policy, now=now)
    rows = [
        _row(
            patient,
            practice.get(int(patient[0])),
            current,
            adherence.get(int(patient[0])),
            rules,
            now,
        )
        for patient in patients
    ]
    rows.sort(key=lambda row: (row.attention, row.name.casefold(), row.patient_id))
    return rows


# --- reading ----------------------------------------------------------------------------------


class _Sql:
    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.params: list[Any] = []

    def param(self, value: Any) -> str:
        self.params.append(value)
        return f"${len(self.params)}" if self.dialect == "postgres" else "?"


def _connection_and_sql() -> tuple[Any, _Sql]:
    connection = connections.get("default")
    dialect = "postgres" if connection.capabilities.dialect == "postgres" else "sqlite"
    return connection, _Sql(dialect)


def _latest(table: str, column: str, offset: int = 0) -> str:
    return (
        f"(SELECT x.id FROM {table} x WHERE x.patient_id = u.id "  # noqa: S608
        f"ORDER BY x.{column} DESC, x.id DESC LIMIT 1 OFFSET {offset})"
    )


async def _caseload(therapist_id: int, rules: AttentionRules, now: datetime) -> list[Any]:
    connection, sql = _connection_and_sql()

    def recent() -> str:  # `?` placeholders bind in the order they appear in the text
        since, level = sql.param(now - rules.rating_window), sql.param(rules.alert_level)
        return f"h.patient_id = u.id AND h.occurred_at >= {since} AND h.level >= {level}"

    columns = (
        "u.id, u.display_name, u.time_zone, m.started_at, c.level, c.occurred_at, "  # noqa: S608
        "g1.total, g1.occurred_at, g2.total, "
        "(SELECT COUNT(*) FROM care_alerts a WHERE a.patient_id = u.id "
        "AND a.acknowledged_at IS NULL), "
        f"(SELECT MAX(h.level) FROM checkins h WHERE {recent()}), "
        f"(SELECT MAX(h.occurred_at) FROM checkins h WHERE {recent()})"
    )
    therapist, role = sql.param(therapist_id), sql.param(Role.PATIENT.value)
    query = (
        f"SELECT {columns} FROM care_team_members m JOIN users u ON u.id = m.patient_id "  # noqa: S608
        f"LEFT JOIN checkins c ON c.id = {_latest('checkins', 'occurred_at')} "
        f"LEFT JOIN gad7_responses g1 ON g1.id = {_latest('gad7_responses', 'occurred_at')} "
        f"LEFT JOIN gad7_responses g2 ON g2.id = {_latest('gad7_responses', 'occurred_at', 1)} "
        f"WHERE m.therapist_id = {therapist} AND m.ended_at IS NULL AND u.is_active "
        f"AND u.role = {role}"
    )
    _, rows = await connection.execute_query(query, sql.params)
    return list(rows)


@dataclass(frozen=True, slots=True)
class _Practice:
    key: Hashable  # changes whenever any of the patient's practice rows does
    last_started: datetime


async def _practice_summaries(ids: Sequence[int]) -> dict[int, _Practice]:
    connection, sql = _connection_and_sql()
    wanted = ", ".join(sql.param(patient_id) for patient_id in ids)
    _, rows = await connection.execute_query(
        "SELECT patient_id, COUNT(*), MAX(id), MAX(updated_at), SUM(listened_seconds), "  # noqa: S608
        f"MAX(started_at) FROM practice_logs WHERE patient_id IN ({wanted}) GROUP BY patient_id",
        sql.params,
    )
    return {
        int(row[0]): _Practice((int(row[1]), int(row[2]), str(row[3]), int(row[4])), moment(row[5]))
        for row in rows
    }


# Current streaks by patient id, with the key they were computed under (see the docstring),
# per database connection: a test's fresh database never sees another one's streaks.
_cache: weakref.WeakKeyDictionary[Any, dict[int, tuple[Hashable, int]]] = (
    weakref.WeakKeyDictionary()
)


def _streak_cache() -> dict[int, tuple[Hashable, int]]:
    connection = connections.get("default")
    cache = _cache.get(connection)
    if cache is None:
        cache = _cache[connection] = {}
    return cache


async def _current_streaks(
    patients: Sequence[Any], practice: dict[int, _Practice], policy: CarePolicy, now: datetime
) -> dict[int, int]:
    policy_key = (policy.day_rollover_hour, policy.rest_days_per_week, policy.completion_percent)
    keys: dict[int, Hashable] = {}
    current: dict[int, int] = {}
    cache = _streak_cache()
    for patient in patients:
        patient_id, zone = int(patient[0]), str(patient[2])
        summary = practice.get(patient_id)
        if summary is None:
            current[patient_id] = 0
            continue
        today = attention.local_day(now, zone, policy.day_rollover_hour)
        keys[patient_id] = (summary.key, zone, today, policy_key)
        cached = cache.get(patient_id)
        if cached is not None and cached[0] == keys[patient_id]:
            current[patient_id] = cached[1]
    stale = [patient_id for patient_id in keys if patient_id not in current]
    if stale:
        zones = {int(patient[0]): str(patient[2]) for patient in patients}
        streak_policy = streaks.StreakPolicy(
            rollover_hour=policy.day_rollover_hour, rest_days_per_week=policy.rest_days_per_week
        )
        events = await _practice_events(stale, policy)
        if len(cache) + len(stale) > MAX_CACHED_STREAKS:
            cache.clear()
        for patient_id in stale:
            streak = streaks.compute_streak(
                events[patient_id], now=now, time_zone=zones[patient_id], policy=streak_policy
            ).current
            current[patient_id] = streak
            cache[patient_id] = (keys[patient_id], streak)
    return current


async def _practice_events(
    ids: Sequence[int], policy: CarePolicy
) -> dict[int, list[streaks.PracticeEvent]]:
    """The streak events of these patients' practice, read in one narrow query."""
    connection, sql = _connection_and_sql()
    wanted = ", ".join(sql.param(patient_id) for patient_id in ids)
    _, rows = await connection.execute_query(
        "SELECT patient_id, started_at, listened_seconds, duration_seconds, completed, "  # noqa: S608
        f"evidence, time_zone FROM practice_logs WHERE patient_id IN ({wanted})",
        sql.params,
    )
    events: dict[int, list[streaks.PracticeEvent]] = defaultdict(list)
    fraction = policy.completion_fraction
    for patient_id, started, listened, duration, completed, evidence, zone in rows:
        counts = practice_rules.counts_as_complete(
            has_media=evidence == Evidence.OBSERVED_PLAYBACK or duration is not None,
            completed=bool(completed),
            listened_seconds=listened,
            duration_seconds=duration,
            fraction=fraction,
        )
        events[int(patient_id)].append(
            streaks.PracticeEvent(moment(started), listened / 60, counts, zone)
        )
    return events


# --- one row ----------------------------------------------------------------------------------


def _row(
    patient: Any,
    practice: _Practice | None,
    current: dict[int, int],
    adherence: plan.CaseloadAdherence | None,
    rules: AttentionRules,
    now: datetime,
) -> DashboardRow:
    (patient_id, name, zone, since, level, level_at, gad7, gad7_at, gad7_before) = patient[:9]
    alerts, peak, peak_at = patient[9:12]
    checkin_at = moment(level_at) if level_at is not None else None
    gad7_moment = moment(gad7_at) if gad7_at is not None else None
    moments = [m for m in (checkin_at, gad7_moment, practice and practice.last_started) if m]
    last_activity = max(moments, default=None)
    signals = Signals(
        time_zone=str(zone),
        on_caseload_since=moment(since),
        open_alerts=int(alerts),
        peak_recent_rating=None if peak is None else int(peak),
        peak_recent_rating_at=None if peak_at is None else moment(peak_at),
        gad7_latest=gad7,
        gad7_previous=gad7_before,
        last_activity=last_activity,
        overdue=adherence.overdue if adherence else None,
    )
    return DashboardRow(
        patient_id=int(patient_id),
        name=str(name),
        time_zone=str(zone),
        streak=current.get(int(patient_id), 0),
        checkin_level=level,
        checkin_at=checkin_at,
        gad7=gad7,
        gad7_change=attention.gad7_change(gad7, gad7_before),
        open_alerts=int(alerts),
        days_since_activity=attention.days_since(
            last_activity, now=now, time_zone=str(zone), rollover=rules.rollover_hour
        ),
        concerns=attention.concerns(signals, now=now, rules=rules),
        week_done=adherence.week_done if adherence else None,
        week_prescribed=adherence.week_prescribed if adherence else None,
        overdue=adherence.overdue if adherence else None,
    )


def checkin_age(row: DashboardRow, now: datetime) -> timedelta | None:
    return None if row.checkin_at is None else max(timedelta(0), now - row.checkin_at)
