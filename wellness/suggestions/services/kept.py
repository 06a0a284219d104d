"""A patient's shown list, kept while nothing it was chosen from has changed.

A list is chosen again only when its inputs change: a rating or practice of the patient's, their
care team's restrictions or assignments, the published catalog, the local hour or practice day,
or the rating it acted on growing too old to count, or too old for the reasons to call it how the
patient is now. Reloading the home page, or the API after it, shows the same list under the same
log row, so the cards do not reshuffle on every visit and each choice is logged once (with the
probabilities it was drawn with, for off-policy review).

Two layers:
- per worker (`suggestions_for` keeps each patient's list under `kept_key`): the care-data
  change token (`caseload.kept`) and the catalog's, so no query beyond the tokens while nobody
  in the clinic writes care data;
- across workers and restarts, by a fingerprint of the engine's inputs stored with each logged
  list: after a write elsewhere, the patient's latest list is shown again when its inputs are
  the same (the clinic fit is not part of it: it is refitted now and then, per worker).
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec

from wellness.accounts.models import User
from wellness.practice.streaks import practice_day
from wellness.settings import CarePolicy
from wellness.suggestions.engine import ENGINE_VERSION
from wellness.suggestions.inputs import PatientContext, SafetyLimits
from wellness.suggestions.reasons import CURRENT_FOR, is_current

FINGERPRINT = "fingerprint"  # the key in a logged list's context snapshot


def kept_key(
    patient: User,
    *,
    care_token: str | None,
    catalog_token: str | None,
    policy: CarePolicy,
    now: datetime,
) -> Hashable | None:
    """What a worker's kept list is valid under; None when a token is missing (keep nothing)."""
    if care_token is None or catalog_token is None:
        return None
    local = now.astimezone(ZoneInfo(patient.time_zone))
    today = practice_day(now, patient.time_zone, policy.day_rollover_hour)
    return (care_token, catalog_token, policy, patient.time_zone, today, local.hour)


def rating_counts_until(context: PatientContext, fresh_for: timedelta) -> datetime | None:
    """Until when a list chosen from `context` may be shown again: while the rating it acted on
    still counts, and, while the reasons call that rating how the patient is now ("Your anxiety
    is 8/10"), only until they would call it the last one given."""
    if context.rated_at is None:
        return None
    if is_current(context.rated_at, context.now):
        return context.rated_at + CURRENT_FOR
    return context.rated_at + fresh_for


def fingerprint(
    context: PatientContext, *, catalog_token: str | None, limits: SafetyLimits
) -> str | None:
    """A digest of everything the engine reads about the patient (all of the context but `now`,
    of which it reads only whether the rating is still current), the catalog's token, the
    limits and the engine's version; None when the catalog has no token."""
    if catalog_token is None:
        return None
    inputs = (
        ENGINE_VERSION,
        catalog_token,
        limits,
        context.patient_id,
        context.local_hour,
        context.today,
        context.anxiety,
        context.rated_at,
        is_current(context.rated_at, context.now),  # the one thing read from `now`: the tense
        sorted(context.contraindications),
        sorted(context.banned),
        sorted(context.pinned),
        context.due,
        context.history,
        context.ratings,
    )
    return hashlib.blake2b(msgspec.msgpack.encode(inputs), digest_size=16).hexdigest()
