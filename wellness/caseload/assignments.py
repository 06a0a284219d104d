"""Practices therapists assign: create, change, pause, resume, end.

The caller has loaded the patient through `care.services.patient_for_therapist` (or the
assignment through `assignment_for_therapist`) and writes the audit row. Every change applies
from the patient's current practice day (their zone, the clinic's rollover hour).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tortoise.transactions import in_transaction

from wellness.accounts import permissions
from wellness.accounts.models import User
from wellness.care import services as care
from wellness.care.models import AssignmentPause, AssignmentVersion, PracticeAssignment
from wellness.care.practice_days import PracticeCalendar
from wellness.care.restrictions import restrictions_for
from wellness.care.schedule import Frequency, PartOfDay
from wellness.caseload.assignment_targets import clean_target
from wellness.db import raw_query
from wellness.lib.validation import FieldErrors
from wellness.settings import CarePolicy

MAX_NOTE = 500
# How far ahead a start or end date may lie.
MAX_DAYS_AHEAD = 366


@dataclass(frozen=True, slots=True)
class AssignmentInput:
    """What a therapist asks for: a session, a kind with a length range, or a collection; a
    schedule."""

    session_id: int | None = None
    collection_id: int | None = None
    kind: str = ""
    min_minutes: int | None = None
    max_minutes: int | None = None
    frequency: str = Frequency.DAILY.value
    times_a_week: int = 0
    weekdays: tuple[int, ...] = ()
    part_of_day: str = ""  # "" or a PartOfDay value
    start: date | None = None  # None: today
    end: date | None = None
    note: str = ""


class AssignmentError(ValueError):
    """An action the assignment's state does not allow (it ended, is not paused, ...)."""


def practice_today(patient: User, policy: CarePolicy, now: datetime) -> date:
    """The patient's practice day now: their zone, the clinic's rollover hour."""
    return PracticeCalendar(patient.time_zone, policy.day_rollover_hour).today(now)


def _clean_schedule(
    entry: AssignmentInput, today: date, problems: dict[str, str]
) -> dict[str, Any]:
    """The schedule's columns; each refused field goes into `problems` (the columns are then
    not to be stored)."""
    try:
        frequency = Frequency(entry.frequency)
    except ValueError:
        problems["frequency"] = "Choose daily, times a week or weekdays."
        frequency = Frequency.DAILY
    times, weekdays = 0, ""
    if frequency is Frequency.TIMES_A_WEEK:
        if isinstance(entry.times_a_week, bool) or entry.times_a_week not in range(1, 8):
            problems["times_a_week"] = "Give how many times a week, from 1 to 7."
        times = entry.times_a_week
    if frequency is Frequency.WEEKDAYS:
        days = set(entry.weekdays)
        if not days or not days <= set(range(1, 8)):
            problems["weekdays"] = "Choose at least one day of the week."
        weekdays = ",".join(str(day) for day in sorted(days))
    part = entry.part_of_day
    if part and part not in {item.value for item in PartOfDay}:
        problems["part_of_day"] = "Choose morning, afternoon, evening or bedtime."
    start = entry.start or today
    if abs((start - today).days) > MAX_DAYS_AHEAD:
        problems.setdefault("start", "Give a start date within a year of today.")
    end_problem = _end_problem(entry.end, start, today)
    if end_problem:
        problems["end"] = end_problem
    if len(entry.note) > MAX_NOTE:
        problems["note"] = f"Keep the note under {MAX_NOTE} characters."
    return {
        "frequency": frequency.value,
        "times_a_week": times,
        "weekdays": weekdays,
        "part_of_day": part,
        "start": start,
        "end": entry.end,
        "note": entry.note.strip(),
    }


def _end_problem(end: date | None, start: date, today: date) -> str | None:
    if end is None:
        return None
    if end < start:
        return "The end date cannot be before the start date."
    if end < today:
        return "The end date cannot be in the past."
    if (end - today).days > 2 * MAX_DAYS_AHEAD:
        return "Give an end date within two years."
    return None


async def _columns(
    patient_id: int, entry: AssignmentInput, today: date, problems: dict[str, str]
) -> dict[str, Any]:
    """The version's columns; FieldErrors names every refused field, those found before
    (`problems`) included."""
    schedule = _clean_schedule(entry, today, problems)
    target = await clean_target(entry, await restrictions_for(patient_id), problems)
    if problems:
        raise FieldErrors(problems)
    return {**target, **schedule}


async def create_assignment(
    patient: User, entry: AssignmentInput, *, by: User, policy: CarePolicy, now: datetime
) -> PracticeAssignment:
    """Assign a practice from today (or a later start); FieldErrors names every field at fault."""
    today = practice_today(patient, policy, now)
    problems: dict[str, str] = {}
    if entry.start is not None and entry.start < today:
        # Days before it was assigned could never count, so a past start would only mislead.
        problems["start"] = "The start date cannot be in the past."
    columns = await _columns(patient.id, entry, today, problems)
    async with in_transaction():
        assignment = await PracticeAssignment.create(
            patient_id=patient.id, created_by_id=by.id, created_at=now
        )
        await AssignmentVersion.create(
            assignment_id=assignment.id,
            effective_from=today,
            created_by_id=by.id,
            created_at=now,
            **columns,
        )
    return assignment


async def assignment_for_therapist(viewer: User, assignment_id: int) -> PracticeAssignment | None:
    """The assignment, only when its patient is on this therapist's current care team."""
    if not permissions.can_see_caseload(viewer.role):
        return None
    assignment = await PracticeAssignment.get_or_none(id=assignment_id)
    if (
        assignment is None
        or await care.patient_for_therapist(viewer, assignment.patient_id) is None
    ):
        return None
    return assignment


async def latest_version(assignment: PracticeAssignment) -> AssignmentVersion:
    found = (
        await AssignmentVersion.filter(assignment_id=assignment.id)
        .order_by("-effective_from", "-id")
        .first()
    )
    if found is None:
        raise AssignmentError(f"assignment {assignment.id} has no version")
    return found


def input_of(version: AssignmentVersion) -> AssignmentInput:
    """A version as the input that would make it again (the start of a change)."""
    return AssignmentInput(
        session_id=version.session_id,
        collection_id=version.collection_id,
        kind=version.kind,
        min_minutes=version.min_minutes,
        max_minutes=version.max_minutes,
        frequency=version.frequency,
        times_a_week=version.times_a_week,
        weekdays=tuple(int(day) for day in version.weekdays.split(",") if day),
        part_of_day=version.part_of_day,
        start=version.start,
        end=version.end,
        note=version.note,
    )


async def _patient(assignment: PracticeAssignment) -> User:
    return await User.get(id=assignment.patient_id)


def _refuse_if_ended(assignment: PracticeAssignment) -> None:
    if assignment.ended_on is not None:
        raise AssignmentError("This assignment has ended; assign a new practice instead.")


async def change_assignment(
    assignment: PracticeAssignment,
    entry: AssignmentInput,
    *,
    by: User,
    policy: CarePolicy,
    now: datetime,
) -> AssignmentVersion:
    """A new version in force from today; earlier days keep the schedule then in force."""
    _refuse_if_ended(assignment)
    patient = await _patient(assignment)
    today = practice_today(patient, policy, now)
    current = await latest_version(assignment)
    problems: dict[str, str] = {}
    if entry.start is not None and entry.start != current.start and entry.start < today:
        problems["start"] = "A new start date cannot be in the past."
    columns = await _columns(patient.id, entry, today, problems)
    return await AssignmentVersion.create(
        assignment_id=assignment.id,
        effective_from=today,
        created_by_id=by.id,
        created_at=now,
        **columns,
    )


async def open_pause(assignment: PracticeAssignment) -> AssignmentPause | None:
    return await AssignmentPause.get_or_none(assignment_id=assignment.id, resumed_on=None)


async def pause_assignment(
    assignment: PracticeAssignment, *, policy: CarePolicy, now: datetime
) -> AssignmentPause:
    """Nothing new is due from today until it is resumed (what was done today still counts)."""
    _refuse_if_ended(assignment)
    today = practice_today(await _patient(assignment), policy, now)
    async with in_transaction():
        if await open_pause(assignment) is not None:
            raise AssignmentError("This assignment is already paused.")
        return await AssignmentPause.create(
            assignment_id=assignment.id, paused_on=today, paused_at=now
        )


async def resume_assignment(
    assignment: PracticeAssignment, *, policy: CarePolicy, now: datetime
) -> AssignmentPause:
    """Due again from today (a pause and resume on one day leave that day due)."""
    _refuse_if_ended(assignment)
    today = practice_today(await _patient(assignment), policy, now)
    async with in_transaction():
        pause = await open_pause(assignment)
        if pause is None:
            raise AssignmentError("This assignment is not paused.")
        pause.resumed_on = today
        pause.resumed_at = now
        await pause.save(update_fields=["resumed_on", "resumed_at"])
    return pause


async def end_assignment(
    assignment: PracticeAssignment, *, by: User, policy: CarePolicy, now: datetime
) -> PracticeAssignment:
    """Nothing new is due from today on (what was done today still counts); the history stays."""
    _refuse_if_ended(assignment)
    today = practice_today(await _patient(assignment), policy, now)
    updated = await PracticeAssignment.filter(id=assignment.id, ended_on=None).update(
        ended_on=today, ended_at=now, ended_by_id=by.id
    )
    if not updated:
        raise AssignmentError("This assignment has ended; assign a new practice instead.")
    await assignment.refresh_from_db(fields=["ended_on", "ended_at", "ended_by_id"])
    return assignment


async def change_keys(patient_ids: Sequence[int]) -> dict[int, Hashable]:
    """Per patient with assignments, in one query: a key that changes whenever an assignment, a
    version or a pause of theirs does (the assignments' count, newest id and number ended, the
    versions' count and newest id, the pauses' count and number resumed: versions and pauses are
    only ever added, and an end or a resume is set once). For caches of what depends on them."""
    connection, sql = raw_query()
    wanted = sql.param_list(patient_ids)
    _, rows = await connection.execute_query(
        "SELECT a.patient_id, COUNT(*), MAX(a.id), COUNT(a.ended_at), "  # noqa: S608
        "SUM(COALESCE(v.n, 0)), MAX(v.newest), SUM(COALESCE(p.n, 0)), SUM(COALESCE(p.resumed, 0)) "
        "FROM care_practice_assignments a "
        "LEFT JOIN (SELECT assignment_id, COUNT(*) AS n, MAX(id) AS newest "
        "FROM care_assignment_versions GROUP BY assignment_id) v ON v.assignment_id = a.id "
        "LEFT JOIN (SELECT assignment_id, COUNT(*) AS n, COUNT(resumed_at) AS resumed "
        "FROM care_assignment_pauses GROUP BY assignment_id) p ON p.assignment_id = a.id "
        f"WHERE a.patient_id IN ({wanted}) GROUP BY a.patient_id",
        sql.params,
    )
    return {
        int(row[0]): tuple(None if value is None else int(value) for value in row[1:])
        for row in rows
    }
