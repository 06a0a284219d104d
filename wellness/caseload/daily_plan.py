"""Today's plan for a patient: each assigned item due today, what is done and which practice
did it, and the session one tap starts (the assigned one, for a kind the best allowed match,
for a collection the next allowed one this patient has not done). Built on `loading` and the
pure `wellness.care.adherence.todays_plan`; adherence over weeks is `plan`'s."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from wellness.accounts.models import User
from wellness.care import adherence as rules
from wellness.care.adherence import PlanItem
from wellness.care.practice_days import PracticeCalendar
from wellness.care.restrictions import Restrictions, restrictions_for
from wellness.care.schedule import Cadence, CollectionTarget, KindTarget, SessionTarget
from wellness.caseload.availability import (
    Unavailable,
    availability,
    collection_start,
    reason,
)
from wellness.caseload.kept import KeyedCache, care_and_catalog_tokens
from wellness.caseload.loading import Loaded, load
from wellness.caseload.plan import title_of
from wellness.catalog.models import PracticeSession
from wellness.practice import history
from wellness.practice.models import PracticeLog
from wellness.settings import CarePolicy
from wellness.suggestions.inputs import DueItem


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
    unavailable: Unavailable | None  # why nothing can be started for it now
    target_session_id: int | None
    kind: str
    min_minutes: int
    max_minutes: int
    collection_id: int | None = None
    collection_title: str = ""

    @property
    def complete(self) -> bool:
        return self.done >= self.due

    @property
    def reason_for_patient(self) -> str:
        return reason(self.unavailable, collection=self.collection_id is not None, patient=True)

    @property
    def skipped(self) -> bool:
        """The care team's restrictions rule the assigned session out for now."""
        return self.unavailable is Unavailable.SKIPPED


@dataclass(frozen=True, slots=True)
class TodaysPlan:
    today: date
    items: tuple[PlanEntry, ...]

    @property
    def remaining(self) -> int:
        return sum(not item.complete for item in self.items)


async def _changes_by_session(patient_id: int) -> dict[int, float]:
    """How much this patient's rating fell, on average, around each session (before - after)."""
    paired = await history.rated_before_and_after(patient_id)
    if not paired:
        return {}
    sessions = dict(
        await PracticeLog.filter(id__in=list(paired), session_id__isnull=False).values_list(
            "id", "session_id"
        )
    )
    drops: dict[int, list[int]] = defaultdict(list)
    for practice_id, session_id in sessions.items():
        before, after = paired[int(practice_id)]
        drops[int(session_id)].append(before - after)
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
    loaded: Loaded,
    restrictions: Restrictions,
    changes: dict[int, float] | None,
    policy: CarePolicy,
) -> tuple[PlanEntry, dict[int, float] | None]:
    target = item.version.target
    found = await availability(target, restrictions)
    start: PracticeSession | None = None
    collection_id = target.collection_id if isinstance(target, CollectionTarget) else None
    if isinstance(target, SessionTarget):
        start = found.sessions[0] if found.sessions else None
    elif isinstance(target, CollectionTarget):
        start = await collection_start(patient_id, found.sessions, policy)
    else:
        if changes is None and found.sessions:
            changes = await _changes_by_session(patient_id)
        start = best_session(found.sessions, target, changes or {})
    kind_target = target if isinstance(target, KindTarget) else None
    entry = PlanEntry(
        assignment_id=item.assignment_id,
        title=title_of(target, loaded.titles, loaded.collection_titles),
        note=item.version.note,
        part_of_day=item.version.part_of_day.label if item.version.part_of_day else "",
        weekly=item.cadence is Cadence.WEEK,
        due=item.due,
        done=item.done,
        practice_ids=item.practice_ids,
        start_session_id=start.id if start else None,
        start_session_title=start.title if start else "",
        unavailable=found.unavailable,
        target_session_id=target.session_id if isinstance(target, SessionTarget) else None,
        kind=kind_target.kind if kind_target else "",
        min_minutes=kind_target.min_minutes if kind_target else 0,
        max_minutes=kind_target.max_minutes if kind_target else 0,
        collection_id=collection_id,
        collection_title=loaded.collection_titles.get(collection_id or 0, ""),
    )
    return entry, changes


async def todays_plan_for(patient: User, *, policy: CarePolicy, now: datetime) -> TodaysPlan:
    """Today's items, in order (part of the day, then assignment): each with its note, what is
    done and which practice did it, and for one tap the session to start: the assigned one, or
    for a kind the best allowed match (never one the care team forbids)."""
    calendar = PracticeCalendar(patient.time_zone, policy.day_rollover_hour)
    today = calendar.today(now)
    care, catalog = await care_and_catalog_tokens()  # read before the data
    return await _kept_plans.kept_or(
        patient.id,
        (care, catalog, policy, patient.time_zone, today),
        lambda: _todays_plan(patient, policy, calendar, today),
        keep=care is not None and catalog is not None,
    )


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
        entry, changes = await _entry(patient.id, item, loaded, restrictions, changes, policy)
        entries.append(entry)
    return TodaysPlan(today, tuple(entries))


async def due_today(patient: User, *, policy: CarePolicy, now: datetime) -> tuple[DueItem, ...]:
    """Today's items not yet done, for the suggestion engine (whose safety filter still
    decides what may be offered)."""
    return due_items(await todays_plan_for(patient, policy=policy, now=now))


def due_items(plan: TodaysPlan) -> tuple[DueItem, ...]:
    """The items of today's plan not yet done (nor skipped), as the suggestion engine takes
    them: a collection's as the session it starts (the next one), which then fulfils it."""
    return tuple(
        DueItem(
            assignment_id=entry.assignment_id,
            session_id=entry.start_session_id if entry.collection_id else entry.target_session_id,
            kind=entry.kind,
            min_minutes=entry.min_minutes,
            max_minutes=entry.max_minutes,
            note=entry.note,
        )
        for entry in plan.items
        if not entry.complete and entry.unavailable is None
    )
