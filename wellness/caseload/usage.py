"""How the library is used, for coordinators: per session, what was started, finished, by how
many patients, with what change in anxiety, in a period; the whole table's totals beside.

Read in three queries whatever the library's size (the sessions with their last start, the
period's figures, the assignments in force). The figures read each practice of the period once:
each session's practice in the period is one range of the index on (session_id, started_at)
(migration 0016), each practice's ratings one seek of the index on practice_id, and the
figures are grouped by session in the same pass; the table's totals are the sessions' sums, but
for its distinct patients, found in the same statement with one seek per patient. Patient ids
are counted in the database or held here only to be counted; what leaves this module is figures
with small cells suppressed (`usage_rules.Counts.shown`).

The rules are the app's own: a practice counts as complete by `practice.rules`'
`log_counts_as_complete` (written out here in SQL, and tested against it); its before and after
ratings are paired as `practice.history.rated_before_and_after` pairs them (the first rating on
each side wins; a quick check-in it took counts before). Every paired practice counts, finished
or not, as in the suggestions' clinic-wide fit: a session left half-way because it made someone
more anxious is what a coordinator most needs to see.
"""

from __future__ import annotations

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
    archived: int  # of them, archived sessions used in the period
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

    def sessions(self, sql: RawSql) -> str:
        """Conditions on `s` (practice_sessions), binding in text order."""
        # Drafts are never played (a session is a draft only until it is first published).
        clauses = [f"s.status IN ('{Status.PUBLISHED.value}', '{Status.ARCHIVED.value}')"]
        if self.kind:
            clauses.append(f"s.kind = {sql.param(self.kind)}")
        if self.session_id is not None:
            clauses.append(f"s.id = {sql.param(self.session_id)}")
        return " AND ".join(clauses)

    def practice(self, sql: RawSql, *, join: str = "") -> str:
        """FROM ... WHERE ...: the practice `p` in the period of the scope's sessions (and
        `join`), binding in text order. Written as `session_id IN (...)` so that SQLite, even
        without statistics, seeks each session's range of the (session_id, started_at) index
        instead of scanning it whole."""
        sessions = self.sessions(sql)
        start, end = sql.param(self.start), sql.param(self.end)
        return (
            f"practice_logs p {join} WHERE p.session_id IN "  # noqa: S608
            f"(SELECT s.id FROM practice_sessions s WHERE {sessions}) "
            f"AND p.started_at >= {start} AND p.started_at < {end}"
        )


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


async def _sessions(scope: _Scope) -> list[Any]:
    """(id, title, kind, status, the latest start before the period's end) of each published
    or archived session in the scope; the latest start is one index seek per session."""
    connection, sql = raw_query()
    last = (
        "(SELECT MAX(p.started_at) FROM practice_logs p "  # noqa: S608
        f"WHERE p.session_id = s.id AND p.started_at < {sql.param(scope.end)})"
    )
    _, rows = await connection.execute_query(
        f"SELECT s.id, s.title, s.kind, s.status, {last} FROM practice_sessions s "  # noqa: S608
        f"WHERE {scope.sessions(sql)}",
        sql.params,
    )
    return list(rows)


# A rating's id and level packed into one integer, so that the smallest packed value of a side
# is its first rating (ids are unique) and carries that rating's level: the pairing takes one
# index seek per practice and no second lookup of the ratings it picked. SMALLINT levels fit.
_PACK = 65536
_PACKED = f"(CAST(c.id AS BIGINT) * {_PACK} + c.level + {_PACK // 2})"


def _side(condition: str) -> str:
    return f"MIN(CASE WHEN {condition} THEN {_PACKED} END) % {_PACK}"


def _change() -> str:
    """Over `p`: after - before of its first rating on each side, NULL unless it has both."""
    after, before = _side(f"c.context = '{_AFTER}'"), _side(f"c.context <> '{_AFTER}'")
    return f"(SELECT {after} - {before} FROM checkins c WHERE c.practice_id = p.id)"  # noqa: S608


def _fence(sql: RawSql) -> str:
    """What keeps a subquery in FROM from being merged into its query, so that its correlated
    columns are computed once per row rather than once per use."""
    return "OFFSET 0" if sql.dialect == "postgres" else "LIMIT -1"


# A session's figures as `_figures` reads them: starts, completions, distinct patients, practices
# rated before and after, their distinct patients, the sum of (after - before).
_Row = tuple[int, int, int, int, int, int]
_NONE: _Row = (0, 0, 0, 0, 0, 0)


def _patients_sql(scope: _Scope, sql: RawSql) -> str:
    """For the whole table: the distinct patients who practised in the period, and of them those
    with a practice rated before and after; one index seek per patient (the first practice
    that answers ends each search), rather than a second pass over the period's practice."""
    rated = scope.practice(sql)  # bound in text order
    practised = scope.practice(sql)
    rating = "EXISTS (SELECT 1 FROM checkins c WHERE c.practice_id = p.id AND c.context"
    sides = f"{rating} = '{_AFTER}') AND {rating} <> '{_AFTER}')"
    return (
        "SELECT NULL, 0, 0, COUNT(*), 0, "  # noqa: S608
        f"SUM(CASE WHEN EXISTS (SELECT 1 FROM {rated} AND p.patient_id = u.id AND {sides}) "
        "THEN 1 ELSE 0 END), 0 "
        f"FROM users u WHERE EXISTS (SELECT 1 FROM {practised} AND p.patient_id = u.id)"
    )


async def _figures(
    scope: _Scope, fraction: float, *, totals: bool
) -> tuple[dict[int, _Row], tuple[int, int]]:
    """Per session, in one pass over the period's practice (each practice read once, its ratings
    one index seek): its `_Row`. With `totals`, in the same statement, the whole table's
    distinct patients and distinct rated patients ((0, 0) without)."""
    connection, sql = raw_query()
    practice = (
        f"SELECT p.session_id AS session_id, p.patient_id AS patient_id, "  # noqa: S608
        f"CASE WHEN {completed_sql(sql, fraction)} THEN 1 ELSE 0 END AS done, "
        f"{_change()} AS delta FROM {scope.practice(sql)} {_fence(sql)}"
    )
    statement = (
        "SELECT session_id, COUNT(*), SUM(done), COUNT(DISTINCT patient_id), "  # noqa: S608
        "COUNT(delta), COUNT(DISTINCT CASE WHEN delta IS NOT NULL THEN patient_id END), "
        f"SUM(delta) FROM ({practice}) x GROUP BY session_id"
    )
    if totals:
        statement = f"{statement} UNION ALL {_patients_sql(scope, sql)}"
    _, rows = await connection.execute_query(statement, sql.params)
    by_session: dict[int, _Row] = {}
    patients = (0, 0)
    for key, starts, done, people, rated, rated_people, change in rows:
        if key is None:
            patients = (int(people), int(rated_people or 0))
        else:
            by_session[key] = (starts, done, people, rated, rated_people, int(change or 0))
    return by_session, patients


def _counts(figures: _Row, assigned: int) -> Counts:
    starts, completions, patients, rated, rated_patients, change_sum = figures
    return Counts(starts, completions, patients, assigned, rated, rated_patients, change_sum)


def _totals(figures: dict[int, _Row], patients: tuple[int, int]) -> _Row:
    """The whole table's figures: the sessions' sums, and its distinct patients."""
    starts = completions = rated = change_sum = 0
    for row in figures.values():
        starts += row[0]
        completions += row[1]
        rated += row[3]
        change_sum += row[5]
    return (starts, completions, patients[0], rated, patients[1], change_sum)


async def _usage(
    scope: _Scope, *, policy: CarePolicy, now: datetime
) -> tuple[list[Any], list[SessionUsage], Totals]:
    """The scope's sessions; a row for each that is published or was used in the period; and
    the totals over those rows."""
    sessions = await _sessions(scope)
    figures, patients = await _figures(scope, policy.completion_fraction, totals=True)
    # Every session's patients (read whole, the assignments in force being few): naming the
    # scope's sessions would only make the statement longer.
    assigned = await patients_assigned_by_session(now=now, rollover_hour=policy.day_rollover_hour)
    archived = Status.ARCHIVED.value
    rows = []
    for key, title, kind, status, last in sessions:
        row = figures.get(key, _NONE)
        if status == archived and not row[0]:
            continue
        counts = _counts(row, len(assigned.get(key, ())))
        played = None if last is None else moment(last)
        rows.append(SessionUsage(key, title, str(kind), str(status), counts.shown(), played))
    everyone = set().union(*(assigned.get(row.session_id, ()) for row in rows))
    total = _counts(_totals(figures, patients), len(everyone))
    used_archived = sum(row.status == archived for row in rows)
    return sessions, rows, Totals(len(rows), used_archived, total.shown())


def _scope(query: UsageQuery, zone: str) -> _Scope:
    start, end = query.period.bounds(zone)
    return _Scope(start, end, query.kind)


async def library_usage(
    query: UsageQuery, *, zone: str, policy: CarePolicy, now: datetime
) -> UsageReport:
    """The usage table `query` asks for: a page of its rows in its order, and its totals."""
    sessions, rows, totals = await _usage(_scope(query, zone), policy=policy, now=now)
    shown, page, pages = page_of(sort_usage(rows, query.order), query.page)
    published = sum(row[3] == Status.PUBLISHED.value for row in sessions)
    library_empty = not sessions and not await PracticeSession.exists()
    return UsageReport(query, shown, page, pages, len(rows), totals, published, library_empty)


async def usage_rows(
    query: UsageQuery, *, zone: str, policy: CarePolicy, now: datetime
) -> list[SessionUsage]:
    """Every row of the table `query` asks for, in its order (its page ignored): the export."""
    _, rows, _ = await _usage(_scope(query, zone), policy=policy, now=now)
    return sort_usage(rows, query.order)


async def session_usage(
    session: PracticeSession, period: Period, *, zone: str, policy: CarePolicy, now: datetime
) -> SessionUsage:
    """One session's row of the table for `period` (its figures even when unused)."""
    start, end = period.bounds(zone)
    scope = _Scope(start, end, session_id=session.id)
    sessions = await _sessions(scope)
    figures, _ = await _figures(scope, policy.completion_fraction, totals=False)
    assigned = await patients_assigned_by_session(
        now=now, rollover_hour=policy.day_rollover_hour, session_ids=[session.id]
    )
    counts = _counts(figures.get(session.id, _NONE), len(assigned.get(session.id, ())))
    last = sessions[0][4] if sessions else None
    return SessionUsage(
        session.id,
        session.title,
        session.kind.value,
        session.status.value,
        counts.shown(),
        None if last is None else moment(last),
    )
