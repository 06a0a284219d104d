"""What `GET /api/v1/patients/{id}` answers: a patient's record as their care team sees it.
Health data leaves only through these explicit shapes; times are aware, in the patient's zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import msgspec

from wellness.accounts.models import User
from wellness.caseload import helps
from wellness.caseload import record as records
from wellness.practice.rules import Evidence, PracticeKind
from wellness.suggestions.logs import LastSuggestions, ShownItem
from wellness.web.api.assignments_schemas import AssignmentOut
from wellness.web.api.care_schemas import AlertOut
from wellness.web.api.practice_schemas import StreakOut
from wellness.web.collection_views import FollowedCollectionOut
from wellness.web.shapes import PageOut, copied


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
        return copied(
            cls,
            header,
            id=header.patient_id,
            local_time=header.local_now,
            last_checkin=copied(LastCheckinOut, last, tags=list(last.tags)) if last else None,
            latest_gad7=copied(Gad7Out, gad7, band=gad7.band.value) if gad7 else None,
            open_alerts=[AlertOut.of(alert) for alert in header.open_alerts],
        )


class PracticeEntryOut(msgspec.Struct):
    id: int
    started_at: datetime
    title: str  # the session's title, the kind, or the patient's name for an "other" practice
    session_id: int | None
    kind: PracticeKind
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
        return copied(
            cls,
            entry,
            anxiety_before=entry.before,
            anxiety_after=entry.after,
            ratings_from_checkins=entry.sides_from_checkins,
        )


class PracticePageOut(PageOut):
    items: list[PracticeEntryOut]


class AlertPageOut(PageOut):
    items: list[AlertOut]


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
        return copied(
            cls,
            item,
            mean_before=round(item.mean_before, 2),
            mean_after=round(item.mean_after, 2),
            change=round(item.change, 2),
            enough_ratings=item.enough,
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
        return copied(
            cls,
            item,
            minutes=round(item.minutes, 2),
            probability=round(item.probability, 4),
            reasons=list(item.reasons),
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
        shown_at = shown.shown_at.astimezone(ZoneInfo(time_zone))
        items = [ShownItemOut.of(item) for item in shown.items]
        return copied(cls, shown, shown_at=shown_at, items=items)


class PatientRecordOut(msgspec.Struct):
    patient: PatientHeaderOut
    streak: StreakOut
    practice: PracticePageOut
    alerts: AlertPageOut
    what_helps: WhatHelpsOut
    assignments: list[AssignmentOut]  # every assignment with its adherence, ended ones too
    last_suggested: LastSuggestedOut | None  # None before the patient was shown any
    # The published collections the patient follows, the latest started first, with progress.
    collections: list[FollowedCollectionOut]

    @classmethod
    def of(
        cls, patient: User, found: records.PatientRecord, shown: LastSuggestions | None
    ) -> PatientRecordOut:
        practice, alerts, helped = found.practice, found.alerts, found.helps
        return cls(
            patient=PatientHeaderOut.of(found.header),
            streak=StreakOut.of(found.progress.streak, hidden=patient.hide_streaks),
            practice=PracticePageOut.paged(
                [PracticeEntryOut.of(entry) for entry in practice.items], practice
            ),
            alerts=AlertPageOut.paged([AlertOut.of(alert) for alert in alerts.items], alerts),
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
            collections=[
                FollowedCollectionOut.of(item, found.header.time_zone) for item in found.collections
            ],
        )
