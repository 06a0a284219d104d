"""A quick check-in that is also the after rating of the session played here just before it.
Kept apart from `services` (which records practice) because it starts from the check-in.

Only a session played here: the app saw it end (the player's last report), and the player asks
for the after rating as it ends, so a patient who skipped that and checks in on the home page
minutes later has rated it. A practice logged afterwards (a form, an API client, an offline
queue) is entered once it is over, with its after rating if there is one; a check-in that comes
after it rates a new moment. Taking it anyway paired client-clocked practices with whatever
check-in came next: an outside simulation driving the API faster than its own days, for one,
had its unrated practices paired with its next chance's check-in (`bench/api_clinic.py
--clock compressed`), and those pairs are noise to the engine."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from wellness.accounts.models import User
from wellness.checkins import scoring
from wellness.checkins import services as checkins
from wellness.practice import rules
from wellness.practice.models import PracticeLog
from wellness.practice.rules import Evidence
from wellness.settings import CarePolicy


async def record_checkin(
    patient: User, entry: checkins.CheckinInput, *, policy: CarePolicy, now: datetime
) -> checkins.Recorded:
    """A quick check-in, which also becomes the after rating of the practice it follows when
    `scoring.adopts_as_after` says so (the practice is the patient's latest, played here,
    completed, and has no after rating yet)."""
    async with in_transaction():
        # Lock the practice before the check-in is written: every transaction takes the
        # practice's lock before the care token's (migration 0011), or two could deadlock.
        moment = checkins.checked_moment("occurred_at", entry.occurred_at, policy, now)
        latest = await _practice_it_may_close(patient.id, moment, policy)
        recorded = await checkins.record_checkin(patient, entry, policy=policy, now=now)
        if latest is None or not _closes(latest, recorded.checkin.occurred_at, policy):
            return recorded
        before, after = await checkins.session_ratings(latest.id)
        if after is not None:
            return recorded
        alerts = await checkins.adopt_as_after(
            recorded.checkin, latest.id, before=before, policy=policy, now=now
        )
    return replace(recorded, alerts=[*recorded.alerts, *alerts], counted_after=latest.id)


async def _practice_it_may_close(
    patient_id: int, moment: datetime, policy: CarePolicy
) -> PracticeLog | None:
    """The patient's latest practice begun by `moment`, locked, if a check-in then would close
    it; None otherwise, without a lock (most check-ins come long after any practice)."""
    if policy.checkin_as_after <= timedelta(0):
        return None
    found = (
        await PracticeLog.filter(patient_id=patient_id, started_at__lte=moment)
        .order_by("-started_at", "-id")
        .first()
    )
    if found is None or not _closes(found, moment, policy):
        return None
    # Read again under the lock: the caller checks the row as it is now.
    return await PracticeLog.select_for_update().get(id=found.id)


def _closes(practice: PracticeLog, moment: datetime, policy: CarePolicy) -> bool:
    if practice.evidence != Evidence.OBSERVED_PLAYBACK or not practice.completed:
        return False  # only a session played here, and heard through, ends where the app saw
    ended = rules.ended_at(
        evidence=practice.evidence,
        started_at=practice.started_at,
        listened_seconds=practice.listened_seconds,
        last_activity=practice.updated_at,
    )
    return scoring.adopts_as_after(
        moment, started_at=practice.started_at, ended_at=ended, within=policy.checkin_as_after
    )
