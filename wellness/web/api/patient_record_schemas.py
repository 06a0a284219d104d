"""What `GET /api/v1/patients/{id}` answers: a patient's record as their care team sees it.
Health data leaves only through these explicit shapes; times are aware, in the patient's zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import msgspec

from wellness.accounts.models import User
from wellness.caseload import helps
from wellness.caseload import record as records
from wellness.catalog.kinds import Kind
from wellness.practice.rules import Evidence
from wellness.suggestions.logs import LastSuggestions, ShownItem
from wellness.web.api.assignments_schemas import AssignmentOut
from wellness.web.api.care_schemas import AlertOut
from wellness.web.api.practice_schemas import StreakOut


class LastCheckinOut(msgspec.Struct):
    level: int
    tags: list[str]
    note: str
    occurred_at: datetime
    ago: str


class Gad7Out(msgspec.Struct):
    total: int
    band: str
    occurred_at: datetime
    change: int | None  # since the one before; null for the first


class PatientHeaderOut(msgspec.Struct):
    id: int
    name: str
    time_zone: str
    local_time: datetime  # now, in the patient's zone
    current_streak: int
    practised_today: bool
    last_checkin: LastCheckinOut | None
    latest_gad7: Gad7Out | None
    open_alerts: list[AlertOut]

    @classmethod
    def of(cls, header: records.Header) -> PatientHeaderOut:
        last, gad7 = header.last_checkin, header.gad7
        return cls(
            id=header.patient_id,
            name=header.name,
            time_zone=header.time_zone,
            local_time=header.local_now,
            current_streak=header.current_streak,
            practised_today=header.practised_today,
            last_checkin=LastCheckinOut(
                last.level, list(last.tags), last.note, last.occurred_at, last.ago
            )
            if last
            else None,
            latest_gad7=Gad7Out(gad7.total, gad7.band.value, gad7.occurred_at, gad7.change)
            if gad7
            else None,
            open_alerts=[AlertOut.of(alert) for alert in header.open_alerts],
        )


class PracticeEntryOut(msgspec.Struct):
    id: int
    started_at: datetime
    title: str
    session_id: int | None
    kind: Kind
    evidence: Evidence  # observed_playback, self_report or staff_attested
    attested_by: str
    listened_seconds: int
    duration_seconds: float | None
    complete: bool  # by the clinic's completion rule
    anxiety_before: int | None
    anxiety_after: int | None
    note: str
    # Which of the two ratings are quick check-ins the practice took ("before", "after").
    ratings_from_checkins: list[str]

    @classmethod
    def of(cls, entry: records.PracticeEntry) -> PracticeEntryOut:
        return cls(
            entry.id,
            entry.started_at,
            entry.title,
            entry.session_id,
            entry.kind,
            entry.evidence,
            entry.attested_by,
            entry.listened_seconds,
            entry.duration_seconds,
            entry.complete,
            entry.before,
            entry.after,
            entry.note,
            entry.sides_from_checkins,
        )


class PracticePageOut(msgspec.Struct):
    items: list[PracticeEntryOut]
    page: int
    pages: int
    total: int


class AlertPageOut(msgspec.Struct):
    items: list[AlertOut]
    page: int
    pages: int
    total: int


class HelpedOut(msgspec.Struct):
    label: str
    ratings: int
    mean_before: float
    mean_after: float
    change: float  # mean after minus mean before: negative is calmer
    lowered: int
    raised: int
    enough_ratings: bool

    @classmethod
    def of(cls, item: helps.Helped) -> HelpedOut:
        return cls(
            item.label,
            item.ratings,
            round(item.mean_before, 2),
            round(item.mean_after, 2),
            round(item.change, 2),
            item.lowered,
            item.raised,
            item.enough,
        )


class WhatHelpsOut(msgspec.Struct):
    by_session: list[HelpedOut]
    by_kind: list[HelpedOut]
    ratings: int
    enough_from: int  # pairs needed before a figure counts as more than tentative


class ShownItemOut(msgspec.Struct):
    session_id: int
    title: str
    kind: str
    minutes: float
    probability: float  # the chance the engine gave it of being shown
    reasons: list[str]
    followed: bool  # a practice of it was started from this list

    @classmethod
    def of(cls, item: ShownItem) -> ShownItemOut:
        return cls(
            item.session_id,
            item.title,
            item.kind,
            round(item.minutes, 2),
            round(item.probability, 4),
            list(item.reasons),
            item.followed,
        )


class LastSuggestedOut(msgspec.Struct):
    """The last list of suggestions the patient was shown, and why."""

    suggestion_id: int
    shown_at: datetime  # in the patient's zone
    engine_version: str
    anxiety: int | None  # the rating the list was chosen for; None without a recent one
    tier: str
    items: list[ShownItemOut]

    @classmethod
    def of(cls, shown: LastSuggestions, time_zone: str) -> LastSuggestedOut:
        return cls(
            shown.suggestion_id,
            shown.shown_at.astimezone(ZoneInfo(time_zone)),
            shown.engine_version,
            shown.anxiety,
            shown.tier,
            [ShownItemOut.of(item) for item in shown.items],
        )


class PatientRecordOut(msgspec.Struct):
    patient: PatientHeaderOut
    streak: StreakOut
    practice: PracticePageOut
    alerts: AlertPageOut
    what_helps: WhatHelpsOut
    assignments: list[AssignmentOut]  # every assignment with its adherence, ended ones too
    last_suggested: LastSuggestedOut | None  # None before the patient was shown any

    @classmethod
    def of(
        cls, patient: User, found: records.PatientRecord, shown: LastSuggestions | None
    ) -> PatientRecordOut:
        practice, alerts, helped = found.practice, found.alerts, found.helps
        return cls(
            patient=PatientHeaderOut.of(found.header),
            streak=StreakOut.of(found.progress.streak, hidden=patient.hide_streaks),
            practice=PracticePageOut(
                [PracticeEntryOut.of(entry) for entry in practice.items],
                practice.page,
                practice.pages,
                practice.total,
            ),
            alerts=AlertPageOut(
                [AlertOut.of(alert) for alert in alerts.items],
                alerts.page,
                alerts.pages,
                alerts.total,
            ),
            what_helps=WhatHelpsOut(
                [HelpedOut.of(item) for item in helped.by_session],
                [HelpedOut.of(item) for item in helped.by_kind],
                helped.ratings,
                helps.ENOUGH_RATINGS,
            ),
            assignments=[AssignmentOut.of(item) for item in found.assignments],
            last_suggested=(
                None if shown is None else LastSuggestedOut.of(shown, found.header.time_zone)
            ),
        )
