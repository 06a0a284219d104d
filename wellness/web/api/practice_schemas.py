"""What the practice and streak APIs accept and answer. Unknown input fields are refused, and
health data leaves only through these explicit shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from wellness.caseload.attendance import MAX_GROUP, Attended
from wellness.checkins.fields import Anxiety
from wellness.checkins.services import AroundPractice
from wellness.practice.models import PracticeLog
from wellness.practice.rules import Evidence, PracticeKind
from wellness.practice.streaks import StreakPeriod, StreakSummary
from wellness.web.api.care_schemas import AttestCreate, Support
from wellness.web.api.fields import Moment, Note
from wellness.web.ids import BodyId
from wellness.web.shapes import PageOut, copied
from wellness.web.strict_json import StrictBody

Seconds = Annotated[int, msgspec.Meta(ge=0, le=24 * 3600)]


# Bounds what is read; the name's own limit (rules.MAX_OTHER_LABEL, after trimming) is checked
# with a message of its own.
OtherLabel = Annotated[str, msgspec.Meta(max_length=200)]


class PracticeCreate(StrictBody):
    started_at: Moment
    listened_seconds: Seconds
    session_id: BodyId | None = None
    # "other" for practice the catalog has no kind for, named (if you like) in `other_label`.
    kind: PracticeKind | None = None
    other_label: OtherLabel = ""
    completed: bool = False
    anxiety_before: Anxiety | None = None
    anxiety_after: Anxiety | None = None
    note: Note = ""
    suggestion_id: BodyId | None = None  # the list of suggestions it was chosen from, if any


class PracticeStart(StrictBody):
    session_id: BodyId
    anxiety_before: Anxiety | None = None
    suggestion_id: BodyId | None = None  # the list of suggestions it was chosen from, if any


class ProgressReport(StrictBody):
    listened_seconds: Seconds


class RatingAfter(StrictBody):
    anxiety_after: Anxiety


class PracticeOut(msgspec.Struct):
    id: int
    session_id: int | None
    kind: PracticeKind
    other_label: str  # what the patient called a practice of kind "other"; "" otherwise
    evidence: Evidence
    started_at: datetime
    listened_seconds: int
    duration_seconds: float | None
    completed: bool

    @classmethod
    def of(cls, practice: PracticeLog) -> PracticeOut:
        return copied(cls, practice)


class PracticeCreated(msgspec.Struct):
    practice: PracticeOut
    alert_raised: bool
    support: Support | None
    # The ratings the practice now holds: as given, or for `anxiety_before` the patient's
    # check-in it took as one (null where it has none).
    anxiety_before: int | None
    anxiety_after: int | None


class PracticeListItem(PracticeOut):
    """A practice in the patient's list, with the ratings it holds (as `PracticeCreated`) and
    the note the patient wrote with it."""

    anxiety_before: int | None = None
    anxiety_after: int | None = None
    note: str = ""

    @classmethod
    def rated(cls, practice: PracticeLog, around: AroundPractice | None) -> PracticeListItem:
        ratings = around or AroundPractice()
        return cls(
            **msgspec.structs.asdict(PracticeOut.of(practice)),
            anxiety_before=ratings.before,
            anxiety_after=ratings.after,
            note=practice.note,
        )


class PracticeList(PageOut):
    items: list[PracticeListItem]


class PeriodOut(msgspec.Struct):
    start: date
    end: date
    days: int

    @classmethod
    def of(cls, period: StreakPeriod) -> PeriodOut:
        return copied(cls, period)


class StreakOut(msgspec.Struct):
    current: int
    longest: int
    total_days: int
    total_minutes: int
    days_last_7: int
    days_last_30: int
    practised_today: bool
    today: date
    milestone: int | None
    next_milestone: int | None
    history: list[PeriodOut]
    hidden_on_pages: bool

    @classmethod
    def of(cls, summary: StreakSummary, *, hidden: bool) -> StreakOut:
        history = [PeriodOut.of(period) for period in summary.history]
        return copied(cls, summary, history=history, hidden_on_pages=hidden)


class AttendanceCreate(AttestCreate, kw_only=True):
    """A practice several patients of your caseload attended together (a group class): one
    patient's attestation (`AttestCreate`) for each id, each id once, every one of them on
    your caseload and active."""

    patient_ids: Annotated[list[BodyId], msgspec.Meta(min_length=1, max_length=MAX_GROUP)]


class AttendedOut(msgspec.Struct):
    """One patient of the group and the staff-attested practice stored for them."""

    patient_id: int
    patient_name: str
    practice: PracticeOut

    @classmethod
    def of(cls, attended: Attended) -> AttendedOut:
        return cls(
            patient_id=attended.patient.id,
            patient_name=attended.patient.display_name,
            practice=PracticeOut.of(attended.practice),
        )


class AttendanceOut(msgspec.Struct):
    """The practices a group's attendance stored, in the order of `patient_ids`."""

    attended: list[AttendedOut]
