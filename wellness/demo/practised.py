"""What the demo's history writes for one patient: a quick check-in, or a session played with
the ratings before and after it. Straight to the models, as of a past moment (the services
would rightly refuse entries older than the back-dating window)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from wellness.accounts.models import User
from wellness.catalog.models import PracticeSession
from wellness.checkins.models import Checkin
from wellness.checkins.scoring import CheckinContext, ContextTag
from wellness.practice.models import PracticeLog
from wellness.practice.rules import Evidence
from wellness.settings import CarePolicy

# The clinic's default: a session counts as completed once this much of it was heard.
COMPLETION = CarePolicy().completion_fraction


async def checkin(patient: User, level: int, moment: datetime, chance: random.Random) -> None:
    tags = [chance.choice(list(ContextTag)).value] if chance.random() < 0.4 else []
    await Checkin.create(
        patient_id=patient.id,
        level=max(0, min(10, level)),
        tags=tags,
        occurred_at=moment,
        recorded_at=moment,
    )


async def played(
    patient: User,
    session: PracticeSession,
    started: datetime,
    *,
    before: int,
    after: int,
    listened: float = 1.0,
) -> None:
    """`session` played from `started`, `listened` of it heard (the whole by default), rated
    `before` and `after`."""
    heard = session.duration_seconds * listened
    ended = started + timedelta(seconds=heard)
    practice = await PracticeLog.create(
        patient_id=patient.id,
        session_id=session.id,
        kind=session.kind,
        evidence=Evidence.OBSERVED_PLAYBACK,
        started_at=started,
        time_zone=patient.time_zone,
        listened_seconds=int(heard),
        duration_seconds=session.duration_seconds,
        completed=listened >= COMPLETION,
        created_at=started,
        updated_at=ended,
    )
    for context, level, moment in (
        (CheckinContext.BEFORE_SESSION, before, started),
        (CheckinContext.AFTER_SESSION, after, ended),
    ):
        await Checkin.create(
            patient_id=patient.id,
            level=max(0, min(10, level)),
            context=context,
            practice_id=practice.id,
            occurred_at=moment,
            recorded_at=moment,
        )
