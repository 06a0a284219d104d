"""A few weeks of lived-in history for the demo: care teams, practice, check-ins, GAD-7 and
one open alert, so every page has something real to show. Written straight to the models:
the services would rightly refuse entries older than the back-dating window."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from wellness.accounts.models import User
from wellness.care import services as care
from wellness.care.models import Alert
from wellness.care.policy import AlertReason
from wellness.catalog.kinds import Status
from wellness.catalog.models import PracticeSession
from wellness.checkins.models import Checkin, Gad7Response
from wellness.checkins.scoring import CheckinContext, ContextTag, score_gad7
from wellness.practice.models import PracticeLog
from wellness.practice.rules import Evidence
from wellness.practice.streaks import practice_day

CARE_TEAMS = {
    "therapist@demo.wellness": ("patient@demo.wellness", "patient2@demo.wellness"),
    "therapist2@demo.wellness": ("patient3@demo.wellness", "patient4@demo.wellness"),
}
HISTORY_DAYS = 24
# Days (counted back from today) with no practice: a gap, then a current run of practice.
RESTED = {23, 19, 18, 14, 11, 6}


async def seed_history(users: dict[str, User], *, now: datetime, rollover_hour: int = 3) -> None:
    for therapist, patients in CARE_TEAMS.items():
        for patient in patients:
            await care.assign(users[therapist], users[patient], now=now)
    await _open_alert(users["patient2@demo.wellness"], now=now)
    sessions = await PracticeSession.filter(status=Status.PUBLISHED, duration_seconds__gt=0)
    if sessions:
        await _practice_history(
            users["patient@demo.wellness"], sessions, now=now, rollover_hour=rollover_hour
        )


async def _practice_history(
    patient: User, sessions: list[PracticeSession], *, now: datetime, rollover_hour: int
) -> None:
    chance = random.Random(7)  # noqa: S311  (demo data, not security)
    zone = ZoneInfo(patient.time_zone)
    # Practice days, not calendar days: at 01:00 the evening before is still today.
    today = practice_day(now, patient.time_zone, rollover_hour)
    for days_ago in range(HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=days_ago)
        evening = datetime(day.year, day.month, day.day, 19, chance.randrange(0, 50), tzinfo=zone)
        # Anxiety eases over the weeks, with ordinary ups and downs.
        baseline = 7 - (HISTORY_DAYS - days_ago) // 6 + chance.choice((-1, 0, 0, 1))
        await _checkin(patient, baseline, evening - timedelta(hours=8), chance)
        if days_ago in RESTED:
            continue
        session = chance.choice(sessions)
        await _played(
            patient,
            session,
            evening,
            before=baseline,
            after=max(0, baseline - chance.choice((1, 2, 2, 3))),
        )
    for days_ago, answers in ((22, [2, 2, 2, 1, 2, 1, 2]), (8, [1, 1, 2, 1, 1, 1, 1])):
        moment = now - timedelta(days=days_ago)
        score = score_gad7(answers)
        await Gad7Response.create(
            patient_id=patient.id,
            answers=answers,
            total=score.total,
            band=score.band,
            occurred_at=moment,
            recorded_at=moment,
        )


async def _checkin(patient: User, level: int, moment: datetime, chance: random.Random) -> None:
    tags = [chance.choice(list(ContextTag)).value] if chance.random() < 0.4 else []
    await Checkin.create(
        patient_id=patient.id,
        level=max(0, min(10, level)),
        tags=tags,
        occurred_at=moment,
        recorded_at=moment,
    )


async def _played(
    patient: User, session: PracticeSession, started: datetime, *, before: int, after: int
) -> None:
    ended = started + timedelta(seconds=session.duration_seconds)
    practice = await PracticeLog.create(
        patient_id=patient.id,
        session_id=session.id,
        kind=session.kind,
        evidence=Evidence.OBSERVED_PLAYBACK,
        started_at=started,
        time_zone=patient.time_zone,
        listened_seconds=int(session.duration_seconds),
        duration_seconds=session.duration_seconds,
        completed=True,
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


async def _open_alert(patient: User, *, now: datetime) -> None:
    moment = now - timedelta(hours=5)
    checkin = await Checkin.create(
        patient_id=patient.id,
        level=8,
        tags=[ContextTag.CANT_SLEEP.value, ContextTag.AFTER_DOSE_CHANGE.value],
        note="Hard night after the dose change.",
        occurred_at=moment,
        recorded_at=moment,
    )
    await Alert.create(
        patient_id=patient.id,
        reason=AlertReason.HIGH_DISTRESS,
        value=8,
        detail="Rated distress 8/10",
        source_type="checkin",
        source_id=checkin.id,
        created_at=moment,
    )
