"""Which practice fulfilled which assigned item, and adherence. Pure: standard library only.

What is due comes from `wellness.care.schedule`. The rules here:

1. Practice days. A practice belongs to the practice day on which it started, in the zone the
   patient had *when they practised*: the zone stored with the practice, else the zone in force
   then by the calendar's zone history, else the patient's current zone. The day begins at the
   rollover hour (the streak rule, `wellness.practice.streaks.practice_day`). Today is today's
   practice day in the patient's current zone. Practices after today are ignored.
2. Matching. The caller passes completed practices only (the app's completion rule, any
   evidence). A practice can fulfil an item when it falls on a day the item accepts (the item's
   own day; for "N times a week", any active or closing day of the week) and matches the
   version in force on the practice's day: the session itself, any session of the collection,
   or the kind with a length in the range.
   One practice fulfils at most one item and one item takes at most one practice, across all of
   a patient's assignments. The matching is a maximum one, so no arrangement fulfils more items.
   Items claim practices in priority order, each keeping what it has while later ones look for
   augmenting paths (Kuhn's algorithm run from the item side): optional items (those of closing
   days, `wellness.care.schedule` rule 3) after all the others, then earlier deadline, then day
   items before weekly ones, then an item whose part of the day a candidate practice was done
   in, then specific sessions, collections, kinds (the narrower target first: the broader one
   has more practices left that can fulfil it), then part of the day, assignment id and slot. Each
   item tries its candidates earliest first. Because the items that can be fulfilled together
   form a matroid, this gives the best set of fulfilled items in that priority order (in
   particular, past-due items are fulfilled before ones still pending, and optional items
   never leave unfulfilled an owed item that could have been). A greedy pass by time is not
   enough: a practice matching two kind assignments could take the one a later practice
   needed. All edges of the graph stay within one ISO week, so each week is matched on its own.
3. Status. An item is DONE when fulfilled; MISSED when not and its due day is before today;
   otherwise PENDING (today's items, and a week's quota until its last active day has passed).
   An optional item not fulfilled is left out: it is never missed nor pending. So a practice
   done on the day the therapist ends or pauses the assignment keeps counting (1 of 1, not
   0 of 0), and so do a week's practices up to its quota before the end or pause.
4. Adherence = done / prescribed, where prescribed counts the items that are done or missed.
   A pending item counts neither way: today is not required until it ends, and "N times a
   week" is owed by the end of the week, so mid-week a patient who has done 1 of 3 stands at
   1/1 (with 2 pending), never at 1/3. Done early counts at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from wellness.care.practice_days import VALIDATION_INSTANT, PracticeCalendar
from wellness.care.schedule import (
    Assignment,
    Cadence,
    Occurrence,
    ScheduleVersion,
    due_on,
    occurrences,
    part_rank,
    week_of,
)
from wellness.practice.streaks import practice_day


@dataclass(frozen=True, slots=True)
class CompletedPractice:
    id: int
    started_at: datetime  # aware
    kind: str
    # Its length: the session's duration for a catalog session (so the same sessions match as
    # in the catalog's length filter), the minutes logged otherwise.
    minutes: float
    session_id: int | None = None
    time_zone: str | None = None  # the patient's zone when practising, as stored with it

    def __post_init__(self) -> None:
        if self.started_at.utcoffset() is None:
            raise ValueError(f"started_at must be aware, got {self.started_at!r}")
        minutes = self.minutes
        if isinstance(minutes, bool) or not isinstance(minutes, int | float) or minutes < 0:
            raise ValueError(f"minutes must be 0 or more, got {minutes!r}")
        if minutes != minutes or minutes == float("inf"):
            raise ValueError(f"minutes must be finite, got {minutes!r}")
        if self.time_zone is not None:
            practice_day(VALIDATION_INSTANT, self.time_zone, 0)  # ValueError naming an unknown zone


class Status(StrEnum):
    DONE = "done"
    MISSED = "missed"
    PENDING = "pending"


@dataclass(frozen=True, slots=True)
class Outcome:
    occurrence: Occurrence
    status: Status
    practice_id: int | None = None  # the practice that fulfilled it


@dataclass(frozen=True, slots=True)
class Adherence:
    done: int
    prescribed: int  # done + missed; pending items are not counted (rule 4)
    pending: int

    @property
    def missed(self) -> int:
        return self.prescribed - self.done

    @property
    def ratio(self) -> float | None:
        """done / prescribed, or None while nothing has been prescribed."""
        return self.done / self.prescribed if self.prescribed else None


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One assignment on today's plan: its day item, or its week's quota."""

    assignment_id: int
    cadence: Cadence
    version: ScheduleVersion  # what to do, the note, the part of the day
    outcomes: tuple[Outcome, ...]  # one per occurrence; the done ones first, by time

    @property
    def due(self) -> int:
        return len(self.outcomes)

    @property
    def done(self) -> int:
        return sum(outcome.status is Status.DONE for outcome in self.outcomes)

    @property
    def complete(self) -> bool:
        return self.done == self.due

    @property
    def practice_ids(self) -> tuple[int, ...]:
        return tuple(o.practice_id for o in self.outcomes if o.practice_id is not None)


def evaluate(
    assignments: Sequence[Assignment],
    practices: Iterable[CompletedPractice],
    *,
    calendar: PracticeCalendar,
    today: date,
    first: date | None = None,
) -> tuple[Outcome, ...]:
    """The outcome of every item due from the week of `first` (default: the earliest version of
    any assignment) up to today, with this week's whole quotas; by week, due day, assignment."""
    by_id = {assignment.id: assignment for assignment in assignments}
    if len(by_id) != len(assignments):
        raise ValueError("assignment ids must be unique")
    if not assignments:
        return ()
    start = week_of(first or min(a.versions[0].effective_from for a in assignments))
    items = sorted(
        (i for a in assignments for i in occurrences(a, start, today, optional=True)), key=_order
    )
    weeks: dict[date, list[_Practice]] = defaultdict(list)
    for practice in _distinct(practices):
        day = calendar.day_of(practice.started_at, practice.time_zone)
        if start <= day <= today:
            hour = practice.started_at.astimezone(_zone(practice, calendar)).hour
            weeks[week_of(day)].append(_Practice(practice, day, hour))
    # Items are sorted by week, so each week is a contiguous run of them.
    fulfilled: dict[int, int] = {}
    first_of_week = 0
    for index in range(1, len(items) + 1):
        if index == len(items) or items[index].week != items[first_of_week].week:
            week_items = items[first_of_week:index]
            week_practices = weeks.get(week_items[0].week, [])
            for found, practice_id in _match_week(week_items, week_practices, by_id).items():
                fulfilled[first_of_week + found] = practice_id
            first_of_week = index
    kept = [
        Outcome(item, _status(item, index in fulfilled, today), fulfilled.get(index))
        for index, item in enumerate(items)
        if index in fulfilled or not item.optional
    ]
    return _count_slots(kept)


def adherence(
    outcomes: Iterable[Outcome], *, assignment_id: int | None = None, week: date | None = None
) -> Adherence:
    """Adherence over the outcomes, optionally of one assignment and/or one week (a Monday)."""
    done = prescribed = pending = 0
    for outcome in outcomes:
        item = outcome.occurrence
        if assignment_id is not None and item.assignment_id != assignment_id:
            continue
        if week is not None and item.week != week:
            continue
        done += outcome.status is Status.DONE
        prescribed += outcome.status is not Status.PENDING
        pending += outcome.status is Status.PENDING
    return Adherence(done, prescribed, pending)


def weekly_adherence(
    outcomes: Iterable[Outcome], *, assignment_id: int | None = None
) -> dict[date, Adherence]:
    """Adherence per ISO week (keyed by its Monday), oldest first."""
    chosen = [
        o for o in outcomes if assignment_id is None or o.occurrence.assignment_id == assignment_id
    ]
    weeks = sorted({outcome.occurrence.week for outcome in chosen})
    return {week: adherence(chosen, week=week) for week in weeks}


def overdue(outcomes: Iterable[Outcome], *, since: date) -> tuple[Outcome, ...]:
    """The missed items whose due day is on or after `since` (for the dashboard: a practice
    counts only on its own day or week, so a missed item cannot be made up later)."""
    return tuple(o for o in outcomes if o.status is Status.MISSED and o.occurrence.due >= since)


def todays_plan(
    assignments: Sequence[Assignment],
    practices: Iterable[CompletedPractice],
    *,
    calendar: PracticeCalendar,
    today: date,
) -> tuple[PlanItem, ...]:
    """Today's items: the day items due today (and one done on the day its assignment ended or
    was paused) and, on an active day of an "N times a week" assignment, the week's quota; by
    part of the day, day items first, then assignment id."""
    outcomes = evaluate(assignments, practices, calendar=calendar, today=today, first=today)
    by_group: dict[tuple[int, Cadence, date], list[Outcome]] = defaultdict(list)
    for outcome in outcomes:  # a week's done optional items join its owed ones
        by_group[_group(outcome.occurrence)].append(outcome)
    # A closing day's item (the assignment ended or paused today) exists only when fulfilled: it
    # stays on the plan, done, rather than vanish with the practice that did it.
    closing = {
        o.occurrence.assignment_id: o.occurrence
        for o in outcomes
        if o.occurrence.optional
        and o.occurrence.cadence is Cadence.DAY
        and o.occurrence.due == today
    }
    plan: list[PlanItem] = []
    for assignment in assignments:
        items = due_on(assignment, today) or (
            (closing[assignment.id],) if assignment.id in closing else ()
        )
        if items:
            first = items[0]
            found = tuple(by_group[_group(first)])
            plan.append(PlanItem(assignment.id, first.cadence, first.version, found))
    plan.sort(
        key=lambda p: (part_rank(p.version.part_of_day), p.cadence is Cadence.WEEK, p.assignment_id)
    )
    return tuple(plan)


# --- internals -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Practice:
    practice: CompletedPractice
    day: date
    hour: int  # local wall-clock hour it started at, for the part of the day

    @property
    def order(self) -> tuple[date, datetime, int]:
        return (self.day, self.practice.started_at, self.practice.id)


def _zone(practice: CompletedPractice, calendar: PracticeCalendar) -> ZoneInfo:
    return ZoneInfo(practice.time_zone or calendar.zone_at(practice.started_at))


def _distinct(practices: Iterable[CompletedPractice]) -> list[CompletedPractice]:
    """Each practice once: a repeated id is one practice (and must be the same one)."""
    seen: dict[int, CompletedPractice] = {}
    for practice in practices:
        known = seen.setdefault(practice.id, practice)
        if known != practice:
            raise ValueError(f"two different practices share id {practice.id}")
    return list(seen.values())


def _order(item: Occurrence) -> tuple[date, date, bool, int, int]:
    return (item.week, item.due, item.cadence is Cadence.WEEK, item.assignment_id, item.slot)


def _group(item: Occurrence) -> tuple[int, Cadence, date]:
    """A day item, or a week's quota: its items accept the same practices."""
    return (item.assignment_id, item.cadence, item.due)


def _count_slots(outcomes: list[Outcome]) -> tuple[Outcome, ...]:
    """The outcomes, a week's `of` being how many of its items are left (owed, and the optional
    ones done: their slots come first, by time)."""
    sizes: dict[tuple[int, Cadence, date], int] = defaultdict(int)
    for outcome in outcomes:
        sizes[_group(outcome.occurrence)] += 1
    return tuple(
        o
        if o.occurrence.cadence is Cadence.DAY or o.occurrence.of == sizes[_group(o.occurrence)]
        else replace(o, occurrence=replace(o.occurrence, of=sizes[_group(o.occurrence)]))
        for o in outcomes
    )


def _candidates(item: Occurrence, practices: list[_Practice], assignment: Assignment) -> list[int]:
    """The practices (by index) that can fulfil `item` (rule 2), earliest first."""
    found = []
    for index, practice in enumerate(practices):
        if item.cadence is Cadence.DAY:
            version = item.version if practice.day == item.due else None
        else:
            version = assignment.weekly_version(practice.day, closing=True)
        done = practice.practice
        if version is not None and version.target.accepts(
            session_id=done.session_id, kind=done.kind, minutes=done.minutes
        ):
            found.append(index)
    return found


def _match_week(
    items: list[Occurrence], practices: list[_Practice], assignments: dict[int, Assignment]
) -> dict[int, int]:
    """A maximum matching of one week's items to its practices, in priority order (rule 2):
    practice ids by the index of the item they fulfil."""
    if not practices:
        return {}
    practices.sort(key=lambda p: p.order)
    candidates: list[list[int]] = []
    shared: dict[tuple[int, Cadence, date], list[int]] = {}  # a quota's slots accept alike
    for occurrence in items:
        group = _group(occurrence)
        if group not in shared:
            assignment = assignments[occurrence.assignment_id]
            shared[group] = _candidates(occurrence, practices, assignment)
        candidates.append(shared[group])

    def fits(item: int, practice: int) -> bool:
        part = items[item].version.part_of_day
        return part is not None and part.contains(practices[practice].hour)

    def priority(index: int) -> tuple[bool, date, bool, bool, int, int, int, int]:
        item = items[index]
        return (
            item.optional,
            item.due,
            item.cadence is Cadence.WEEK,
            not any(fits(index, practice) for practice in candidates[index]),
            item.version.target.rank,  # session, collection, kind: `wellness.care.targets`
            part_rank(item.version.part_of_day),
            item.assignment_id,
            item.slot,
        )

    # Within each item's candidates, those done in its part of the day first (sort is stable).
    for index, found in enumerate(candidates):
        candidates[index] = sorted(found, key=lambda practice: not fits(index, practice))
    holder: dict[int, int] = {}  # practice index -> item index

    def claim(item: int, seen: set[int]) -> bool:
        # Depth is bounded by the week's items: each level passes through a distinct holder.
        for practice in candidates[item]:
            if practice in seen:
                continue
            seen.add(practice)
            current = holder.get(practice)
            if current is None or claim(current, seen):
                holder[practice] = item
                return True
        return False

    for item in sorted(range(len(items)), key=priority):
        claim(item, set())
    return _slots_in_time_order(items, holder, practices)


def _slots_in_time_order(
    items: list[Occurrence], holder: dict[int, int], practices: list[_Practice]
) -> dict[int, int]:
    """A week's quota items are interchangeable, so slot 1 gets the earliest of the practices
    fulfilling that quota, slot 2 the next, and so on."""
    fulfilled: dict[int, int] = {}
    quotas: dict[int, list[int]] = defaultdict(list)  # assignment -> practice indexes
    for practice, item in sorted(holder.items()):
        if items[item].cadence is Cadence.DAY:
            fulfilled[item] = practices[practice].practice.id
        else:
            quotas[items[item].assignment_id].append(practice)
    for assignment_id, taken in quotas.items():
        slots = [
            index
            for index, item in enumerate(items)
            if item.cadence is Cadence.WEEK and item.assignment_id == assignment_id
        ]
        for index, practice in zip(slots, taken, strict=False):
            fulfilled[index] = practices[practice].practice.id
    return fulfilled


def _status(item: Occurrence, done: bool, today: date) -> Status:
    if done:
        return Status.DONE
    return Status.MISSED if item.due < today else Status.PENDING
