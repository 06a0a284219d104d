"""What an assigned practice asks of a patient, day by day. Pure: standard library only.

An assignment is a practice a therapist gives a patient: a specific session, a kind within a
length range, or any session of a collection (`wellness.care.targets`), on a schedule. The rules:

1. Days are practice days: local dates in the patient's practice calendar, which begin at the
   rollover hour (see `wellness.practice.streaks.practice_day`). Nothing here reads a clock or
   a time zone; `wellness.care.adherence` turns instants into practice days.
2. Versions. Every change is a new `ScheduleVersion`, in force from the practice day it was
   made (`effective_from`) until the next version's. Earlier days stay judged by the version
   then in force. Nothing is due before the first version's `effective_from`, even when its
   `start` is earlier (a schedule is never owed backwards). Two versions from the same day: the
   later one wins (the day's last edit).
3. A day is *active* for an assignment when a version is in force, the day lies in that
   version's `start`..`end` (both inclusive), no pause covers it (paused from `paused_on`,
   due again from `resumed_on`), and it is before `ended_on` (the day the therapist ended it:
   like every change it applies from the day it is made, so nothing new is due on that day).
   The day of an end or a pause (`ended_on`, `paused_on`) that would be active but for it is a
   *closing* day: it owes nothing, but a practice done on it still counts, because a practice
   the patient did never stops counting through a later action of the staff. So on a closing
   day an occurrence exists only when it is fulfilled: done counts, never missed or pending.
4. Daily and chosen weekdays: one occurrence on each active day (that is one of the weekdays).
   It can be fulfilled only by a practice on that very day.
5. N times a week: due by the end of the week, not daily. A week is an ISO week, Monday to
   Sunday, of the patient's practice calendar. Each active day of the week under an "N times"
   version contributes N/7; the week's quota is that sum rounded up, so a whole week asks for
   exactly N, and a week the assignment covers only in part (it starts, ends, pauses, resumes or
   changes N mid-week) asks for its share, never more than its active days. The quota's
   occurrences fall due on the last active day of the week; any practice on any active or
   closing day of the week can fulfil one, if it matches the version in force on the day it
   was done. "Times" is literal: two practices on one day are two times. A week with a closing
   day also has optional occurrences (rule 3) up to the quota it would have had without the
   ends and pauses made that week: practices done before the end keep counting as they did
   (3 times a week, ended on Thursday after three practices: the share owed is 2, but 3 of 3
   are done), yet only the share of the active days can be missed. In a week with no active
   day left, the optional ones fall due on its last closing day.
6. Part of the day (morning, afternoon, evening, bedtime) is guidance to the patient, never a
   condition: a morning practice done in the evening still counts. It only orders today's plan
   and decides ties when one practice could fulfil either of two items.
7. A week's quota for the current week is computed as if the schedule in force now continues:
   the future part of the week counts as active unless an end date or `ended_on` says otherwise.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

# The targets live in `wellness.care.targets`; they are named here too, beside the schedules.
from wellness.care.targets import MINUTES_TOLERANCE as MINUTES_TOLERANCE
from wellness.care.targets import TARGET_TYPES
from wellness.care.targets import CollectionTarget as CollectionTarget
from wellness.care.targets import KindTarget as KindTarget
from wellness.care.targets import SessionTarget as SessionTarget
from wellness.care.targets import Target as Target
from wellness.lib.vocabulary import Vocabulary

_DAY = timedelta(days=1)


class PartOfDay(Vocabulary):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    BEDTIME = "bedtime"

    @property
    def rank(self) -> int:
        return _PARTS.index(self)

    def contains(self, hour: int) -> bool:
        """Whether a local wall-clock hour is in this part of the day (used only for ties)."""
        first, stop = _PART_HOURS[self]
        return first <= hour < stop if first < stop else hour >= first or hour < stop


_PARTS = tuple(PartOfDay)
_PART_HOURS = {
    PartOfDay.MORNING: (5, 12),
    PartOfDay.AFTERNOON: (12, 17),
    PartOfDay.EVENING: (17, 21),
    PartOfDay.BEDTIME: (21, 5),
}


def part_rank(part: PartOfDay | None) -> int:
    """Morning first, bedtime last, no part of the day after all of them."""
    return len(_PARTS) if part is None else part.rank


class Frequency(StrEnum):
    DAILY = "daily"
    TIMES_A_WEEK = "times_a_week"
    WEEKDAYS = "weekdays"


@dataclass(frozen=True, slots=True)
class Schedule:
    frequency: Frequency
    times_a_week: int = 0  # 1-7 for TIMES_A_WEEK, else 0
    weekdays: frozenset[int] = frozenset()  # ISO weekdays, 1 = Monday .. 7 = Sunday; WEEKDAYS only

    def __post_init__(self) -> None:
        if not isinstance(self.frequency, Frequency):
            raise ValueError(f"unknown frequency: {self.frequency!r}")
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))  # hashable, whatever came
        weekly = self.frequency is Frequency.TIMES_A_WEEK
        if weekly != (_is_int(self.times_a_week) and 1 <= self.times_a_week <= 7):
            raise ValueError(f"times_a_week must be 1-7 exactly when weekly: {self!r}")
        on_days = self.frequency is Frequency.WEEKDAYS
        valid_days = bool(self.weekdays) and all(
            _is_int(day) and 1 <= day <= 7 for day in self.weekdays
        )
        if on_days != valid_days:
            raise ValueError(f"weekdays must be ISO weekdays 1-7 exactly when chosen: {self!r}")

    @classmethod
    def daily(cls) -> Schedule:
        return cls(Frequency.DAILY)

    @classmethod
    def times_per_week(cls, times: int) -> Schedule:
        return cls(Frequency.TIMES_A_WEEK, times_a_week=times)

    @classmethod
    def on_weekdays(cls, weekdays: Iterable[int]) -> Schedule:
        return cls(Frequency.WEEKDAYS, weekdays=frozenset(weekdays))

    def falls_on(self, day: date) -> bool:
        """Whether an item is due on `day` itself (daily, or one of the chosen weekdays)."""
        if self.frequency is Frequency.DAILY:
            return True
        return self.frequency is Frequency.WEEKDAYS and day.isoweekday() in self.weekdays


@dataclass(frozen=True, slots=True)
class ScheduleVersion:
    effective_from: date  # the practice day the change was made; in force from then on
    target: Target
    schedule: Schedule
    start: date
    end: date | None = None  # the last day anything is due (inclusive)
    part_of_day: PartOfDay | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.target, TARGET_TYPES):
            raise ValueError(f"target must be a session, collection or kind: {self.target!r}")
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if self.part_of_day is not None and not isinstance(self.part_of_day, PartOfDay):
            raise ValueError(f"unknown part of the day: {self.part_of_day!r}")


@dataclass(frozen=True, slots=True)
class Pause:
    paused_on: date  # first day nothing is due
    resumed_on: date | None = None  # first day things are due again; None while still paused

    def __post_init__(self) -> None:
        if self.resumed_on is not None and self.resumed_on < self.paused_on:
            raise ValueError(f"resumed {self.resumed_on} before paused {self.paused_on}")

    def covers(self, day: date) -> bool:
        return self.paused_on <= day and (self.resumed_on is None or day < self.resumed_on)


@dataclass(frozen=True, slots=True)
class Assignment:
    id: int
    versions: tuple[ScheduleVersion, ...]  # by effective_from; of one day, the last wins
    pauses: tuple[Pause, ...] = ()  # in order, not overlapping; only the last may be open
    ended_on: date | None = None  # the day it was ended: nothing new is due from that day on
    _starts: tuple[date, ...] = field(init=False, repr=False, compare=False)
    _weekly: bool = field(init=False, repr=False, compare=False)  # any "N times a week" version

    def __post_init__(self) -> None:
        if not self.versions:
            raise ValueError(f"assignment {self.id} has no schedule version")
        starts = tuple(version.effective_from for version in self.versions)
        if list(starts) != sorted(starts):
            raise ValueError(f"assignment {self.id}: versions must be in effective_from order")
        for earlier, later in zip(self.pauses, self.pauses[1:], strict=False):
            if earlier.resumed_on is None or later.paused_on < earlier.resumed_on:
                raise ValueError(f"assignment {self.id}: pauses overlap or are out of order")
        object.__setattr__(self, "_starts", starts)
        weekly = any(v.schedule.frequency is Frequency.TIMES_A_WEEK for v in self.versions)
        object.__setattr__(self, "_weekly", weekly)

    def version_on(self, day: date) -> ScheduleVersion | None:
        """The version in force on `day` (rule 2), active or not."""
        index = bisect.bisect_right(self._starts, day) - 1
        return self.versions[index] if index >= 0 else None

    def active_version(self, day: date) -> ScheduleVersion | None:
        """The version in force on `day` when the day is active (rule 3), else None."""
        version = self._scheduled(day)
        if version is None or (self.ended_on is not None and day >= self.ended_on):
            return None
        if any(pause.covers(day) for pause in self.pauses):
            return None
        return version

    def closing_version(self, day: date) -> ScheduleVersion | None:
        """The version in force on `day` when it is a closing day (rule 3): the day it was ended
        or paused, which would be active but for that end or pause. Else None."""
        version = self._scheduled(day)
        if version is None or (self.ended_on is not None and day > self.ended_on):
            return None
        covering = [pause for pause in self.pauses if pause.covers(day)]
        if any(pause.paused_on != day for pause in covering):
            return None  # paused since an earlier day
        return version if covering or day == self.ended_on else None

    def accepting_version(self, day: date) -> ScheduleVersion | None:
        """The version a practice on `day` is judged by: on an active or a closing day."""
        return self.active_version(day) or self.closing_version(day)

    def weekly_version(self, day: date, *, closing: bool = False) -> ScheduleVersion | None:
        """The active version on `day` when it is an "N times a week" one; with `closing`, the
        version of an active or a closing day."""
        version = self.accepting_version(day) if closing else self.active_version(day)
        return _weekly(version)

    def _scheduled(self, day: date) -> ScheduleVersion | None:
        """The version in force on `day` when `day` is in its start..end, ends and pauses aside."""
        version = self.version_on(day)
        if version is None or day < version.start:
            return None
        if version.end is not None and day > version.end:
            return None
        return version

    def _open_weekly(self, day: date, monday: date) -> ScheduleVersion | None:
        """The "N times a week" version `day` would have without the ends and pauses made in
        the week from `monday`: the optional quota of rule 5."""
        version = self._scheduled(day)
        if self.ended_on is not None and self.ended_on < monday:  # ended in an earlier week
            return None
        if any(pause.paused_on < monday and pause.covers(day) for pause in self.pauses):
            return None
        return _weekly(version)


class Cadence(StrEnum):
    DAY = "day"  # due on one scheduled day (daily, chosen weekdays)
    WEEK = "week"  # one of a week's quota (N times a week)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One thing due: a scheduled day's practice, or one of a week's N."""

    assignment_id: int
    cadence: Cadence
    due: date  # its day, or for WEEK the last active day of its week (the deadline)
    week: date  # the Monday of its ISO week
    slot: int  # 1 for DAY; 1..of for WEEK (optional slots after)
    of: int  # 1 for DAY; the week's quota for WEEK (in `evaluate`, the week's items that exist)
    version: ScheduleVersion  # in force on `due`: what to do, the note, the part of the day
    # On a closing day, or a week's slot beyond what its active days owe (slot > of): it exists
    # only when fulfilled (rule 3). `wellness.care.adherence.evaluate` drops it otherwise.
    optional: bool = False


def week_of(day: date) -> date:
    """The Monday starting `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def days(first: date, last: date) -> Iterator[date]:
    """Every day from `first` to `last`, both included."""
    for ordinal in range(first.toordinal(), last.toordinal() + 1):
        yield date.fromordinal(ordinal)


def day_occurrence(
    assignment: Assignment, day: date, *, optional: bool = False
) -> Occurrence | None:
    """The item due on `day` itself (daily or chosen weekdays), if any; with `optional`, also
    the optional item of a closing day (rule 3)."""
    version = assignment.active_version(day)
    closing = version is None and optional
    if closing:
        version = assignment.closing_version(day)
    if version is None or not version.schedule.falls_on(day):
        return None
    return Occurrence(assignment.id, Cadence.DAY, day, week_of(day), 1, 1, version, closing)


def week_occurrences(
    assignment: Assignment, monday: date, *, optional: bool = False
) -> tuple[Occurrence, ...]:
    """The week's "N times a week" quota, as that many occurrences (rule 5); with `optional`,
    then the optional ones of a week with a closing day."""
    if not assignment._weekly:
        return ()
    week = list(days(monday, monday + 6 * _DAY))
    active = [(day, v) for day in week if (v := assignment.weekly_version(day)) is not None]
    quota = _quota(version for _, version in active)
    closing: list[tuple[date, ScheduleVersion]] = []
    allowance = quota
    if optional:
        closing = [
            (day, v) for day in week if (v := _weekly(assignment.closing_version(day))) is not None
        ]
        if closing:
            allowance = _quota(v for day in week if (v := assignment._open_weekly(day, monday)))
    if not allowance:
        return ()
    due, version = (active or closing)[-1]
    return tuple(
        Occurrence(assignment.id, Cadence.WEEK, due, monday, slot, quota, version, slot > quota)
        for slot in range(1, allowance + 1)
    )


def occurrences(
    assignment: Assignment, first: date, last: date, *, optional: bool = False
) -> tuple[Occurrence, ...]:
    """Everything due from `first` to `last`: the day items on those days, and the whole quota of
    every week that overlaps them (its deadline may lie after `last`). By week, then due day.
    With `optional`, also the optional items of closing days (rule 3)."""
    found: list[Occurrence] = []
    monday = week_of(first)
    while monday <= last:
        for day in days(max(first, monday), min(last, monday + 6 * _DAY)):
            item = day_occurrence(assignment, day, optional=optional)
            if item is not None:
                found.append(item)
        found.extend(week_occurrences(assignment, monday, optional=optional))
        monday += 7 * _DAY
    found.sort(key=lambda item: (item.week, item.due, item.cadence is Cadence.WEEK, item.slot))
    return tuple(found)


def due_on(assignment: Assignment, day: date) -> tuple[Occurrence, ...]:
    """What the assignment puts on `day`'s plan: that day's item, or, on an active day of an
    "N times a week" version, the week's quota (done or not)."""
    item = day_occurrence(assignment, day)
    if item is not None:
        return (item,)
    if assignment.weekly_version(day) is None:
        return ()
    return week_occurrences(assignment, week_of(day))


def _weekly(version: ScheduleVersion | None) -> ScheduleVersion | None:
    """`version` when it is an "N times a week" one."""
    if version is None or version.schedule.frequency is not Frequency.TIMES_A_WEEK:
        return None
    return version


def _quota(versions: Iterable[ScheduleVersion]) -> int:
    """N/7 for each day of a week under an "N times a week" version, rounded up (rule 5)."""
    return -(-sum(version.schedule.times_a_week for version in versions) // 7)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
