"""Reading what the engine needs from the database: the catalog as `SessionFacts`, rated
practices (one patient's, or the whole clinic's for the fit) and one patient's context now.

Narrow queries read as the driver returns them (`practice.history.raw_rows`): two years of one
patient's practice is a thousand rows, and the clinic's ratings tens of thousands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import Q
from tortoise.functions import Count, Max, Sum
from tortoise.queryset import QuerySet

from wellness.accounts.models import User
from wellness.care.restrictions import Restrictions, restrictions_for
from wellness.catalog.cache import TokenCache, change_token
from wellness.catalog.kinds import Status
from wellness.catalog.models import PracticeSession
from wellness.checkins.models import Checkin
from wellness.checkins.scoring import CheckinContext, side_of_practice
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
from wellness.suggestions.refits import RatingsMark

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
    return await published_catalog_under(await change_token())


async def published_catalog_under(
    token: str | None,
) -> tuple[str | None, tuple[SessionFacts, ...]]:
    """`published_catalog` for a caller that has read the catalog's change token already."""
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


async def _rating_levels(patient_id: int | None) -> dict[int, list[int | None]]:
    """practice id -> [before, after] (None where missing), the first of each kind."""
    ratings = _session_ratings()
    if patient_id is not None:
        ratings = ratings.filter(patient_id=patient_id)
    levels: dict[int, list[int | None]] = {}
    for practice_id, context, level in await raw_rows(
        ratings.order_by("id").values_list("practice_id", "context", "level")
    ):
        pair = levels.setdefault(int(practice_id), [None, None])
        at = 0 if side_of_practice(context) is CheckinContext.BEFORE_SESSION else 1
        if pair[at] is None:
            pair[at] = int(level)
    return levels


@dataclass(frozen=True, slots=True)
class _Practice:
    patient_id: int
    session_id: int
    started_at: datetime
    local: datetime  # in the zone stored with the practice
    completed: bool
    before: int | None
    after: int | None


async def _practices(patient_id: int | None) -> list[_Practice]:
    """Practices of catalog sessions with their ratings, oldest first within each patient: two
    narrow queries joined here (an IN list of every rated practice cost seconds for a clinic)."""
    levels = await _rating_levels(patient_id)
    query = PracticeLog.filter(session_id__isnull=False)
    if patient_id is not None:
        query = query.filter(patient_id=patient_id)
    rows = await raw_rows(
        query.order_by("patient_id", "started_at", "id").values_list(
            "id", "patient_id", "session_id", "started_at", "time_zone", "completed"
        )
    )
    zones: dict[str, ZoneInfo] = {}
    found = []
    for practice_id, owner, session_id, raw, zone, completed in rows:
        if patient_id is None and int(practice_id) not in levels:
            continue  # the clinic fit reads rated practice only
        started = moment(raw)
        local_zone = zones.get(zone)
        if local_zone is None:
            local_zone = zones[zone] = ZoneInfo(zone)
        before, after = levels.get(int(practice_id), (None, None))
        found.append(
            _Practice(
                int(owner),
                int(session_id),
                started,
                started.astimezone(local_zone),
                bool(completed),
                before,
                after,
            )
        )
    return found


def _rated(practices: Sequence[_Practice]) -> list[RatedPractice]:
    return [
        RatedPractice(
            patient_id=item.patient_id,
            session_id=item.session_id,
            started_at=item.started_at,
            local_hour=item.local.hour,
            before=item.before,
            after=item.after,
        )
        for item in practices
        if item.before is not None and item.after is not None
    ]


def _session_ratings() -> QuerySet[Checkin]:
    """Every rating linked to a practice: given around it, or a check-in it adopted."""
    return Checkin.filter(practice_id__isnull=False)


async def clinic_ratings_mark() -> RatingsMark:
    """How many before and after ratings the clinic holds, the newest one's id and the sum of
    their ids: one aggregate, read before the ratings themselves so nothing newer is fitted
    under it."""
    rows = (
        await _session_ratings()
        .annotate(count=Count("id"), newest=Max("id"), ids=Sum("id"))
        .values_list("count", "newest", "ids")
    )
    count, newest, ids = rows[0] if rows else (0, None, 0)
    return RatingsMark(
        int(count or 0), None if newest is None else int(newest), id_sum=int(ids or 0)
    )


async def rated_practices(patient_id: int | None = None) -> list[RatedPractice]:
    """Practices of catalog sessions rated before and after, oldest first within each patient;
    one patient's, or everybody's when `patient_id` is None."""
    return _rated(await _practices(patient_id))


def _done(practices: Sequence[_Practice], rollover_hour: int) -> tuple[PracticeDone, ...]:
    """By local practice day (`streaks.practice_day`, on the local times already known)."""
    return tuple(
        PracticeDone(
            session_id=item.session_id,
            practice_day=date.fromordinal(
                item.local.toordinal() - (item.local.hour < rollover_hour)
            ).isoformat(),
            completed=item.completed,
        )
        for item in sorted(practices, key=lambda item: item.started_at)
    )


async def practice_done(patient: User, policy: CarePolicy) -> tuple[PracticeDone, ...]:
    """The patient's practices of catalog sessions, oldest first, by local practice day."""
    return _done(await _practices(patient.id), policy.day_rollover_hour)


# One patient's practice as the engine reads it, per worker, under a marker of what it was read
# from: the latest change to their practice and their latest rating. Two aggregate queries tell
# whether it changed; reading and converting two years of practice costs ten times more.
Own = tuple[tuple[PracticeDone, ...], tuple[RatedPractice, ...]]
_OWN: TokenCache[tuple[int, int], tuple[tuple[Any, ...], Own]] = TokenCache(
    max_weight=100_000, weigh=lambda entry: 1 + len(entry[1][0]) + len(entry[1][1])
)


async def _own_marker(patient_id: int) -> tuple[Any, ...]:
    practice = await (
        PracticeLog.filter(patient_id=patient_id)
        .annotate(
            count=Count("id"),
            changed=Max("updated_at"),
            last=Max("id"),
            listened=Sum("listened_seconds"),  # progress moves it even within one clock tick
        )
        .values_list("count", "changed", "last", "listened")
    )
    # Ratings linked to a practice only: a quick check-in changes nothing read here until a
    # practice adopts it, and that writes the practice too.
    rating = await (
        Checkin.filter(patient_id=patient_id, practice_id__isnull=False)
        .annotate(last=Max("id"))
        .values_list("last")
    )
    return (*practice, *rating)


async def _own_practice(patient_id: int, rollover_hour: int) -> Own:
    """(history, rated practice) of one patient: from the worker's cache when nothing changed
    since it was read (the marker is read first, so newer data is never kept under it)."""
    token = await change_token()
    marker = await _own_marker(patient_id)
    key = (patient_id, rollover_hour)
    cached = _OWN.get(token, key)
    if cached is not None and cached[0] == marker:
        return cached[1]
    practices = await _practices(patient_id)
    own = (_done(practices, rollover_hour), tuple(_rated(practices)))
    _OWN.put(token, key, (marker, own))
    return own


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
    history, ratings = await _own_practice(patient.id, policy.day_rollover_hour)
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
        history=history,
        ratings=ratings,
    )
    return context, restrictions
