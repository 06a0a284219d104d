"""How the library is used, for coordinators: per session, what was started, finished, by how
many patients, with what change in anxiety, in a period; the whole table's totals beside.

Read in four grouped queries whatever the library's size (the sessions, the practice, the
ratings around it, the assignments in force), each with the table's totals in the same
statement. Patient ids are counted in the database or held here only to be counted; what leaves
this module is figures with small cells suppressed (`usage_rules.Counts.shown`).

The rules are the app's own: a practice counts as complete by `practice.rules`'
`log_counts_as_complete` (written out here in SQL, and tested against it); its before and after
ratings are paired as `practice.history.rated_before_and_after` pairs them (the first rating on
each side wins; a quick check-in it took counts before). Every paired practice counts, finished
or not, as in the suggestions' clinic-wide fit: a session left half-way because it made someone
more anxious is what a coordinator most needs to see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wellness.caseload.availability import patients_assigned_by_session
from wellness.caseload.usage_rules import (
    Counts,
    Figures,
    Period,
    SessionUsage,
    UsageQuery,
    page_of,
    sort_usage,
)
from wellness.catalog.kinds import Status
from wellness.catalog.models import PracticeSession
from wellness.checkins.scoring import CheckinContext
from wellness.db import RawSql, raw_query
from wellness.practice.history import moment
from wellness.practice.rules import Evidence
from wellness.settings import CarePolicy

_AFTER = CheckinContext.AFTER_SESSION.value
_PLAYED = Evidence.OBSERVED_PLAYBACK.value


@dataclass(frozen=True, slots=True)
class Totals:
    sessions: int  # rows of the table
    unpublished: int  # of them, archived (or drafts) used in the period
    figures: Figures


@dataclass(frozen=True, slots=True)
class UsageReport:
    query: UsageQuery
    rows: list[SessionUsage]  # this page's
    page: int
    pages: int
    total_rows: int
    totals: Totals
    published: int  # published sessions of the kind (used or not)
    library_empty: bool  # no session of any kind or status yet


@dataclass(frozen=True, slots=True)
class _Scope:
    """Which practice the figures cover: started in [start, end), of sessions of `kind` (any
    when empty), or of the one session `session_id`."""

    start: datetime
    end: datetime
    kind: str = ""
    session_id: int | None = None

    def where(self, sql: RawSql, *, since_start: bool = True) -> str:
        """Conditions on `p` (practice_logs) and `s` (its session), binding in text order."""
        clauses = []
        if since_start:
            clauses.append(f"p.started_at >= {sql.param(self.start)}")
        clauses.append(f"p.started_at < {sql.param(self.end)}")
        if self.kind:
            clauses.append(f"s.kind = {sql.param(self.kind)}")
        if self.session_id is not None:
            clauses.append(f"p.session_id = {sql.param(self.session_id)}")
        return " AND ".join(clauses)


def completed_sql(sql: RawSql, fraction: float) -> str:
    """`practice.rules.log_counts_as_complete` over `p`, as an SQL condition: practice played
    here, or with its media's length stored, is complete once `fraction` of a positive length
    was listened to; other practice as it was reported."""
    media = f"(p.evidence = '{_PLAYED}' OR p.duration_seconds IS NOT NULL)"
    return (
        f"(({media} AND p.duration_seconds > 0 "
        f"AND p.listened_seconds >= {sql.param(fraction)} * p.duration_seconds) "
        f"OR (NOT {media} AND p.completed))"
    )


async def _practice(scope: _Scope, fraction: float) -> tuple[dict[int, list[Any]], list[Any]]:
    """Per session: starts, completions, distinct patients in the period and the latest start
    up to its end; and the same for the whole table (the last start of any session)."""
    connection, sql = raw_query()
    start = sql.param(scope.start)
    per_session = (
        "SELECT p.session_id, "  # noqa: S608
        f"SUM(CASE WHEN p.started_at >= {start} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN p.started_at >= {sql.param(scope.start)} "
        f"AND {completed_sql(sql, fraction)} THEN 1 ELSE 0 END), "
        f"COUNT(DISTINCT CASE WHEN p.started_at >= {sql.param(scope.start)} "
        "THEN p.patient_id END), MAX(p.started_at) "
        "FROM practice_logs p JOIN practice_sessions s ON s.id = p.session_id "
        f"WHERE {scope.where(sql, since_start=False)} GROUP BY p.session_id"
    )
    whole = (
        "SELECT NULL, COUNT(*), "  # noqa: S608
        f"SUM(CASE WHEN {completed_sql(sql, fraction)} THEN 1 ELSE 0 END), "
        "COUNT(DISTINCT p.patient_id), MAX(p.started_at) "
        "FROM practice_logs p JOIN practice_sessions s ON s.id = p.session_id "
        f"WHERE {scope.where(sql)}"
    )
    _, rows = await connection.execute_query(f"{per_session} UNION ALL {whole}", sql.params)
    return _split(rows)


async def _ratings(scope: _Scope) -> tuple[dict[int, list[Any]], list[Any]]:
    """Per session and for the whole table: practices rated before and after, their distinct
    patients and the sum of (after - before)."""
    connection, sql = raw_query()
    sides = (
        "SELECT c.practice_id AS practice_id, "  # noqa: S608
        f"MIN(CASE WHEN c.context <> '{_AFTER}' THEN c.id END) AS before_id, "
        f"MIN(CASE WHEN c.context = '{_AFTER}' THEN c.id END) AS after_id "
        "FROM checkins c JOIN practice_logs p ON p.id = c.practice_id "
        "JOIN practice_sessions s ON s.id = p.session_id "
        f"WHERE {scope.where(sql)} GROUP BY c.practice_id"
    )
    pairs = (
        "SELECT p.session_id AS session_id, p.patient_id AS patient_id, "
        "a.level - b.level AS delta FROM sides x "
        "JOIN checkins b ON b.id = x.before_id JOIN checkins a ON a.id = x.after_id "
        "JOIN practice_logs p ON p.id = x.practice_id"
    )
    figures = "COUNT(*), COUNT(DISTINCT patient_id), SUM(delta)"
    _, rows = await connection.execute_query(
        f"WITH sides AS ({sides}), pairs AS ({pairs}) "  # noqa: S608
        f"SELECT session_id, {figures} FROM pairs GROUP BY session_id "
        f"UNION ALL SELECT NULL, {figures} FROM pairs",
        sql.params,
    )
    return _split(rows)


def _split(rows: Sequence[Sequence[Any]]) -> tuple[dict[int, list[Any]], list[Any]]:
    """Rows by session id, and the totals row (the one without a session id)."""
    by_session: dict[int, list[Any]] = {}
    totals: list[Any] = []
    for row in rows:
        if row[0] is None:
            totals = list(row[1:])
        else:
            by_session[int(row[0])] = list(row[1:])
    return by_session, totals


def _counts(
    practice: Sequence[Any] | None, rated: Sequence[Any] | None, assigned: int
) -> tuple[Counts, datetime | None]:
    starts, completions, patients, last = practice or (0, 0, 0, None)
    pairs, rated_patients, change_sum = rated or (0, 0, 0)
    counts = Counts(
        starts=int(starts or 0),
        completions=int(completions or 0),
        patients=int(patients or 0),
        assigned_patients=assigned,
        rated=int(pairs or 0),
        rated_patients=int(rated_patients or 0),
        change_sum=int(change_sum or 0),
    )
    return counts, None if last is None else moment(last)


async def _usage(
    scope: _Scope, sessions: Sequence[Any], *, policy: CarePolicy, now: datetime
) -> tuple[list[SessionUsage], Totals]:
    """A row for each of `sessions` (id, title, kind, status) that is published or was used in
    the period, and the totals over those rows."""
    practice, practice_totals = await _practice(scope, policy.completion_fraction)
    rated, rated_totals = await _ratings(scope)
    ids = [int(row[0]) for row in sessions]
    assigned = await patients_assigned_by_session(
        now=now, rollover_hour=policy.day_rollover_hour, session_ids=ids
    )
    rows = []
    for session_id, title, kind, status in sessions:
        counts, last = _counts(
            practice.get(session_id), rated.get(session_id), len(assigned.get(session_id, ()))
        )
        if status != Status.PUBLISHED.value and not counts.starts:
            continue
        usage = SessionUsage(session_id, title, str(kind), str(status), counts.shown(), last)
        rows.append(usage)
    shown = {row.session_id for row in rows}
    everyone = set().union(*(patients for key, patients in assigned.items() if key in shown))
    total, _ = _counts(practice_totals, rated_totals, len(everyone))
    unpublished = sum(row.status != Status.PUBLISHED.value for row in rows)
    return rows, Totals(len(rows), unpublished, total.shown())


async def library_usage(
    query: UsageQuery, *, zone: str, policy: CarePolicy, now: datetime
) -> UsageReport:
    """The usage table `query` asks for: a page of its rows in its order, and its totals."""
    sessions = await _sessions(query.kind)
    rows, totals = await _usage(_scope(query, zone), sessions, policy=policy, now=now)
    shown, page, pages = page_of(sort_usage(rows, query.order), query.page)
    published = sum(row[3] == Status.PUBLISHED.value for row in sessions)
    library_empty = not sessions and not await PracticeSession.exists()
    return UsageReport(query, shown, page, pages, len(rows), totals, published, library_empty)


async def usage_rows(
    query: UsageQuery, *, zone: str, policy: CarePolicy, now: datetime
) -> list[SessionUsage]:
    """Every row of the table `query` asks for, in its order (its page ignored): the export."""
    sessions = await _sessions(query.kind)
    rows, _ = await _usage(_scope(query, zone), sessions, policy=policy, now=now)
    return sort_usage(rows, query.order)


def _scope(query: UsageQuery, zone: str) -> _Scope:
    start, end = query.period.bounds(zone)
    return _Scope(start, end, query.kind)


async def _sessions(kind: str) -> list[Any]:
    """(id, title, kind, status) of every session of `kind` (any when empty)."""
    sessions = PracticeSession.all()
    if kind:
        sessions = sessions.filter(kind=kind)
    return list(await sessions.values_list("id", "title", "kind", "status"))


async def session_usage(
    session: PracticeSession, period: Period, *, zone: str, policy: CarePolicy, now: datetime
) -> SessionUsage:
    """One session's row of the table for `period` (its figures even when unused)."""
    start, end = period.bounds(zone)
    scope = _Scope(start, end, session_id=session.id)
    practice, _ = await _practice(scope, policy.completion_fraction)
    rated, _ = await _ratings(scope)
    assigned = await patients_assigned_by_session(
        now=now, rollover_hour=policy.day_rollover_hour, session_ids=[session.id]
    )
    counts, last = _counts(
        practice.get(session.id), rated.get(session.id), len(assigned.get(session.id, ()))
    )
    return SessionUsage(
        session.id, session.title, session.kind.value, session.status.value, counts.shown(), last
    )
