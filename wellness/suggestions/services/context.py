"""Reading what the engine needs from the database: the catalog as `SessionFacts`, rated
practices (one patient's, or the whole clinic's for the fit) and one patient's context now.

Narrow queries read as the driver returns them (`practice.history.raw_rows`): two years of one
patient's practice is a thousand rows, and the clinic's ratings tens of thousands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import Q

from wellness.accounts.models import User
from wellness.care.restrictions import Restrictions, restrictions_for
from wellness.catalog.cache import TokenCache, change_token
from wellness.catalog.kinds import Status
from wellness.catalog.models import PracticeSession
from wellness.checkins.models import Checkin
from wellness.checkins.scoring import CheckinContext
from wellness.practice.history import moment, raw_rows
from wellness.practice.models import PracticeLog
from wellness.practice.streaks import practice_day
from wellness.settings import CarePolicy
from wellness.suggestions.inputs import (
    DueItem,
    PatientContext,
    PracticeDone,
    RatedPractice,
    SafetyLimits,
    SessionFacts,
)

# A rating older than this says little about how the patient feels now: the engine is then told
# nothing, and offers the gentle set (see `safety`), never the everyday one on an old low rating.
RATING_FRESH_FOR = timedelta(hours=12)
UNREADABLE = frozenset({"unreadable"})  # a contraindication list the engine cannot read

_FACTS: TokenCache[str, tuple[SessionFacts, ...]] = TokenCache(max_weight=1)


def limits_for(policy: CarePolicy) -> SafetyLimits:
    """The safety filter's settings from the clinic's: its alert level is the app's."""
    return SafetyLimits(alert_level=policy.alert_level)


async def published_catalog() -> tuple[str | None, tuple[SessionFacts, ...]]:
    """(catalog change token, every published session that can be played), cached per worker
    until the catalog changes (see `catalog.cache`)."""
    token = await change_token()
    cached = _FACTS.get(token, "facts")
    if cached is not None:
        return token, cached
    rows = await PracticeSession.filter(
        status=Status.PUBLISHED, primary_asset_id__isnull=False
    ).values_list(
        "id",
        "title",
        "kind",
        "duration_seconds",
        "posture",
        "guidance",
        "level",
        "contraindications",
        "anxiety_min",
        "anxiety_max",
    )
    facts = tuple(_facts(row) for row in sorted(rows, key=lambda row: row[0]))
    _FACTS.put(token, "facts", facts)
    return token, facts


def _facts(row: Sequence[Any]) -> SessionFacts:
    session_id, title, kind, seconds, posture, guidance, level, flags, low, high = row
    return SessionFacts(
        session_id=int(session_id),
        title=str(title),
        kind=str(kind),
        minutes=float(seconds or 0) / 60,
        posture=str(posture or ""),
        guidance=str(guidance or ""),
        level=str(level or ""),
        contraindications=(
            frozenset(str(flag) for flag in flags) if isinstance(flags, list) else UNREADABLE
        ),
        anxiety_min=int(low),
        anxiety_max=int(high),
    )


async def rated_practices(patient_id: int | None = None) -> list[RatedPractice]:
    """Practices of catalog sessions rated before and after, oldest first within each patient;
    one patient's, or everybody's when `patient_id` is None."""
    ratings = Checkin.filter(
        practice_id__isnull=False,
        context__in=(CheckinContext.BEFORE_SESSION, CheckinContext.AFTER_SESSION),
    )
    practices = PracticeLog.filter(session_id__isnull=False)
    if patient_id is not None:
        ratings = ratings.filter(patient_id=patient_id)
        practices = practices.filter(patient_id=patient_id)
    levels: dict[int, list[int | None]] = {}
    for practice_id, context, level in await raw_rows(
        ratings.values_list("practice_id", "context", "level")
    ):
        pair = levels.setdefault(int(practice_id), [None, None])
        at = 0 if context == CheckinContext.BEFORE_SESSION else 1
        if pair[at] is None:
            pair[at] = int(level)
    if not levels:
        return []
    rated: list[RatedPractice] = []
    zones: dict[str, ZoneInfo] = {}
    rows = await raw_rows(
        practices.filter(id__in=list(levels)).values_list(
            "id", "patient_id", "session_id", "started_at", "time_zone"
        )
    )
    for practice_id, owner, session_id, started_raw, zone in rows:
        before, after = levels[int(practice_id)]
        if before is None or after is None:
            continue
        started = moment(started_raw)
        local = zones.get(zone) or zones.setdefault(zone, ZoneInfo(zone))
        rated.append(
            RatedPractice(
                patient_id=int(owner),
                session_id=int(session_id),
                started_at=started,
                local_hour=started.astimezone(local).hour,
                before=before,
                after=after,
            )
        )
    rated.sort(key=lambda item: (item.patient_id, item.started_at))
    return rated


async def practice_done(patient: User, policy: CarePolicy) -> tuple[PracticeDone, ...]:
    """The patient's practices of catalog sessions, oldest first, by local practice day."""
    rows = await raw_rows(
        PracticeLog.filter(patient_id=patient.id, session_id__isnull=False)
        .order_by("started_at", "id")
        .values_list("session_id", "started_at", "time_zone", "completed")
    )
    return tuple(
        PracticeDone(
            session_id=int(session_id),
            practice_day=practice_day(moment(started), zone, policy.day_rollover_hour).isoformat(),
            completed=bool(completed),
        )
        for session_id, started, zone, completed in rows
    )


@dataclass(frozen=True, slots=True)
class LatestRating:
    level: int
    occurred_at: datetime


async def latest_rating(patient: User, *, now: datetime) -> LatestRating | None:
    """The patient's latest SUDS rating (quick, before or after a session) if it is recent
    enough to act on (`RATING_FRESH_FOR`); None otherwise."""
    row = (
        await Checkin.filter(
            Q(patient_id=patient.id),
            Q(occurred_at__lte=now),
            Q(occurred_at__gt=now - RATING_FRESH_FOR),
        )
        .order_by("-occurred_at", "-id")
        .first()
        .values_list("level", "occurred_at")
    )
    if row is None:
        return None
    level, occurred_at = row
    return LatestRating(int(level), occurred_at)


async def patient_context(
    patient: User,
    *,
    policy: CarePolicy,
    now: datetime,
    due: tuple[DueItem, ...] = (),
) -> tuple[PatientContext, Restrictions]:
    """Everything about `patient` now that a suggestion may depend on, and their restrictions."""
    rating = await latest_rating(patient, now=now)
    restrictions = await restrictions_for(patient.id)
    context = PatientContext(
        patient_id=patient.id,
        now=now,
        local_hour=now.astimezone(ZoneInfo(patient.time_zone)).hour,
        today=practice_day(now, patient.time_zone, policy.day_rollover_hour).isoformat(),
        anxiety=rating.level if rating else None,
        rated_at=rating.occurred_at if rating else None,
        contraindications=restrictions.contraindications,
        banned=restrictions.banned,
        pinned=restrictions.pinned,
        due=due,
        history=await practice_done(patient, policy),
        ratings=tuple(await rated_practices(patient.id)),
    )
    return context, restrictions
