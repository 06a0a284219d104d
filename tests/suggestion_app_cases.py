"""A small published catalog and rated practice, stored through the ORM, for the tests of the
suggestions as the app shows them (services and web)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from wellness.catalog.kinds import Guidance, Kind, Posture, Status
from wellness.catalog.models import MediaAsset, PracticeSession
from wellness.checkins.models import Checkin
from wellness.checkins.scoring import CheckinContext
from wellness.practice.models import PracticeLog
from wellness.practice.rules import Evidence


@dataclass(frozen=True)
class Stored:
    title: str
    kind: Kind
    minutes: int
    posture: Posture = Posture.SEATED
    guidance: Guidance = Guidance.GUIDED
    flags: tuple[str, ...] = ()


CATALOG = (
    Stored("Slow exhale", Kind.BREATHING, 6),
    Stored("Five senses", Kind.GROUNDING, 5),
    Stored("Breath ladder", Kind.BREATHING, 8, Posture.LYING),
    Stored("Evening body scan", Kind.BODY_SCAN, 15, Posture.LYING),
    Stored("Chair yoga", Kind.YOGA, 20),
    Stored("Power flow", Kind.YOGA, 30, Posture.STANDING, flags=("vigorous", "standing")),
    Stored("Silent sit", Kind.MEDITATION, 40, guidance=Guidance.SILENT),
    Stored("Box breathing", Kind.BREATHING, 5, flags=("breath_hold",)),
    Stored("Sleep wind-down", Kind.SLEEP, 25, Posture.LYING),
    Stored("Loving kindness", Kind.MEDITATION, 12),
    Stored("Walking meditation", Kind.MEDITATION, 15, Posture.STANDING),
    Stored("Fire breath", Kind.BREATHING, 5, flags=("fast_breathing",)),
)
# What the support panel may offer: short, guided, seated or lying breathing or grounding.
SUPPORT_SAFE = frozenset({"Slow exhale", "Five senses", "Breath ladder"})
NEVER_OFFERED = frozenset({"Box breathing", "Fire breath"})


async def store_catalog(now: datetime) -> dict[str, int]:
    """The catalog above, published with media; title -> session id."""
    ids: dict[str, int] = {}
    for item in CATALOG:
        seconds = item.minutes * 60.0
        asset = await MediaAsset.create(
            sha256=secrets.token_hex(32),
            size_bytes=int(seconds * 16_000),
            container="mp3",
            mime_type="audio/mpeg",
            extension="mp3",
            duration_seconds=seconds,
            uploaded_at=now,
        )
        session = await PracticeSession.create(
            title=item.title,
            kind=item.kind,
            posture=item.posture,
            guidance=item.guidance,
            contraindications=list(item.flags),
            status=Status.PUBLISHED,
            primary_asset=asset,
            duration_seconds=seconds,
            created_at=now,
            updated_at=now,
            published_at=now,
        )
        ids[item.title] = int(session.id)
    return ids


async def store_rated_practice(
    patient_id: int,
    session_id: int,
    started_at: datetime,
    *,
    before: int,
    after: int,
    time_zone: str = "Europe/Berlin",
) -> int:
    """A completed playback of `session_id` rated before and after; answers its id."""
    practice = await PracticeLog.create(
        patient_id=patient_id,
        session_id=session_id,
        kind=(await PracticeSession.get(id=session_id)).kind,
        evidence=Evidence.OBSERVED_PLAYBACK,
        started_at=started_at,
        time_zone=time_zone,
        listened_seconds=300,
        duration_seconds=300.0,
        completed=True,
        created_at=started_at,
        updated_at=started_at,
    )
    for level, context, moment in (
        (before, CheckinContext.BEFORE_SESSION, started_at),
        (after, CheckinContext.AFTER_SESSION, started_at + timedelta(minutes=5)),
    ):
        await Checkin.create(
            patient_id=patient_id,
            level=level,
            context=context,
            practice_id=practice.id,
            occurred_at=moment,
            recorded_at=moment,
        )
    return int(practice.id)


async def store_checkin(patient_id: int, level: int, occurred_at: datetime) -> None:
    await Checkin.create(
        patient_id=patient_id,
        level=level,
        context=CheckinContext.QUICK,
        occurred_at=occurred_at,
        recorded_at=occurred_at,
    )
