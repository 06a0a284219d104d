"""A patient's record as their care team sees it on `/care/patients/{id}`: the header (local time,
streak, last check-in, latest GAD-7, open alerts), the progress charts' data (the patient's own
`practice.progress`), practice history with its evidence, alert history, what helps, the
assigned practices with their adherence (`caseload.plan`) and the collections the patient
follows with their progress (`caseload.collection_progress`).

The caller has checked that the viewer is on the patient's current care team. Times are shown in
the patient's zone: their days are the ones that count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.caseload import alerts as caseload_alerts
from wellness.caseload import collection_progress, helps, plan
from wellness.caseload.alerts import AlertView
from wellness.caseload.kept import KeyedCache, care_and_catalog_tokens
from wellness.catalog.services import session_titles
from wellness.checkins import services as checkins
from wellness.checkins.models import Checkin, Gad7Response
from wellness.checkins.scoring import CheckinContext, Gad7Band
from wellness.db import paged
from wellness.lib.elapsed import ago
from wellness.lib.paging import Page
from wellness.practice import history, progress, rules
from wellness.practice.models import PracticeLog
from wellness.practice.rules import Evidence, PracticeKind
from wellness.settings import CarePolicy

PRACTICE_PER_PAGE = 15

# The evidence kinds as staff name them (the patient's pages say "Logged by you" and so on).
EVIDENCE_LABELS = {
    Evidence.OBSERVED_PLAYBACK: "Observed playback",
    Evidence.SELF_REPORT: "Self-report",
    Evidence.STAFF_ATTESTED: "Attested",
}


@dataclass(frozen=True, slots=True)
class LastCheckin:
    level: int
    tags: tuple[str, ...]  # labels
    note: str
    occurred_at: datetime  # in the patient's zone
    ago: str


@dataclass(frozen=True, slots=True)
class LatestGad7:
    total: int
    band: Gad7Band
    occurred_at: datetime  # in the patient's zone
    change: int | None  # since the one before; None for the first


@dataclass(frozen=True, slots=True)
class Header:
    patient_id: int
    name: str
    active: bool  # a deactivated account keeps its record, but takes no new attendance
    time_zone: str
    local_now: datetime
    current_streak: int
    practised_today: bool
    last_checkin: LastCheckin | None
    gad7: LatestGad7 | None
    open_alerts: list[AlertView]


@dataclass(frozen=True, slots=True)
class PracticeEntry:
    id: int
    started_at: datetime  # in the patient's zone
    # The session's title; for practice without a session its kind, or the name the patient
    # gave a practice of kind Other (`rules.practice_name`).
    title: str
    session_id: int | None
    kind: PracticeKind
    evidence: Evidence
    attested_by: str  # the attesting staff member's name, "" otherwise
    listened_seconds: int
    duration_seconds: float | None
    complete: bool  # by the clinic's completion rule now
    before: int | None
    after: int | None
    note: str
    # The sides whose rating is a quick check-in the practice took (`checkins.scoring`), not
    # one given on the session page or with the logged practice.
    from_checkins: tuple[CheckinContext, ...] = ()

    @property
    def evidence_label(self) -> str:
        return EVIDENCE_LABELS[self.evidence]

    @property
    def sides_from_checkins(self) -> list[str]:
        """The plain names of `from_checkins` ("before", "after")."""
        return [side.value.removesuffix("_session") for side in self.from_checkins]

    @property
    def from_checkins_label(self) -> str:
        sides = self.sides_from_checkins
        return f"{' and '.join(sides)} from a check-in" if sides else ""


@dataclass(frozen=True, slots=True)
class PatientRecord:
    header: Header
    progress: progress.Progress
    practice: Page[PracticeEntry]
    alerts: Page[AlertView]
    helps: helps.WhatHelps
    assignments: list[plan.AssignmentAdherence]  # every assignment, ended ones too, newest first
    collections: list[collection_progress.CollectionProgress]  # those followed, latest first


async def patient_record(
    patient: User,
    *,
    policy: CarePolicy,
    now: datetime,
    practice_page: int = 1,
    alerts_page: int = 1,
) -> PatientRecord:
    found = await progress.progress_for(patient, policy=policy, now=now)
    return PatientRecord(
        header=await header_for(patient, found, now=now),
        progress=found,
        practice=await practice_history(patient, policy=policy, page=practice_page),
        alerts=await caseload_alerts.alert_history(patient, page=alerts_page),
        helps=helps.what_helps(await rated_practice(patient, policy=policy)),
        assignments=await plan.adherence_for(patient, policy=policy, now=now),
        collections=await collection_progress.progress_of(patient, policy=policy),
    )


async def header_for(patient: User, found: progress.Progress, *, now: datetime) -> Header:
    zone = ZoneInfo(patient.time_zone)
    return Header(
        patient_id=patient.id,
        name=patient.display_name,
        active=patient.is_active,
        time_zone=patient.time_zone,
        local_now=now.astimezone(zone),
        current_streak=found.streak.current,
        practised_today=found.streak.practised_today,
        last_checkin=await _last_checkin(patient, zone, now),
        gad7=await _latest_gad7(patient, zone),
        open_alerts=await caseload_alerts.open_alerts_of(patient),
    )


async def _last_checkin(patient: User, zone: ZoneInfo, now: datetime) -> LastCheckin | None:
    """The latest quick check-in (ratings around a session are on the anxiety chart)."""
    latest = (
        await Checkin.filter(patient_id=patient.id, context=CheckinContext.QUICK)
        .order_by("-occurred_at", "-id")
        .first()
    )
    if latest is None:
        return None
    tags = tuple(caseload_alerts.tag_label(tag) for tag in latest.tags)
    moment = latest.occurred_at
    return LastCheckin(latest.level, tags, latest.note, moment.astimezone(zone), ago(moment, now))


async def _latest_gad7(patient: User, zone: ZoneInfo) -> LatestGad7 | None:
    last_two = (
        await Gad7Response.filter(patient_id=patient.id)
        .order_by("-occurred_at", "-id")
        .limit(2)
        .values_list("total", "band", "occurred_at")
    )
    if not last_two:
        return None
    total, band, occurred_at = last_two[0]
    change = total - last_two[1][0] if len(last_two) > 1 else None
    return LatestGad7(total, Gad7Band(band), occurred_at.astimezone(zone), change)


async def practice_history(
    patient: User, *, policy: CarePolicy, page: int = 1, per_page: int = PRACTICE_PER_PAGE
) -> Page[PracticeEntry]:
    """A page of practice, newest first, with its evidence and the ratings around it; the page
    last read is kept per patient while nothing it shows has changed (`_kept_history`)."""
    care, catalog = await care_and_catalog_tokens()  # read before the data
    return await _kept_history.kept_or(
        patient.id,
        (care, catalog, patient.time_zone, policy, page, per_page),
        lambda: _practice_history(patient, policy=policy, page=page, per_page=per_page),
        keep=care is not None and catalog is not None,
    )


# By patient, under the care data's change token (every write to practice logs, check-ins and
# staff names renews it), the catalog's (session titles), the patient's zone (the times shown),
# the policy (what counts as complete) and the page: nothing else the list reads. It shows no
# "today", so the day is not in the key.
_kept_history: KeyedCache[Page[PracticeEntry]] = KeyedCache()


async def _practice_history(
    patient: User, *, policy: CarePolicy, page: int, per_page: int
) -> Page[PracticeEntry]:
    found = await paged(
        PracticeLog.filter(patient_id=patient.id),
        "-started_at",
        "-id",
        page=page,
        per_page=per_page,
    )
    logs = found.items
    ids = [log.id for log in logs]
    ratings = await checkins.ratings_around(ids) if ids else {}
    unrated = checkins.AroundPractice()
    titles = await session_titles(log.session_id for log in logs)
    attesters = await accounts.display_names(
        {log.attested_by_id for log in logs if log.attested_by_id}
    )
    zone = ZoneInfo(patient.time_zone)
    entries = [
        PracticeEntry(
            id=log.id,
            started_at=log.started_at.astimezone(zone),
            title=titles.get(log.session_id or 0, rules.practice_name(log.kind, log.other_label)),
            session_id=log.session_id,
            kind=log.kind,
            evidence=log.evidence,
            attested_by=attesters.get(log.attested_by_id or 0, ""),
            listened_seconds=log.listened_seconds,
            duration_seconds=log.duration_seconds,
            complete=_complete(
                log.evidence,
                log.completed,
                log.listened_seconds,
                log.duration_seconds,
                policy,
            ),
            before=ratings.get(log.id, unrated).before,
            after=ratings.get(log.id, unrated).after,
            note=log.note,
            from_checkins=ratings.get(log.id, unrated).from_checkins,
        )
        for log in logs
    ]
    return Page(entries, found.page, found.pages, found.total)


async def rated_practice(
    patient: User,
    *,
    policy: CarePolicy,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[helps.RatedPractice]:
    """Every completed practice of the patient rated both before and after (the progress page's
    rule for what helped), in three narrow queries; only those started in [since, until) when
    given (a report's period)."""
    paired = await history.rated_before_and_after(patient.id)
    if not paired:
        return []
    query = PracticeLog.filter(id__in=list(paired))
    if since is not None:
        query = query.filter(started_at__gte=since)
    if until is not None:
        query = query.filter(started_at__lt=until)
    practices: list[Any] = await query.values_list(
        "id", "session_id", "kind", "evidence", "completed", "listened_seconds", "duration_seconds"
    )
    titles = await session_titles(row[1] for row in practices)
    rated = []
    for practice_id, session_id, kind, evidence, completed, listened, duration in practices:
        if not _complete(Evidence(evidence), bool(completed), listened, duration, policy):
            continue
        before, after = paired[practice_id]
        rated.append(
            helps.RatedPractice(
                kind=PracticeKind(kind).label,
                session=titles.get(session_id) if session_id else None,
                before=before,
                after=after,
            )
        )
    return rated


def _complete(
    evidence: Evidence,
    completed: bool,
    listened_seconds: int,
    duration_seconds: float | None,
    policy: CarePolicy,
) -> bool:
    """The completion rule as `practice.history` applies it for streaks and the charts."""
    return rules.log_counts_as_complete(
        evidence, completed, listened_seconds, duration_seconds, policy.completion_fraction
    )
