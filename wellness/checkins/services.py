"""Recording anxiety ratings and GAD-7 answers, with their safety alerts, and reading them back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from wellness.accounts.models import User
from wellness.care import policy as safety
from wellness.care import services as care
from wellness.care.models import Alert
from wellness.checkins import scoring
from wellness.checkins.models import Checkin, Gad7Response
from wellness.checkins.scoring import CheckinContext
from wellness.db import CARE_TOKEN, KeyedCache, change_token, paged
from wellness.lib.paging import Page
from wellness.settings import CarePolicy


def thresholds(policy: CarePolicy) -> safety.AlertThresholds:
    return safety.AlertThresholds(alert_level=policy.alert_level, worse_by=policy.worse_by)


@dataclass(frozen=True, slots=True)
class CheckinInput:
    level: int
    note: str = ""
    tags: Sequence[str] = ()
    occurred_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Recorded:
    """A stored rating and the alerts it raised (none, usually)."""

    checkin: Checkin
    alerts: list[Alert] = field(default_factory=list)
    # The practice this check-in became the after rating of (`adopt_as_after`), if any.
    counted_after: int | None = None

    @property
    def needs_support(self) -> bool:
        return bool(self.alerts)


async def record_checkin(
    patient: User, entry: CheckinInput, *, policy: CarePolicy, now: datetime
) -> Recorded:
    level = scoring.clean_level("level", entry.level)
    occurred_at = checked_moment("occurred_at", entry.occurred_at, policy, now)
    note, tags = scoring.clean_note(entry.note), scoring.clean_tags(entry.tags)
    async with in_transaction():
        checkin = await Checkin.create(
            patient_id=patient.id,
            level=level,
            note=note,
            tags=tags,
            context=CheckinContext.QUICK,
            occurred_at=occurred_at,
            recorded_at=now,
        )
        alerts = await _checkin_alerts(checkin, _rating_causes(level, policy), policy, now)
    return Recorded(checkin, alerts)


async def record_session_rating(
    patient_id: int,
    practice_id: int,
    *,
    level: int,
    context: CheckinContext,
    before: int | None,
    occurred_at: datetime,
    policy: CarePolicy,
    now: datetime,
) -> Recorded:
    """A rating just before or after a practice; call inside the practice's transaction."""
    checkin = await Checkin.create(
        patient_id=patient_id,
        level=level,
        context=context,
        practice_id=practice_id,
        occurred_at=occurred_at,
        recorded_at=now,
    )
    if context is CheckinContext.AFTER_SESSION:
        causes = safety.for_session(before, level, thresholds(policy))
    else:
        causes = _rating_causes(level, policy)
    return Recorded(checkin, await _checkin_alerts(checkin, causes, policy, now))


def _rating_causes(level: int, policy: CarePolicy) -> list[safety.AlertCause]:
    """What a rating on its own alerts for (a high level), with no practice to compare."""
    cause = safety.for_rating(level, thresholds(policy))
    return [cause] if cause else []


async def _checkin_alerts(
    checkin: Checkin, causes: list[safety.AlertCause], policy: CarePolicy, now: datetime
) -> list[Alert]:
    return await _alerts(checkin.patient_id, causes, "checkin", checkin.id, policy, now)


async def _alerts(
    patient_id: int,
    causes: list[safety.AlertCause],
    source_type: str,
    source_id: int,
    policy: CarePolicy,
    now: datetime,
) -> list[Alert]:
    """Write the alerts a rating or a GAD-7 raised (e-mailed where the clinic sends them);
    call inside its transaction, so that both or neither are stored."""
    return await care.raise_alerts(
        patient_id,
        causes,
        source_type=source_type,
        source_id=source_id,
        now=now,
        notify=policy.email_alerts,
    )


@dataclass(frozen=True, slots=True)
class Gad7Recorded:
    response: Gad7Response
    alerts: list[Alert]

    @property
    def needs_support(self) -> bool:
        return bool(self.alerts)


async def record_gad7(
    patient: User,
    answers: Sequence[int],
    *,
    occurred_at: datetime | None,
    policy: CarePolicy,
    now: datetime,
) -> Gad7Recorded:
    score = scoring.score_gad7(answers)
    moment = checked_moment("occurred_at", occurred_at, policy, now)
    async with in_transaction():
        response = await Gad7Response.create(
            patient_id=patient.id,
            answers=list(score.answers),
            total=score.total,
            band=score.band,
            occurred_at=moment,
            recorded_at=now,
        )
        cause = safety.for_gad7(score.total)
        causes = [cause] if cause else []
        alerts = await _alerts(patient.id, causes, "gad7", response.id, policy, now)
    return Gad7Recorded(response, alerts)


def checked_moment(
    name: str, moment: datetime | None, policy: CarePolicy, now: datetime
) -> datetime:
    """When something happened, as given (None: now), checked by `scoring.clean_moment`:
    check it before it reaches any query (PostgreSQL cannot store every moment Python can)."""
    if moment is None:
        return now
    return scoring.clean_moment(name, moment, now=now, backdate_days=policy.backdate_days)


async def checkin_history(patient: User, *, page: int = 1, per_page: int = 20) -> Page[Checkin]:
    query = Checkin.filter(patient_id=patient.id, adopted_from_id__isnull=True)
    return await paged(query, "-occurred_at", "-id", page=page, per_page=per_page)


async def gad7_history(patient: User, *, page: int = 1, per_page: int = 20) -> Page[Gad7Response]:
    query = Gad7Response.filter(patient_id=patient.id)
    return await paged(query, "-occurred_at", "-id", page=page, per_page=per_page)


async def levels_between(patient: User, start: datetime, end: datetime) -> list[int]:
    """The SUDS levels the patient gave in [start, end), quick or around a practice, each once
    (an after rating copied from a check-in is that check-in's: see `adopt_as_after`)."""
    levels: list[Any] = await Checkin.filter(
        patient_id=patient.id,
        adopted_from_id__isnull=True,
        occurred_at__gte=start,
        occurred_at__lt=end,
    ).values_list("level", flat=True)
    return [int(level) for level in levels]


async def ratings_between(patient: User, start: datetime, end: datetime) -> list[Checkin]:
    """The SUDS ratings the patient gave in [start, end), oldest first, each once (as
    `levels_between` counts them)."""
    return await Checkin.filter(
        patient_id=patient.id,
        adopted_from_id__isnull=True,
        occurred_at__gte=start,
        occurred_at__lt=end,
    ).order_by("occurred_at", "id")


async def gad7_between(patient: User, start: datetime, end: datetime) -> list[Gad7Response]:
    """The patient's GAD-7 answers in [start, end), oldest first."""
    return await Gad7Response.filter(
        patient_id=patient.id, occurred_at__gte=start, occurred_at__lt=end
    ).order_by("occurred_at", "id")


async def latest_checkins(patient: User, limit: int = 5) -> list[Checkin]:
    return (
        await Checkin.filter(patient_id=patient.id, adopted_from_id__isnull=True)
        .order_by("-occurred_at", "-id")
        .limit(limit)
    )


async def practices_closed_by(checkin_ids: Iterable[int]) -> dict[int, int]:
    """check-in id -> the practice it counted as the after rating of, for those that did."""
    rows = await Checkin.filter(adopted_from_id__in=list(checkin_ids)).values_list(
        "adopted_from_id", "practice_id"
    )
    return {int(checkin_id): int(practice_id) for checkin_id, practice_id in rows}


async def gad7_due(patient: User, *, policy: CarePolicy, now: datetime) -> bool:
    return scoring.gad7_due(
        await _last_gad7_at(patient), now=now, interval_days=policy.gad7_interval_days
    )


async def _last_gad7_at(patient: User) -> datetime | None:
    last = await Gad7Response.filter(patient_id=patient.id).order_by("-occurred_at").first()
    return last.occurred_at if last else None


RECENT_SHOWN = 5


@dataclass(frozen=True, slots=True)
class RecentCheckins:
    """What a patient's home page shows of their ratings: the latest few (newest first), and
    when they last answered the GAD-7."""

    latest: tuple[Checkin, ...]
    last_gad7_at: datetime | None
    # Of those, the check-ins that counted as a practice's after rating.
    counted_after: frozenset[int] = frozenset()

    def gad7_due(self, *, policy: CarePolicy, now: datetime) -> bool:
        return scoring.gad7_due(self.last_gad7_at, now=now, interval_days=policy.gad7_interval_days)


# By patient, under the care data's change token, which every write to check-ins and GAD-7
# answers renews: a repeat home page reads the token instead of both tables.
_recent: KeyedCache[RecentCheckins] = KeyedCache()


async def recent_checkins(patient: User) -> RecentCheckins:
    token = await change_token(CARE_TOKEN)  # read before the data: see catalog/cache.py
    return await _recent.kept_or(
        patient.id, token, lambda: _recent_checkins(patient), keep=token is not None
    )


async def _recent_checkins(patient: User) -> RecentCheckins:
    latest = tuple(await latest_checkins(patient, limit=RECENT_SHOWN))
    closed = await practices_closed_by(checkin.id for checkin in latest)
    return RecentCheckins(latest, await _last_gad7_at(patient), frozenset(closed))


async def checkin_to_adopt(
    patient_id: int, *, started_at: datetime, within: timedelta
) -> Checkin | None:
    """The quick check-in a practice begun at `started_at` without a before rating would take
    as one (`scoring.adopts_checkin`), or None; the session page names it beside the scale."""
    start = started_at.astimezone(UTC)  # elapsed time, whatever zone the caller's time is in
    latest = (
        await Checkin.filter(
            patient_id=patient_id,
            adopted_from_id__isnull=True,  # a copy is its check-in again, not a newer rating
            occurred_at__gte=start - within,
            occurred_at__lte=start + scoring.CLOCK_SLACK,
        )
        .order_by("-occurred_at", "-id")
        .first()
    )
    if latest is None or not scoring.adopts_checkin(
        latest.context,
        latest.practice_id,
        latest.occurred_at,
        started_at=started_at,
        within=within,
    ):
        return None
    return latest


async def adopt_recent_checkin(
    patient_id: int, practice_id: int, *, started_at: datetime, within: timedelta
) -> int | None:
    """Link that check-in to a practice begun without a before rating; its level, or None.
    Call inside the practice's transaction. The check-in stays a check-in (its context, time,
    note and any alert are unchanged): only the link is written, and only if no other
    practice took it meanwhile."""
    found = await checkin_to_adopt(patient_id, started_at=started_at, within=within)
    if found is None:
        return None
    claimed = await Checkin.filter(id=found.id, practice_id__isnull=True).update(
        practice_id=practice_id
    )
    return found.level if claimed else None


async def adopt_as_after(
    checkin: Checkin, practice_id: int, *, before: int | None, policy: CarePolicy, now: datetime
) -> list[Alert]:
    """Make a quick check-in the after rating of the practice it follows (the caller has
    checked `scoring.adopts_as_after` with the practice locked): a copy linked to the practice,
    naming the check-in. The check-in stays as it was, free to be the next practice's before
    rating. Only a worse-than-before alert can follow, on the check-in: a high level raised
    its own already."""
    await Checkin.create(
        patient_id=checkin.patient_id,
        level=checkin.level,
        context=CheckinContext.AFTER_SESSION,
        practice_id=practice_id,
        adopted_from_id=checkin.id,
        occurred_at=checkin.occurred_at,
        recorded_at=now,
    )
    causes = [
        cause
        for cause in safety.for_session(before, checkin.level, thresholds(policy))
        if cause.reason is safety.AlertReason.WORSE_AFTER_SESSION
    ]
    return await _checkin_alerts(checkin, causes, policy, now)


async def drop_adopted_after(practice_id: int) -> None:
    """Remove an after rating copied from a check-in: the patient has now rated the practice
    themselves, which says more. The check-in and its alerts stay."""
    await Checkin.filter(practice_id=practice_id, adopted_from_id__isnull=False).delete()


async def session_ratings(practice_id: int) -> tuple[int | None, int | None]:
    """(before, after) of one practice; None where it has none."""
    around = (await ratings_around([practice_id])).get(practice_id, AroundPractice())
    return around.before, around.after


@dataclass(frozen=True, slots=True)
class AroundPractice:
    """The ratings a practice holds, and which of them are quick check-ins it took."""

    before: int | None = None
    after: int | None = None
    from_checkins: tuple[CheckinContext, ...] = ()  # before first


async def ratings_around(practice_ids: Iterable[int]) -> dict[int, AroundPractice]:
    """practice id -> its ratings, for those of `practice_ids` that have any (one query)."""
    rows = (
        await Checkin.filter(practice_id__in=list(practice_ids))
        .order_by("id")
        .values_list("practice_id", "context", "level", "adopted_from_id")
    )
    sides: dict[int, dict[CheckinContext, int]] = {}
    taken: dict[int, set[CheckinContext]] = {}
    for practice_id, context, level, adopted_from in rows:
        side = scoring.side_of_practice(context)
        sides.setdefault(practice_id, {}).setdefault(side, int(level))
        if context == CheckinContext.QUICK or adopted_from is not None:
            taken.setdefault(practice_id, set()).add(side)
    return {
        practice_id: AroundPractice(
            found.get(CheckinContext.BEFORE_SESSION),
            found.get(CheckinContext.AFTER_SESSION),
            tuple(side for side in _SIDES if side in taken.get(practice_id, ())),
        )
        for practice_id, found in sides.items()
    }


_SIDES = (CheckinContext.BEFORE_SESSION, CheckinContext.AFTER_SESSION)
