"""Today's plan and adherence for assigned practices, from the database through the pure
`wellness.care.schedule` and `wellness.care.adherence`.

Practice days are the streaks' (the patient's zone, the clinic's rollover hour); done means a
completed practice by the app's one completion rule, whatever its evidence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from wellness.accounts.models import User
from wellness.care import adherence as rules
from wellness.care.adherence import Outcome, PlanItem
from wellness.care.practice_days import PracticeCalendar
from wellness.care.restrictions import Restrictions, restrictions_for
from wellness.care.schedule import (
    Cadence,
    Frequency,
    KindTarget,
    ScheduleVersion,
    SessionTarget,
    week_of,
)
from wellness.caseload.assignments import forbidden_reason, matching_sessions
from wellness.caseload.kept import KeyedCache, care_and_catalog_tokens
from wellness.caseload.loading import AssignmentRecord, PatientData, load
from wellness.catalog.kinds import Kind
from wellness.catalog.models import PracticeSession
from wellness.checkins.models import Checkin
from wellness.checkins.scoring import CheckinContext, side_of_practice
from wellness.practice.models import PracticeLog
from wellness.settings import CarePolicy
from wellness.suggestions.inputs import DueItem

# A missed item is "overdue" on the dashboard while its due day is this recent.
OVERDUE_DAYS = 7
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class AssignmentState(StrEnum):
    ACTIVE = "active"
    UPCOMING = "upcoming"  # starts on a later day
    PAUSED = "paused"
    FINISHED = "finished"  # past its end date
    ENDED = "ended"  # ended by a therapist

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True, slots=True)
class AssignmentAdherence:
    """One assignment with its adherence (done / prescribed; items still open are pending)."""

    id: int
    title: str  # the session's title, or "Any breathing session, 5 to 10 minutes"
    schedule: str  # "Daily", "3 times a week", "Mon, Wed, Fri"
    part_of_day: str  # "" or "Morning", ...
    note: str
    start: date
    end: date | None
    state: AssignmentState
    session_id: int | None  # the specific session, or None for a kind
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

    @property
    def ratio(self) -> float | None:
        return self.done / self.prescribed if self.prescribed else None


@dataclass(frozen=True, slots=True)
class CaseloadAdherence:
    """One patient's assignments together, this week (for the dashboard)."""

    active: int  # assignments not ended, paused or finished
    week_done: int
    week_prescribed: int
    week_pending: int
    overdue: int  # missed items due in the last OVERDUE_DAYS days


@dataclass(frozen=True, slots=True)
class PlanEntry:
    """One assignment on today's plan."""

    assignment_id: int
    title: str
    note: str
    part_of_day: str
    weekly: bool  # an "N times a week" quota rather than today's own item
    due: int
    done: int
    practice_ids: tuple[int, ...]  # the practices that fulfilled it, earliest first
    start_session_id: int | None  # what one tap starts (never a session the team forbids)
    start_session_title: str
    skipped: bool  # the assigned session is now on the patient's skip list
    target_session_id: int | None
    kind: str
    min_minutes: int
    max_minutes: int

    @property
    def complete(self) -> bool:
        return self.done >= self.due


@dataclass(frozen=True, slots=True)
class TodaysPlan:
    today: date
    items: tuple[PlanEntry, ...]

    @property
    def remaining(self) -> int:
        return sum(not item.complete for item in self.items)


def title_of(target: SessionTarget | KindTarget, titles: dict[int, str]) -> str:
    if isinstance(target, SessionTarget):
        return titles.get(target.session_id, "A session")
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
    record: AssignmentRecord, outcomes: Sequence[Outcome], today: date, titles: dict[int, str]
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
    return AssignmentAdherence(
        id=pure.id,
        title=title_of(target, titles),
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
    found = [_summary(record, outcomes, today, loaded.titles) for record in data.assignments]
    return sorted(found, key=lambda item: -item.id)


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


async def _changes_by_session(patient_id: int) -> dict[int, float]:
    """How much this patient's rating fell, on average, around each session (before - after)."""
    rows = await Checkin.filter(patient_id=patient_id, practice_id__isnull=False).values_list(
        "practice_id", "context", "level"
    )
    levels: dict[int, dict[str, int]] = defaultdict(dict)
    for practice_id, context, level in rows:
        levels[int(practice_id)].setdefault(side_of_practice(context).value, int(level))
    paired = {pid: v for pid, v in levels.items() if len(v) == 2}
    if not paired:
        return {}
    sessions = dict(
        await PracticeLog.filter(id__in=list(paired), session_id__isnull=False).values_list(
            "id", "session_id"
        )
    )
    drops: dict[int, list[int]] = defaultdict(list)
    for practice_id, session_id in sessions.items():
        pair = paired[int(practice_id)]
        drops[int(session_id)].append(
            pair[CheckinContext.BEFORE_SESSION.value] - pair[CheckinContext.AFTER_SESSION.value]
        )
    return {sid: sum(values) / len(values) for sid, values in drops.items()}


def best_session(
    candidates: Sequence[PracticeSession], target: KindTarget, changes: dict[int, float]
) -> PracticeSession | None:
    """What lowered this patient's rating most before; else the length nearest the middle of
    the range (then by title)."""
    helped = [s for s in candidates if changes.get(s.id, 0) > 0]
    if helped:
        return max(helped, key=lambda s: (changes[s.id], -s.id))
    middle = (target.min_minutes + target.max_minutes) / 2 * 60
    return min(
        candidates, key=lambda s: (abs(s.duration_seconds - middle), s.title, s.id), default=None
    )


async def _entry(
    patient_id: int,
    item: PlanItem,
    titles: dict[int, str],
    restrictions: Restrictions,
    changes: dict[int, float] | None,
) -> tuple[PlanEntry, dict[int, float] | None]:
    target = item.version.target
    start: PracticeSession | None = None
    skipped = False
    if isinstance(target, SessionTarget):
        session = await PracticeSession.get_or_none(id=target.session_id)
        skipped = session is None or forbidden_reason(session, restrictions) is not None
        start = None if skipped else session
    else:
        candidates = [
            s
            for s in await matching_sessions(target.kind, target.min_minutes, target.max_minutes)
            if forbidden_reason(s, restrictions) is None
        ]
        if changes is None and candidates:
            changes = await _changes_by_session(patient_id)
        start = best_session(candidates, target, changes or {})
    kind_target = target if isinstance(target, KindTarget) else None
    entry = PlanEntry(
        assignment_id=item.assignment_id,
        title=title_of(target, titles),
        note=item.version.note,
        part_of_day=item.version.part_of_day.label if item.version.part_of_day else "",
        weekly=item.cadence is Cadence.WEEK,
        due=item.due,
        done=item.done,
        practice_ids=item.practice_ids,
        start_session_id=start.id if start else None,
        start_session_title=start.title if start else "",
        skipped=skipped,
        target_session_id=None if kind_target else getattr(target, "session_id", None),
        kind=kind_target.kind if kind_target else "",
        min_minutes=kind_target.min_minutes if kind_target else 0,
        max_minutes=kind_target.max_minutes if kind_target else 0,
    )
    return entry, changes


async def todays_plan_for(patient: User, *, policy: CarePolicy, now: datetime) -> TodaysPlan:
    """Today's items, in order (part of the day, then assignment): each with its note, what is
    done and which practice did it, and for one tap the session to start: the assigned one, or
    for a kind the best allowed match (never one the care team forbids)."""
    calendar = PracticeCalendar(patient.time_zone, policy.day_rollover_hour)
    today = calendar.today(now)
    care, catalog = await care_and_catalog_tokens()  # read before the data
    keys: dict[int, Hashable] = {patient.id: (care, catalog, policy, patient.time_zone, today)}
    kept, _ = _kept_plans.split(keys)
    if patient.id in kept:
        return kept[patient.id]
    plan = await _todays_plan(patient, policy, calendar, today)
    if care is not None and catalog is not None:
        _kept_plans.store(keys, {patient.id: plan})
    return plan


# By patient, under the care data's and the catalog's change tokens (every write to
# assignments, practice, ratings, restrictions or the catalog renews one), the policy and the
# patient's zone and practice day, which is all of `now` a plan depends on.
_kept_plans: KeyedCache[TodaysPlan] = KeyedCache()


async def _todays_plan(
    patient: User, policy: CarePolicy, calendar: PracticeCalendar, today: date
) -> TodaysPlan:
    # An assignment ended today stays: a practice done today before the end keeps its item.
    yesterday = today - timedelta(days=1)
    loaded = await load({patient.id: patient.time_zone}, policy, ended_after=yesterday)
    data = loaded.patients[patient.id]
    if not data.assignments:
        return TodaysPlan(today, ())
    pure = [record.assignment for record in data.assignments]
    items = rules.todays_plan(pure, data.practices, calendar=calendar, today=today)
    if not items:
        return TodaysPlan(today, ())
    restrictions = await restrictions_for(patient.id)
    changes: dict[int, float] | None = None
    entries = []
    for item in items:
        entry, changes = await _entry(patient.id, item, loaded.titles, restrictions, changes)
        entries.append(entry)
    return TodaysPlan(today, tuple(entries))


async def due_today(patient: User, *, policy: CarePolicy, now: datetime) -> tuple[DueItem, ...]:
    """Today's items not yet done, for the suggestion engine (whose safety filter still
    decides what may be offered)."""
    return due_items(await todays_plan_for(patient, policy=policy, now=now))


def due_items(plan: TodaysPlan) -> tuple[DueItem, ...]:
    """The items of today's plan not yet done (nor skipped), as the suggestion engine takes
    them."""
    return tuple(
        DueItem(
            assignment_id=entry.assignment_id,
            session_id=entry.target_session_id,
            kind=entry.kind,
            min_minutes=entry.min_minutes,
            max_minutes=entry.max_minutes,
            note=entry.note,
        )
        for entry in plan.items
        if not entry.complete and not entry.skipped
    )
