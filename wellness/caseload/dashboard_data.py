"""What the dashboard reads, for a whole caseload at once, and what it keeps between requests.

Every read takes all the patients in one query, so their number never changes the query count.
Two results are kept per process (per database connection), each under a key that holds
everything it depends on, read cheaply on every request:

- a patient's current streak: keyed by their practice change token (a new random value in
  instance_flags with every insert, update or delete of one of their practice logs, set by
  database triggers: migration 0010), their zone, today's practice day there and the clinic's
  streak policy;
- a patient's adherence (`plan.adherence_for_many`): keyed by the same practice key, their
  assignments' key (`assignments.change_keys`: counts and newest ids of their assignments,
  versions and pauses), the catalog's change token (session lengths and titles), their zone,
  today and the policy.

A patient whose key changed is computed again; only those patients are read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from wellness.accounts.roles import Role
from wellness.caseload import assignments, attention, plan
from wellness.caseload.attention import AttentionRules
from wellness.caseload.kept import MAX_CACHED, KeyedCache
from wellness.checkins.scoring import CheckinContext
from wellness.db import raw_query
from wellness.practice import rules as practice_rules
from wellness.practice import streaks
from wellness.practice.history import PRACTICE_TOKEN, moment
from wellness.practice.services import streak_policy
from wellness.settings import CarePolicy

_streaks: KeyedCache[int] = KeyedCache()
_adherence: KeyedCache[plan.CaseloadAdherence] = KeyedCache()


def _latest(table: str, column: str, offset: int = 0, where: str = "") -> str:
    return (
        f"(SELECT x.id FROM {table} x WHERE x.patient_id = u.id {where}"  # noqa: S608
        f"ORDER BY x.{column} DESC, x.id DESC LIMIT 1 OFFSET {offset})"
    )


# The last check-in is the latest quick one, and its heading says so ("Last quick check-in");
# ratings around a session count for "a high rating in the last 24 h" and sit on the chart.
_QUICK_ONLY = f"AND x.context = '{CheckinContext.QUICK.value}' "


async def caseload(therapist_id: int, rules: AttentionRules, now: datetime) -> list[Any]:
    """Per patient: id, name, zone, on the caseload since, the last quick check-in's level and
    moment, the latest GAD-7 total and moment, the one before's total, open alerts, and of the
    high ratings within the rating window the highest level, the newest and the oldest moment."""
    connection, sql = raw_query()

    def recent() -> str:  # `?` placeholders bind in the order they appear in the text
        since, level = sql.param(now - rules.rating_window), sql.param(rules.alert_level)
        return f"h.patient_id = u.id AND h.occurred_at >= {since} AND h.level >= {level}"

    columns = (
        "u.id, u.display_name, u.time_zone, m.started_at, c.level, c.occurred_at, "  # noqa: S608
        "g1.total, g1.occurred_at, g2.total, "
        "(SELECT COUNT(*) FROM care_alerts a WHERE a.patient_id = u.id "
        "AND a.acknowledged_at IS NULL), "
        f"(SELECT MAX(h.level) FROM checkins h WHERE {recent()}), "
        f"(SELECT MAX(h.occurred_at) FROM checkins h WHERE {recent()}), "
        f"(SELECT MIN(h.occurred_at) FROM checkins h WHERE {recent()})"
    )
    therapist, role = sql.param(therapist_id), sql.param(Role.PATIENT.value)
    query = (
        f"SELECT {columns} FROM care_team_members m JOIN users u ON u.id = m.patient_id "  # noqa: S608
        f"LEFT JOIN checkins c ON c.id = {_latest('checkins', 'occurred_at', where=_QUICK_ONLY)} "
        f"LEFT JOIN gad7_responses g1 ON g1.id = {_latest('gad7_responses', 'occurred_at')} "
        f"LEFT JOIN gad7_responses g2 ON g2.id = {_latest('gad7_responses', 'occurred_at', 1)} "
        f"WHERE m.therapist_id = {therapist} AND m.ended_at IS NULL AND u.is_active "
        f"AND u.role = {role}"
    )
    _, rows = await connection.execute_query(query, sql.params)
    return list(rows)


@dataclass(frozen=True, slots=True)
class PracticeSummary:
    key: Hashable  # changes whenever any of the patient's practice rows does
    last_started: datetime


async def practice_summaries(ids: Sequence[int]) -> dict[int, PracticeSummary]:
    """Each patient's practice change token and newest start, for those with practice.

    The token is a new random value with every change to the patient's practice logs (database
    triggers, migration 0010), so reading it is one primary-key lookup per patient where
    aggregating every log of the caseload cost 15 ms; the newest start is one index seek."""
    connection, sql = raw_query()
    wanted = sql.param_list(ids)
    _, rows = await connection.execute_query(
        "SELECT u.id, f.value, (SELECT MAX(p.started_at) FROM practice_logs p "  # noqa: S608
        f"WHERE p.patient_id = u.id) FROM users u LEFT JOIN instance_flags f "
        f"ON f.key = '{PRACTICE_TOKEN}' || u.id WHERE u.id IN ({wanted})",
        sql.params,
    )
    return {
        int(row[0]): PracticeSummary(row[1], kept_moment(row[2]))
        for row in rows
        if row[2] is not None
    }


@lru_cache(maxsize=MAX_CACHED)
def kept_moment(raw: Hashable) -> datetime:
    """`moment(raw)`, remembered: the same newest starts and peak ratings come back on every
    view, and parsing 200 of them each time was a visible part of the page's cost."""
    return moment(raw)


def local_days(zones: Iterable[str], now: datetime, rollover_hour: int) -> dict[str, date]:
    """Today's practice day in each of these zones (`attention.local_day`), once per zone."""
    return {zone: attention.local_day(now, zone, rollover_hour) for zone in set(zones)}


def _policy_key(policy: CarePolicy) -> Hashable:
    return (policy.day_rollover_hour, policy.rest_days_per_week, policy.completion_percent)


async def current_streaks(
    zones: dict[int, str],
    practice: dict[int, PracticeSummary],
    policy: CarePolicy,
    now: datetime,
    days: dict[str, date] | None = None,
) -> dict[int, int]:
    """Each patient's current streak (0 without practice), computed only where its key changed.
    `days`: `local_days(...)` of these zones, when the caller has them."""
    if days is None:
        days = local_days(zones.values(), now, policy.day_rollover_hour)
    policy_key = _policy_key(policy)
    keys: dict[int, Hashable] = {
        patient_id: (summary.key, zones[patient_id], days[zones[patient_id]], policy_key)
        for patient_id, summary in practice.items()
    }
    current, stale = _streaks.split(keys)
    if stale:
        rule = streak_policy(policy)
        events = await _practice_events(stale, policy)
        fresh = {
            patient_id: streaks.compute_streak(
                events[patient_id], now=now, time_zone=zones[patient_id], policy=rule
            ).current
            for patient_id in stale
        }
        _streaks.store(keys, fresh)
        current.update(fresh)
    return {patient_id: current.get(patient_id, 0) for patient_id in zones}


async def adherence(
    zones: dict[int, str],
    practice: dict[int, PracticeSummary],
    policy: CarePolicy,
    now: datetime,
    days: dict[str, date],
    catalog: str | None,
) -> dict[int, plan.CaseloadAdherence]:
    """Each patient's adherence this week, computed only where its key changed. `days`:
    `local_days(...)` of these zones; `catalog`: the catalog's change token, read before."""
    assigned = await assignments.change_keys(list(zones))
    policy_key = _policy_key(policy)
    keys: dict[int, Hashable] = {
        patient_id: (
            practice[patient_id].key if patient_id in practice else None,
            assigned.get(patient_id),
            catalog,
            zone,
            days[zone],
            policy_key,
        )
        for patient_id, zone in zones.items()
    }
    found, stale = _adherence.split(keys)
    if stale:
        fresh = await plan.adherence_for_many(stale, policy=policy, now=now)
        _adherence.store(keys, fresh)
        found.update(fresh)
    return found


async def _practice_events(
    ids: Sequence[int], policy: CarePolicy
) -> dict[int, list[streaks.PracticeEvent]]:
    """The streak events of these patients' practice, read in one narrow query."""
    connection, sql = raw_query()
    wanted = sql.param_list(ids)
    _, rows = await connection.execute_query(
        "SELECT patient_id, started_at, listened_seconds, duration_seconds, completed, "  # noqa: S608
        f"evidence, time_zone FROM practice_logs WHERE patient_id IN ({wanted})",
        sql.params,
    )
    events: dict[int, list[streaks.PracticeEvent]] = defaultdict(list)
    fraction = policy.completion_fraction
    for patient_id, started, listened, duration, completed, evidence, zone in rows:
        counts = practice_rules.log_counts_as_complete(
            evidence, bool(completed), listened, duration, fraction
        )
        events[int(patient_id)].append(
            streaks.PracticeEvent(moment(started), listened / 60, counts, zone)
        )
    return events
