"""What the assigned-practice API accepts and answers. Unknown input fields are refused; health
data leaves only through these shapes."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec

from wellness.care.schedule import Frequency, PartOfDay
from wellness.caseload.assignments import MAX_NOTE, AssignmentInput
from wellness.caseload.daily_plan import PlanEntry, TodaysPlan
from wellness.caseload.plan import AssignmentAdherence
from wellness.catalog.kinds import Kind
from wellness.practice.rules import MAX_PRACTICE_MINUTES
from wellness.web.ids import BodyId
from wellness.web.shapes import copied
from wellness.web.strict_json import StrictBody

Minutes = Annotated[int, msgspec.Meta(ge=1, le=MAX_PRACTICE_MINUTES)]
TimesAWeek = Annotated[int, msgspec.Meta(ge=1, le=7)]
Weekday = Annotated[int, msgspec.Meta(ge=1, le=7)]
Weekdays = Annotated[list[Weekday], msgspec.Meta(max_length=7)]
AssignmentNote = Annotated[str, msgspec.Meta(max_length=MAX_NOTE)]
UNSET = msgspec.UNSET
Unset = msgspec.UnsetType


class AssignmentCreate(StrictBody):
    """One target: a session (`session_id`), a kind with `min_minutes`..`max_minutes`, or a
    collection (`collection_id`: any session in it); a schedule."""

    session_id: BodyId | None = None
    collection_id: BodyId | None = None
    kind: Kind | None = None
    min_minutes: Minutes | None = None
    max_minutes: Minutes | None = None
    frequency: Frequency = Frequency.DAILY
    times_a_week: TimesAWeek | None = None  # with frequency "times_a_week"
    weekdays: Weekdays = msgspec.field(default_factory=list)  # ISO 1 = Monday; "weekdays"
    part_of_day: PartOfDay | None = None
    start: date | None = None  # default: the patient's today
    end: date | None = None
    note: AssignmentNote = ""

    def entry(self) -> AssignmentInput:
        return AssignmentInput(
            session_id=self.session_id,
            collection_id=self.collection_id,
            kind=self.kind.value if self.kind else "",
            min_minutes=self.min_minutes,
            max_minutes=self.max_minutes,
            frequency=self.frequency.value,
            times_a_week=self.times_a_week or 0,
            weekdays=tuple(self.weekdays),
            part_of_day=self.part_of_day.value if self.part_of_day else "",
            start=self.start,
            end=self.end,
            note=self.note,
        )


Action = Literal["change", "pause", "resume", "end"]


class AssignmentPatch(StrictBody):
    """`action` "change" takes any of the fields (the rest stay as they are, from today on);
    "pause", "resume" and "end" take none."""

    action: Action
    session_id: BodyId | Unset | None = UNSET
    collection_id: BodyId | Unset | None = UNSET
    kind: Kind | Unset | None = UNSET
    min_minutes: Minutes | Unset | None = UNSET
    max_minutes: Minutes | Unset | None = UNSET
    frequency: Frequency | Unset = UNSET
    times_a_week: TimesAWeek | Unset | None = UNSET
    weekdays: Weekdays | Unset = UNSET
    part_of_day: PartOfDay | Unset | None = UNSET
    start: date | Unset = UNSET
    end: date | Unset | None = UNSET
    note: AssignmentNote | Unset = UNSET

    def given(self) -> dict[str, object]:
        """The fields sent besides `action`, as AssignmentInput's values."""
        found: dict[str, object] = {}
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if name == "action" or value is UNSET:
                continue
            if isinstance(value, Kind | Frequency | PartOfDay):
                value = value.value
            elif name in {"kind", "part_of_day"} and value is None:
                value = ""
            elif name == "weekdays":
                value = tuple(value)
            elif name == "times_a_week" and value is None:
                value = 0
            found[name] = value
        return found


class AdherenceOut(msgspec.Struct):
    """done / prescribed: items whose day (or week) has passed; pending ones are still open."""

    done: int
    prescribed: int
    pending: int
    week_done: int
    week_prescribed: int
    week_pending: int
    overdue: int


class AssignmentOut(msgspec.Struct):
    id: int
    title: str
    session_id: int | None
    collection_id: int | None
    collection_title: str | None
    kind: str | None
    min_minutes: int | None
    max_minutes: int | None
    frequency: str
    times_a_week: int | None
    weekdays: list[int]
    part_of_day: str | None
    schedule: str
    start: date
    end: date | None
    note: str
    state: str
    adherence: AdherenceOut
    # Why nothing can be started for it now (an assignment in force): "skipped" (the patient's
    # restrictions rule it out), "withdrawn" (the session or collection left the library) or
    # "none_fits" (no published session fits the kind and length, or is in the collection).
    unavailable: str | None = None

    @classmethod
    def of(cls, found: AssignmentAdherence) -> AssignmentOut:
        return copied(
            cls,
            found,
            collection_title=found.collection_title or None,
            kind=found.kind or None,
            times_a_week=found.times_a_week or None,
            weekdays=list(found.weekdays),
            part_of_day=found.part_of_day.lower() or None,
            state=found.state.value,
            adherence=copied(AdherenceOut, found),
            unavailable=found.unavailable.value if found.unavailable else None,
        )


class AssignmentList(msgspec.Struct):
    items: list[AssignmentOut]
    # The patient asked to keep figures like these off their own pages (still sent here).
    hidden_on_pages: bool = False


class PlanItemOut(msgspec.Struct):
    assignment_id: int
    title: str
    collection_id: int | None  # for a collection's item: one tap starts its next session
    collection_title: str | None
    note: str
    part_of_day: str | None
    weekly: bool  # an "N times a week" quota: `due` is the week's number
    due: int
    done: int
    complete: bool
    practice_ids: list[int]  # the practices that fulfilled it
    start_session_id: int | None  # one tap starts this session (/sessions/{id})
    start_session_title: str | None
    skipped: bool  # the care team asked the patient to skip the assigned session for now
    # Why nothing can be started for it now: "skipped" (as above), "withdrawn" (the session or
    # collection is no longer in the library) or "none_fits" (no published session of the kind
    # and length, or in the collection).
    unavailable: str | None = None

    @classmethod
    def of(cls, entry: PlanEntry) -> PlanItemOut:
        return copied(
            cls,
            entry,
            collection_title=entry.collection_title or None,
            part_of_day=entry.part_of_day.lower() or None,
            practice_ids=list(entry.practice_ids),
            start_session_title=entry.start_session_title or None,
            unavailable=entry.unavailable.value if entry.unavailable else None,
        )


class PlanOut(msgspec.Struct):
    today: date
    items: list[PlanItemOut]

    @classmethod
    def of(cls, plan: TodaysPlan) -> PlanOut:
        return cls(plan.today, [PlanItemOut.of(entry) for entry in plan.items])
