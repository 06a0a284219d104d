"""What the check-in, GAD-7, practice and streak APIs accept and answer. Unknown input fields
are refused, and health data leaves only through these explicit shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from wellness.care.models import Alert
from wellness.catalog.kinds import Kind
from wellness.checkins.models import Checkin, Gad7Response
from wellness.checkins.scoring import CheckinContext, Gad7Band
from wellness.practice.models import PracticeLog
from wellness.practice.rules import Evidence
from wellness.practice.streaks import StreakPeriod, StreakSummary
from wellness.settings import CarePolicy
from wellness.web.strict_json import StrictBody

Level = Annotated[int, msgspec.Meta(ge=0, le=10)]
Moment = Annotated[datetime, msgspec.Meta(tz=True)]
Seconds = Annotated[int, msgspec.Meta(ge=0, le=24 * 3600)]
Note = Annotated[str, msgspec.Meta(max_length=500)]
ContextTagName = Annotated[str, msgspec.Meta(max_length=40)]


class Support(msgspec.Struct):
    """Shown with any rating that raised an alert: who to contact and a calming next step."""

    message: str
    clinic_contact: str
    crisis_line: str
    monitored_always: bool
    support_url: str = "/support"

    @classmethod
    def of(cls, alerts: list[Alert], policy: CarePolicy) -> Support | None:
        if not alerts:
            return None
        return cls(
            message="Thank you for telling us. Your care team will see this.",
            clinic_contact=policy.clinic_contact,
            crisis_line=policy.crisis_line,
            monitored_always=policy.monitored_always,
        )


class CheckinCreate(StrictBody):
    level: Level
    note: Note = ""
    tags: Annotated[list[ContextTagName], msgspec.Meta(max_length=10)] = msgspec.field(
        default_factory=list
    )
    occurred_at: Moment | None = None


class CheckinOut(msgspec.Struct):
    id: int
    level: int
    note: str
    tags: list[str]
    context: CheckinContext
    practice_id: int | None
    occurred_at: datetime

    @classmethod
    def of(cls, checkin: Checkin) -> CheckinOut:
        return cls(
            checkin.id,
            checkin.level,
            checkin.note,
            list(checkin.tags),
            checkin.context,
            checkin.practice_id,
            checkin.occurred_at,
        )


class CheckinCreated(msgspec.Struct):
    checkin: CheckinOut
    alert_raised: bool
    support: Support | None


class CheckinList(msgspec.Struct):
    items: list[CheckinOut]
    page: int
    pages: int
    total: int


class Gad7Create(StrictBody):
    answers: list[int]
    occurred_at: Moment | None = None


class Gad7Out(msgspec.Struct):
    id: int
    answers: list[int]
    total: int
    band: Gad7Band
    occurred_at: datetime

    @classmethod
    def of(cls, response: Gad7Response) -> Gad7Out:
        return cls(
            response.id, list(response.answers), response.total, response.band, response.occurred_at
        )


class Gad7Created(msgspec.Struct):
    total: int
    band: Gad7Band
    response: Gad7Out
    alert_raised: bool
    support: Support | None


class Gad7List(msgspec.Struct):
    items: list[Gad7Out]
    page: int
    pages: int
    total: int
    # Offered again once the last answers are the clinic's interval old (14 days by default).
    due: bool


class PracticeCreate(StrictBody):
    started_at: Moment
    listened_seconds: Seconds
    session_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)] | None = None
    kind: Kind | None = None
    completed: bool = False
    anxiety_before: Level | None = None
    anxiety_after: Level | None = None
    note: Note = ""


class PracticeStart(StrictBody):
    session_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
    anxiety_before: Level | None = None


class ProgressReport(StrictBody):
    listened_seconds: Seconds


class RatingAfter(StrictBody):
    anxiety_after: Level


class PracticeOut(msgspec.Struct):
    id: int
    session_id: int | None
    kind: Kind
    evidence: Evidence
    started_at: datetime
    listened_seconds: int
    duration_seconds: float | None
    completed: bool

    @classmethod
    def of(cls, practice: PracticeLog) -> PracticeOut:
        return cls(
            practice.id,
            practice.session_id,
            practice.kind,
            practice.evidence,
            practice.started_at,
            practice.listened_seconds,
            practice.duration_seconds,
            practice.completed,
        )


class PracticeCreated(msgspec.Struct):
    practice: PracticeOut
    alert_raised: bool
    support: Support | None


class PracticeList(msgspec.Struct):
    items: list[PracticeOut]
    page: int
    pages: int
    total: int


class AttestCreate(StrictBody):
    kind: Kind
    minutes: Annotated[int, msgspec.Meta(ge=1, le=360)]
    started_at: Moment
    note: Note = ""


class PeriodOut(msgspec.Struct):
    start: date
    end: date
    days: int

    @classmethod
    def of(cls, period: StreakPeriod) -> PeriodOut:
        return cls(period.start, period.end, period.days)


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
        return cls(
            current=summary.current,
            longest=summary.longest,
            total_days=summary.total_days,
            total_minutes=summary.total_minutes,
            days_last_7=summary.days_last_7,
            days_last_30=summary.days_last_30,
            practised_today=summary.practised_today,
            today=summary.today,
            milestone=summary.milestone,
            next_milestone=summary.next_milestone,
            history=[PeriodOut.of(period) for period in summary.history],
            hidden_on_pages=hidden,
        )


class AlertOut(msgspec.Struct):
    id: int
    patient_id: int
    patient_name: str
    reason: str
    value: int
    detail: str
    created_at: datetime
    acknowledged_at: datetime | None
