"""Builders for assigned-practice tests (services and web): sessions, practice, ratings."""

from __future__ import annotations

from datetime import datetime

from wellness.catalog.kinds import Kind, Posture, Status
from wellness.catalog.models import PracticeSession
from wellness.checkins.models import Checkin
from wellness.checkins.scoring import CheckinContext
from wellness.practice.models import PracticeLog
from wellness.practice.rules import Evidence


async def published(
    title: str,
    *,
    minutes: float,
    kind: Kind = Kind.BREATHING,
    contraindications: list[str] | None = None,
    posture: Posture = Posture.SEATED,
    now: datetime,
) -> PracticeSession:
    return await PracticeSession.create(
        title=title,
        kind=kind,
        status=Status.PUBLISHED,
        duration_seconds=minutes * 60,
        contraindications=contraindications or [],
        posture=posture,
        created_at=now,
        updated_at=now,
        published_at=now,
    )


async def practised(
    patient_id: int,
    started_at: datetime,
    *,
    session: PracticeSession | None = None,
    kind: Kind = Kind.BREATHING,
    minutes: float = 7,
    complete: bool = True,
    time_zone: str = "Europe/Berlin",
    evidence: Evidence | None = None,
) -> PracticeLog:
    """A practice: played here (a session, listened to the end or only a little) or logged."""
    if session is not None:
        length = session.duration_seconds
        return await PracticeLog.create(
            patient_id=patient_id,
            session_id=session.id,
            kind=session.kind,
            evidence=evidence or Evidence.OBSERVED_PLAYBACK,
            started_at=started_at,
            time_zone=time_zone,
            listened_seconds=int(length if complete else length / 10),
            duration_seconds=length,
            completed=complete,
            created_at=started_at,
            updated_at=started_at,
        )
    return await PracticeLog.create(
        patient_id=patient_id,
        kind=kind,
        evidence=evidence or Evidence.SELF_REPORT,
        started_at=started_at,
        time_zone=time_zone,
        listened_seconds=int(minutes * 60),
        completed=complete,
        created_at=started_at,
        updated_at=started_at,
    )


async def rated(practice: PracticeLog, before: int, after: int) -> None:
    for level, context in (
        (before, CheckinContext.BEFORE_SESSION),
        (after, CheckinContext.AFTER_SESSION),
    ):
        await Checkin.create(
            patient_id=practice.patient_id,
            level=level,
            context=context,
            practice_id=practice.id,
            occurred_at=practice.started_at,
            recorded_at=practice.started_at,
        )
