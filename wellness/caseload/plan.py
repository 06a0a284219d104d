"""Adherence to assigned practices, from the database through the pure
`wellness.care.schedule` and `wellness.care.adherence` (today's plan: `daily_plan`).

Practice days are the streaks' (the patient's zone, the clinic's rollover hour); done means a
completed practice by the app's one completion rule, whatever its evidence.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from wellness.accounts.models import User
from wellness.care import adherence as rules
from wellness.care.adherence import Outcome
from wellness.care.practice_days import PracticeCalendar
from wellness.care.restrictions import Restrictions, restrictions_for
from wellness.care.schedule import (
    CollectionTarget,
    Frequency,
    KindTarget,
    ScheduleVersion,
    SessionTarget,
    Target,
    week_of,
)
from wellness.caseload.assignment_targets import SessionChoice
from wellness.caseload.availability import (
    Unavailable,
    availability,
    collection_start,
    reason,
)
from wellness.caseload.loading import AssignmentRecord, Loaded, PatientData, load
from wellness.catalog.kinds import Kind
from wellness.lib.vocabulary import Vocabulary
from wellness.settings import CarePolicy

# A missed item is "overdue" on the dashboard while its due day is this recent.
OVERDUE_DAYS = 7
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class AssignmentState(Vocabulary):
    ACTIVE = "active"
    UPCOMING = "upcoming"  # starts on a later day
    PAUSED = "paused"
    FINISHED = "finished"  # past its end date
    ENDED = "ended"  # ended by a therapist


@dataclass(frozen=True, slots=True)
class AssignmentAdherence:
    """One assignment with its adherence (done / prescribed; items still open are pending)."""

    id: int
    title: str  # the session's, "Any breathing session, 5 to 10 minutes", "Collection: ..."
    schedule: str  # "Daily", "3 times a week", "Mon, Wed, Fri"
    part_of_day: str  # "" or "Morning", ...
    note: str
    start: date
    end: date | None
    state: AssignmentState
    session_id: int | None  # the specific session, else None
    kind: str  # the kind for a kind target, else ""
    min_minutes: int | None
    max_minutes: int | None
    frequency: str
    times_a_week: int
    weekdays: tuple[int, ...]
    done: int
    prescribed: int
    pending: int
    week_done: int
    week_prescribed: int
    week_pending: int
    overdue: int
    collection_id: int | None = None  # the collection for a collection target
    collection_title: str = ""
    # For an assignment still in force: why nothing can be started for it now, else what can
    # (the session, the published sessions of the kind that fit the length and are allowed,
    # or the collection's published, allowed sessions in its order, and the one to do next).
    unavailable: Unavailable | None = None
    choices: tuple[SessionChoice, ...] = ()
    next_choice: SessionChoice | None = None

    @property
    def ratio(self) -> float | None:
        return self.done / self.prescribed if self.prescribed else None

    @property
    def reason_for_patient(self) -> str:
        return reason(self.unavailable, collection=self.collection_id is not None, patient=True)

    @property
    def reason_for_care_team(self) -> str:
        return reason(self.unavailable, collection=self.collection_id is not None, patient=False)


@dataclass(frozen=True, slots=True)
class CaseloadAdherence:
    """One patient's assignments together, this week (for the dashboard)."""

    active: int  # assignments not ended, paused or finished
    week_done: int
    week_prescribed: int
    week_pending: int
    overdue: int  # missed items due in the last OVERDUE_DAYS days


def title_of(
    target: Target, titles: dict[int, str], collections: dict[int, str] | None = None
) -> str:
    """How an assignment is named: a session by its title (`titles`), a collection as
    "Collection: <its title>" (`collections`), a kind with its length."""
    if isinstance(target, SessionTarget):
        return titles.get(target.session_id, "A session")
    if isinstance(target, CollectionTarget):
        title = (collections or {}).get(target.collection_id)
        return f"Collection: {title}" if title else "A collection"
    label = (
        Kind(target.kind).label.lower() if target.kind in {k.value for k in Kind} else target.kind
    )
    if target.min_minutes == target.max_minutes:
        length = "1 minute" if target.min_minutes == 1 else f"{target.min_minutes} minutes"
    else:
        length = f"{target.min_minutes} to {target.max_minutes} minutes"
    return f"Any {label} session, {length}"


def schedule_text(version: ScheduleVersion) -> str:
    plan = version.schedule
    if plan.frequency is Frequency.TIMES_A_WEEK:
        return "Once a week" if plan.times_a_week == 1 else f"{plan.times_a_week} times a week"
    if plan.frequency is Frequency.WEEKDAYS:
        return ", ".join(_WEEKDAYS[day - 1] for day in sorted(plan.weekdays))
    return "Daily"


def state_of(record: AssignmentRecord, today: date) -> AssignmentState:
    assignment = record.assignment
    latest = assignment.versions[-1]
    if assignment.ended_on is not None and assignment.ended_on <= today:
        return AssignmentState.ENDED
    if latest.end is not None and latest.end < today:
        return AssignmentState.FINISHED
    if record.open_pause:
        return AssignmentState.PAUSED
    if latest.start > today:
        return AssignmentState.UPCOMING
    return AssignmentState.ACTIVE


def _summary(
    record: AssignmentRecord, outcomes: Sequence[Outcome], today: date, loaded: Loaded
) -> AssignmentAdherence:
    pure = record.assignment
    latest = pure.versions[-1]
    total = rules.adherence(outcomes, assignment_id=pure.id)
    week = rules.adherence(outcomes, assignment_id=pure.id, week=week_of(today))
    late = [
        o
        for o in rules.overdue(outcomes, since=today - timedelta(days=OVERDUE_DAYS))
        if o.occurrence.assignment_id == pure.id
    ]
    target = latest.target
    kind_target = target if isinstance(target, KindTarget) else None
    collection_id = target.collection_id if isinstance(target, CollectionTarget) else None
    return AssignmentAdherence(
        id=pure.id,
        title=title_of(target, loaded.titles, loaded.collection_titles),
        schedule=schedule_text(latest),
        part_of_day=latest.part_of_day.label if latest.part_of_day else "",
        note=latest.note,
        start=latest.start,
        end=latest.end,
        state=state_of(record, today),
        session_id=target.session_id if isinstance(target, SessionTarget) else None,
        kind=kind_target.kind if kind_target else "",
        min_minutes=kind_target.min_minutes if kind_target else None,
        max_minutes=kind_target.max_minutes if kind_target else None,
        frequency=latest.schedule.frequency.value,
        times_a_week=latest.schedule.times_a_week,
        weekdays=tuple(sorted(latest.schedule.weekdays)),
        done=total.done,
        prescribed=total.prescribed,
        pending=total.pending,
        week_done=week.done,
        week_prescribed=week.prescribed,
        week_pending=week.pending,
        overdue=len(late),
        collection_id=collection_id,
        collection_title=loaded.collection_titles.get(collection_id or 0, ""),
    )


def _evaluate(
    data: PatientData, policy: CarePolicy, now: datetime, first: date | None = None
) -> tuple[date, tuple[Outcome, ...]]:
    calendar = data.calendar(policy)
    today = calendar.today(now)
    pure = [record.assignment for record in data.assignments]
    outcomes = rules.evaluate(pure, data.practices, calendar=calendar, today=today, first=first)
    return today, outcomes


async def adherence_for(
    patient: User, *, policy: CarePolicy, now: datetime
) -> list[AssignmentAdherence]:
    """Every assignment of the patient (ended ones too), newest first, with its adherence over
    its whole life, this week, and the items missed in the last OVERDUE_DAYS days."""
    loaded = await load({patient.id: patient.time_zone}, policy)
    data = loaded.patients[patient.id]
    if not data.assignments:
        return []
    today, outcomes = _evaluate(data, policy, now)
    found = [_summary(record, outcomes, today, loaded) for record in data.assignments]
    restrictions = await restrictions_for(patient.id)
    checked = [
        await _with_availability(item, record, restrictions, patient.id, policy)
        for item, record in zip(found, data.assignments, strict=True)
    ]
    return sorted(checked, key=lambda item: -item.id)


@dataclass(frozen=True, slots=True)
class PeriodAdherence:
    """One assignment's items due in a period (a report's): done, missed and still pending."""

    id: int
    title: str
    schedule: str  # the latest version's
    state: AssignmentState  # now
    adherence: rules.Adherence


async def adherence_between(
    patient: User, *, policy: CarePolicy, now: datetime, first: date, last: date
) -> list[PeriodAdherence]:
    """Each assignment with items due from practice day `first` to `last` (a week's quota by
    its deadline, the week's last active day), the newest assignment first: the same outcomes
    `adherence_for` counts over an assignment's whole life."""
    loaded = await load({patient.id: patient.time_zone}, policy)
    data = loaded.patients[patient.id]
    if not data.assignments:
        return []
    today, outcomes = _evaluate(data, policy, now, first=first)
    due = [outcome for outcome in outcomes if first <= outcome.occurrence.due <= last]
    found = []
    for record in data.assignments:
        pure = record.assignment
        counted = rules.adherence(due, assignment_id=pure.id)
        if not (counted.prescribed or counted.pending):
            continue
        latest = pure.versions[-1]
        title = title_of(latest.target, loaded.titles, loaded.collection_titles)
        state = state_of(record, today)
        found.append(PeriodAdherence(pure.id, title, schedule_text(latest), state, counted))
    return sorted(found, key=lambda item: -item.id)


async def _with_availability(
    item: AssignmentAdherence,
    record: AssignmentRecord,
    restrictions: Restrictions,
    patient_id: int,
    policy: CarePolicy,
) -> AssignmentAdherence:
    if item.state in {AssignmentState.ENDED, AssignmentState.FINISHED}:
        return item
    target = record.assignment.versions[-1].target
    found = await availability(target, restrictions)
    choices = tuple(SessionChoice.of(session) for session in found.sessions)
    following = None
    if isinstance(target, CollectionTarget):
        start = await collection_start(patient_id, found.sessions, policy)
        following = SessionChoice.of(start) if start else None
    return replace(item, unavailable=found.unavailable, choices=choices, next_choice=following)


async def adherence_for_many(
    patient_ids: Collection[int], *, policy: CarePolicy, now: datetime
) -> dict[int, CaseloadAdherence]:
    """This week's adherence and overdue items per patient, in a constant number of queries
    (six at most) whatever the number of patients. Assignments ended before this window (the
    week and the last OVERDUE_DAYS days) are left out; `active` counts the active ones."""
    zones = dict(
        await User.filter(id__in=list(patient_ids)).values_list("id", "time_zone")
        if patient_ids
        else []
    )
    earliest = min(
        (
            PracticeCalendar(str(zone), policy.day_rollover_hour).today(now)
            for zone in zones.values()
        ),
        default=None,
    )
    since = None if earliest is None else min(week_of(earliest), earliest - timedelta(OVERDUE_DAYS))
    loaded = await load(
        {int(pid): str(zone) for pid, zone in zones.items()},
        policy,
        since=since,
        ended_after=since,
    )
    result: dict[int, CaseloadAdherence] = {}
    for patient_id in patient_ids:
        data = loaded.patients.get(patient_id)
        if data is None or not data.assignments:
            result[patient_id] = CaseloadAdherence(0, 0, 0, 0, 0)
            continue
        today = data.calendar(policy).today(now)
        first = min(week_of(today), today - timedelta(days=OVERDUE_DAYS))
        _, outcomes = _evaluate(data, policy, now, first=first)
        week = rules.adherence(outcomes, week=week_of(today))
        late = rules.overdue(outcomes, since=today - timedelta(days=OVERDUE_DAYS))
        active = sum(state_of(r, today) is AssignmentState.ACTIVE for r in data.assignments)
        result[patient_id] = CaseloadAdherence(
            active, week.done, week.prescribed, week.pending, len(late)
        )
    return result
