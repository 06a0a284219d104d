"""Assignments and completed practice read from the database as the pure modules' inputs.

A fixed number of queries whatever the number of patients: the dashboard reads its whole
caseload through `load`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tortoise.expressions import Q

from wellness.care import schedule
from wellness.care.adherence import CompletedPractice
from wellness.care.models import AssignmentPause, AssignmentVersion, PracticeAssignment
from wellness.care.practice_days import PracticeCalendar
from wellness.care.schedule import (
    Assignment,
    CollectionTarget,
    KindTarget,
    PartOfDay,
    Pause,
    Schedule,
    ScheduleVersion,
    SessionTarget,
    Target,
)
from wellness.catalog.models import Collection, CollectionEntry, PracticeSession
from wellness.practice import rules
from wellness.practice.history import PRACTICE_COLUMNS, moment
from wellness.practice.models import PracticeLog
from wellness.settings import CarePolicy

# A practice's day is judged in the zone stored with it, which can lie a day either side of the
# patient's current zone: read that much more.
_ZONE_MARGIN = timedelta(days=2)


@dataclass(slots=True)
class AssignmentRecord:
    """One stored assignment: the pure one, and what pages show about it."""

    assignment: Assignment
    patient_id: int
    created_on: date
    open_pause: bool = False
    version_ids: list[int] = field(default_factory=list)


@dataclass(slots=True)
class PatientData:
    patient_id: int
    time_zone: str
    assignments: list[AssignmentRecord] = field(default_factory=list)
    practices: list[CompletedPractice] = field(default_factory=list)

    def calendar(self, policy: CarePolicy) -> PracticeCalendar:
        return PracticeCalendar(self.time_zone, policy.day_rollover_hour)


@dataclass(slots=True)
class Loaded:
    patients: dict[int, PatientData]
    titles: dict[int, str]  # session id -> title, for the sessions assignments name
    # collection id -> title, for the collections assignments name
    collection_titles: dict[int, str] = field(default_factory=dict)


def version_of(
    row: AssignmentVersion, collections: dict[int, frozenset[int]] | None = None
) -> ScheduleVersion:
    """A stored version as the pure schedule's; a collection's target holds the sessions
    `collections` says it holds now (none when it is not there)."""
    target: Target
    if row.session_id is not None:
        target = SessionTarget(row.session_id)
    elif row.collection_id is not None:
        target = CollectionTarget(
            row.collection_id, (collections or {}).get(row.collection_id, frozenset())
        )
    else:
        target = KindTarget(row.kind, row.min_minutes or 0, row.max_minutes or 0)
    frequency = schedule.Frequency(row.frequency)
    if frequency is schedule.Frequency.TIMES_A_WEEK:
        plan = Schedule.times_per_week(row.times_a_week)
    elif frequency is schedule.Frequency.WEEKDAYS:
        plan = Schedule.on_weekdays(int(day) for day in row.weekdays.split(",") if day)
    else:
        plan = Schedule.daily()
    return ScheduleVersion(
        effective_from=row.effective_from,
        target=target,
        schedule=plan,
        start=row.start,
        end=row.end,
        part_of_day=PartOfDay(row.part_of_day) if row.part_of_day else None,
        note=row.note,
    )


def pauses_of(rows: list[AssignmentPause]) -> tuple[Pause, ...]:
    """Pauses in order, never overlapping: a patient who moved west can make "today" go back a
    day, so a pause never starts before the previous one ended."""
    pauses: list[Pause] = []
    for row in sorted(rows, key=lambda pause: (pause.paused_on, pause.id)):
        paused_on = row.paused_on
        if pauses:
            previous = pauses[-1]
            if previous.resumed_on is None:
                continue  # only the last pause can be open
            paused_on = max(paused_on, previous.resumed_on)
        resumed_on = row.resumed_on
        if resumed_on is not None and resumed_on < paused_on:
            resumed_on = paused_on
        pauses.append(Pause(paused_on, resumed_on))
    return tuple(pauses)


async def load(
    patients: dict[int, str],
    policy: CarePolicy,
    *,
    since: date | None = None,
    ended_after: date | None = None,
) -> Loaded:
    """The assignments of the patients (id -> time zone) and their completed practice (from
    `since`, else from their first assignment), in at most five queries, and two more when an
    assignment names a collection (its sessions and title). With `ended_after`,
    assignments ended on or before that day are left out (nothing of theirs is due after it)."""
    found = {patient_id: PatientData(patient_id, zone) for patient_id, zone in patients.items()}
    query = PracticeAssignment.filter(patient_id__in=list(patients))
    if ended_after is not None:
        query = query.filter(Q(ended_on=None) | Q(ended_on__gt=ended_after))
    heads = await query.order_by("id") if patients else []
    ids = [head.id for head in heads]
    versions: dict[int, list[AssignmentVersion]] = defaultdict(list)
    pauses: dict[int, list[AssignmentPause]] = defaultdict(list)
    if ids:
        for row in await AssignmentVersion.filter(assignment_id__in=ids).order_by(
            "effective_from", "id"
        ):
            versions[row.assignment_id].append(row)
        for pause in await AssignmentPause.filter(assignment_id__in=ids):
            pauses[pause.assignment_id].append(pause)
    named = {row.collection_id for rows in versions.values() for row in rows}
    collections, collection_titles = await collections_named(named - {None})
    session_ids: set[int] = set()
    for head in heads:
        rows = versions.get(head.id)
        if not rows:
            continue
        pure = Assignment(
            head.id,
            tuple(version_of(row, collections) for row in rows),
            pauses_of(pauses[head.id]),
            head.ended_on,
        )
        session_ids.update(row.session_id for row in rows if row.session_id is not None)
        record = AssignmentRecord(
            pure,
            head.patient_id,
            rows[0].effective_from,
            any(pause.resumed_on is None for pause in pauses[head.id]),
            [row.id for row in rows],
        )
        found[head.patient_id].assignments.append(record)
    practised = [data for data in found.values() if data.assignments]
    first = since
    if first is None and practised:
        first = min(record.created_on for data in practised for record in data.assignments)
    sessions: dict[int, tuple[str, float]] = {}
    rows_raw: list[tuple[Any, ...]] = []
    if practised and first is not None:
        rows_raw = list(
            await PracticeLog.filter(
                patient_id__in=[data.patient_id for data in practised],
                started_at__gte=datetime.combine(first - _ZONE_MARGIN, time(), UTC),
            ).values_list("id", "patient_id", *PRACTICE_COLUMNS)
        )
        session_ids.update(int(row[8]) for row in rows_raw if row[8] is not None)
    if session_ids:
        for session_id, title, duration in await PracticeSession.filter(
            id__in=sorted(session_ids)
        ).values_list("id", "title", "duration_seconds"):
            sessions[int(session_id)] = (str(title), float(duration or 0))
    fraction = policy.completion_fraction
    for (
        row_id,
        patient_id,
        raw,
        listened,
        duration,
        completed,
        evidence,
        zone,
        sid,
        kind,
    ) in rows_raw:
        if not rules.log_counts_as_complete(
            evidence, bool(completed), listened, duration, fraction
        ):
            continue
        # A catalog session's length (as the catalog's filter sees it), else the minutes logged.
        seconds = listened
        if sid is not None:
            seconds = sessions.get(int(sid), ("", 0.0))[1] or duration or listened
        found[int(patient_id)].practices.append(
            CompletedPractice(
                id=int(row_id),
                started_at=moment(raw),
                kind=str(kind),
                minutes=float(seconds) / 60,
                session_id=None if sid is None else int(sid),
                time_zone=str(zone) if zone else None,
            )
        )
    titles = {sid: title for sid, (title, _) in sessions.items()}
    return Loaded(found, titles, collection_titles)


async def collections_named(
    collection_ids: set[int | None],
) -> tuple[dict[int, frozenset[int]], dict[int, str]]:
    """The sessions each of these collections holds now (whatever their status: a practice of
    a session archived since still counts for its day), and their titles; two queries."""
    wanted = sorted(cid for cid in collection_ids if cid is not None)
    if not wanted:
        return {}, {}
    held: dict[int, set[int]] = defaultdict(set)
    for collection_id, session_id in await CollectionEntry.filter(
        collection_id__in=wanted
    ).values_list("collection_id", "session_id"):
        held[int(collection_id)].add(int(session_id))
    titles = dict(await Collection.filter(id__in=wanted).values_list("id", "title"))
    return (
        {cid: frozenset(held.get(cid, ())) for cid in wanted},
        {int(cid): str(title) for cid, title in titles.items()},
    )
