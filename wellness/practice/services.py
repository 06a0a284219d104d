"""Recording practice (played here, logged by the patient, attested by staff) and streaks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from wellness.accounts.models import User
from wellness.care.models import Alert
from wellness.catalog import services as catalog
from wellness.catalog.kinds import Kind
from wellness.catalog.models import PracticeSession
from wellness.checkins import scoring
from wellness.checkins import services as checkins
from wellness.checkins.scoring import CheckinContext
from wellness.db import KeyedCache, change_token, paged
from wellness.lib.paging import Page
from wellness.lib.validation import FieldError
from wellness.practice import rules, streaks
from wellness.practice.history import PRACTICE_TOKEN, read_practice
from wellness.practice.models import PracticeLog
from wellness.practice.rules import Evidence, PracticeKind
from wellness.settings import CarePolicy


@dataclass(frozen=True, slots=True)
class PracticeInput:
    """A practice as reported: a catalog session or just a kind (Other with the patient's name
    for it, if they gave one), and how long."""

    started_at: datetime
    listened_seconds: int
    session_id: int | None = None
    kind: Kind | PracticeKind | None = None
    other_label: str = ""
    completed: bool = False
    anxiety_before: int | None = None
    anxiety_after: int | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Logged:
    practice: PracticeLog
    alerts: list[Alert] = field(default_factory=list)
    # The ratings the practice holds after this write: given, or (before) a check-in it took.
    before: int | None = None
    after: int | None = None

    @property
    def needs_support(self) -> bool:
        return bool(self.alerts)


async def _session_media(viewer: User, session_id: int) -> tuple[PracticeSession, float | None]:
    session = await catalog.session_for_viewer(viewer, session_id)
    if session is None:
        raise FieldError("session_id", "No session you can see has that id.")
    asset = await catalog.primary_asset(session)
    return session, asset.duration_seconds if asset else None


async def log_practice(
    patient: User, entry: PracticeInput, *, policy: CarePolicy, now: datetime
) -> Logged:
    """A practice the patient reports (an offline player's queue, or group yoga): self-report."""
    started_at = scoring.clean_moment(
        "started_at", entry.started_at, now=now, backdate_days=policy.backdate_days
    )
    before = _optional_level("anxiety_before", entry.anxiety_before)
    after = _optional_level("anxiety_after", entry.anxiety_after)
    note = scoring.clean_note(entry.note)
    if entry.session_id is not None:
        session, duration = await _session_media(patient, entry.session_id)
        kind = PracticeKind(session.kind)
        listened = rules.clean_listened(entry.listened_seconds, duration)
        completed = rules.is_complete(listened, duration, policy.completion_fraction)
    elif entry.kind is not None:
        kind, duration = PracticeKind(entry.kind), None
        listened = rules.clean_listened(entry.listened_seconds, None)
        completed = entry.completed and listened > 0
    else:
        raise FieldError("session_id", "Give either a session_id or a kind.")
    other_label = rules.clean_other_label(kind, entry.other_label)
    return await _record(
        patient,
        before,
        after,
        policy=policy,
        now=now,
        session_id=entry.session_id,
        kind=kind,
        other_label=other_label,
        evidence=Evidence.SELF_REPORT,
        started_at=started_at,
        listened_seconds=listened,
        duration_seconds=duration,
        completed=completed,
        note=note,
    )


async def _record(
    patient: User,
    before: int | None,
    after: int | None,
    *,
    policy: CarePolicy,
    now: datetime,
    **fields: Any,
) -> Logged:
    """Store a practice of `patient` and its ratings in one transaction: all or nothing."""
    async with in_transaction():
        practice = await PracticeLog.create(
            patient_id=patient.id,
            time_zone=patient.time_zone,
            created_at=now,
            updated_at=now,
            **fields,
        )
        earlier = before
        if earlier is None:
            earlier = await checkins.adopt_recent_checkin(
                patient.id,
                practice.id,
                started_at=practice.started_at,
                within=policy.checkin_as_before,
            )
        alerts = await _ratings(practice, before, after, earlier=earlier, policy=policy, now=now)
    return Logged(practice, alerts, before=earlier, after=after)


async def _ratings(
    practice: PracticeLog,
    before: int | None,
    after: int | None,
    *,
    earlier: int | None,
    policy: CarePolicy,
    now: datetime,
) -> list[Alert]:
    """Store the ratings given with a practice; `earlier` is its before rating, given now or
    adopted, against which the after rating is judged."""
    # A queued record sent later is rated after when the practice ended, not when it arrived.
    ended = min(now, practice.started_at + timedelta(seconds=practice.listened_seconds))
    ratings = (
        (before, CheckinContext.BEFORE_SESSION, None, practice.started_at),
        (after, CheckinContext.AFTER_SESSION, earlier, ended),
    )
    alerts: list[Alert] = []
    for level, context, judged_against, occurred_at in ratings:
        if level is None:
            continue
        recorded = await checkins.record_session_rating(
            practice.patient_id,
            practice.id,
            level=level,
            context=context,
            before=judged_against,
            occurred_at=occurred_at,
            policy=policy,
            now=now,
        )
        alerts += recorded.alerts
    return alerts


def _optional_level(name: str, level: int | None) -> int | None:
    return None if level is None else scoring.clean_level(name, level)


async def start_playback(
    patient: User,
    session_id: int,
    *,
    anxiety_before: int | None,
    policy: CarePolicy,
    now: datetime,
) -> Logged:
    """The player begins a session here: progress reports follow (observed playback)."""
    before = _optional_level("anxiety_before", anxiety_before)
    session, duration = await _session_media(patient, session_id)
    return await _record(
        patient,
        before,
        None,
        policy=policy,
        now=now,
        session_id=session.id,
        kind=session.kind,
        evidence=Evidence.OBSERVED_PLAYBACK,
        started_at=now,
        listened_seconds=0,
        duration_seconds=duration,
        completed=False,
    )


async def report_progress(
    practice: PracticeLog, listened_seconds: int, *, policy: CarePolicy, now: datetime
) -> PracticeLog:
    """Listened time as the player measured it (played ranges only, so seeking ahead adds
    nothing), capped by what could have played since the practice began."""
    if practice.evidence is not Evidence.OBSERVED_PLAYBACK:
        raise FieldError("practice", "Only practice played here takes progress reports.")
    if isinstance(listened_seconds, bool) or listened_seconds < 0:
        raise FieldError("listened_seconds", "Give a number of seconds, 0 or more.")
    elapsed = (now - practice.created_at).total_seconds()
    listened = rules.plausible_listened(
        listened_seconds,
        already=practice.listened_seconds,
        elapsed_seconds=elapsed,
        duration_seconds=practice.duration_seconds,
    )
    completed = rules.is_complete(listened, practice.duration_seconds, policy.completion_fraction)
    if listened != practice.listened_seconds or completed != practice.completed:
        # Only forwards, also against a report that arrived meanwhile (page close and a
        # periodic report at once): the row may already hold more than `practice` says.
        moved = await PracticeLog.filter(id=practice.id, listened_seconds__lte=listened).update(
            listened_seconds=listened, completed=completed, updated_at=now
        )
        if not moved:
            await practice.refresh_from_db()
            return practice
        practice.listened_seconds, practice.completed, practice.updated_at = (
            listened,
            completed,
            now,
        )
    return practice


async def rate_after(
    practice: PracticeLog, level: int, *, policy: CarePolicy, now: datetime
) -> Logged:
    """The rating after a session; it may raise an alert (high, or markedly worse than before)."""
    after = scoring.clean_level("anxiety_after", level)
    async with in_transaction():
        # Lock the practice so two ratings sent at once (a double tap, a retry without a key)
        # cannot both pass the check below on PostgreSQL; SQLite runs one transaction at a time.
        await PracticeLog.select_for_update().get(id=practice.id)
        # A rating the patient gives here says more than a check-in taken as one.
        await checkins.drop_adopted_after(practice.id)
        before, already = await checkins.session_ratings(practice.id)
        if already is not None:
            raise FieldError("anxiety_after", "This session already has an after rating.")
        recorded = await checkins.record_session_rating(
            practice.patient_id,
            practice.id,
            level=after,
            context=CheckinContext.AFTER_SESSION,
            before=before,
            occurred_at=now,
            policy=policy,
            now=now,
        )
    return Logged(practice, recorded.alerts, before=before, after=after)


async def has_after_rating(practice: PracticeLog) -> bool:
    _, after = await checkins.session_ratings(practice.id)
    return after is not None


@dataclass(frozen=True, slots=True)
class Attested:
    """What staff confirm a patient attended, checked by `attested`: the one set of rules for
    one patient and for a group alike (`attest_practices`)."""

    kind: Kind
    started_at: datetime
    listened_seconds: int
    note: str


def attested(
    kind: Kind, minutes: int, started_at: datetime, note: str, *, policy: CarePolicy, now: datetime
) -> Attested:
    """The attended practice's fields, checked; FieldError naming the first one at fault."""
    moment = scoring.clean_moment(
        "started_at", started_at, now=now, backdate_days=policy.backdate_days
    )
    seconds = rules.clean_minutes(minutes) * 60
    return Attested(kind, moment, seconds, scoring.clean_note(note))


Written = Callable[[list[PracticeLog]], Awaitable[None]]


async def attest_practices(
    therapist: User,
    patients: Sequence[User],
    checked: Attested,
    *,
    now: datetime,
    written: Written | None = None,
) -> list[PracticeLog]:
    """One staff-attested practice for each of `patients` (a class they attended together), in
    `patients`' order, in one transaction with what `written` adds to it (the audit rows): all
    or none. The caller has checked each patient is on this therapist's caseload."""
    async with in_transaction():
        practices = [
            await _attested_log(therapist, patient, checked, now=now) for patient in patients
        ]
        if written is not None:
            await written(practices)
    return practices


async def _attested_log(
    therapist: User, patient: User, checked: Attested, *, now: datetime
) -> PracticeLog:
    return await PracticeLog.create(
        patient_id=patient.id,
        kind=checked.kind,
        evidence=Evidence.STAFF_ATTESTED,
        started_at=checked.started_at,
        time_zone=patient.time_zone,
        listened_seconds=checked.listened_seconds,
        completed=True,
        attested_by_id=therapist.id,
        note=checked.note,
        created_at=now,
        updated_at=now,
    )


async def practice_for_owner(viewer: User, practice_id: int) -> PracticeLog | None:
    """The patient's own practice record, or None (other people's records do not exist)."""
    return await PracticeLog.get_or_none(id=practice_id, patient_id=viewer.id)


async def open_practice(patient: User, session_id: int, *, now: datetime) -> PracticeLog | None:
    """The patient's latest practice of this session played here, while still open (recent and
    not yet rated after: see rules.is_open), so a reloaded page resumes it."""
    latest = (
        await PracticeLog.filter(
            patient_id=patient.id,
            session_id=session_id,
            evidence=Evidence.OBSERVED_PLAYBACK,
            updated_at__gte=now - rules.OPEN_PRACTICE_FOR,
        )
        .order_by("-updated_at", "-id")
        .first()
    )
    if latest is None:
        return None
    rated = await has_after_rating(latest)
    opened = rules.is_open(
        evidence=latest.evidence, last_activity=latest.updated_at, rated_after=rated, now=now
    )
    return latest if opened else None


async def practice_between(patient: User, start: datetime, end: datetime) -> list[PracticeLog]:
    """The patient's practice begun in [start, end), oldest first (a practice is at the moment
    it began, as a rating is at the moment it was given)."""
    return await PracticeLog.filter(
        patient_id=patient.id, started_at__gte=start, started_at__lt=end
    ).order_by("started_at", "id")


async def history(patient: User, *, page: int = 1, per_page: int = 20) -> Page[PracticeLog]:
    query = PracticeLog.filter(patient_id=patient.id)
    return await paged(query, "-started_at", "-id", page=page, per_page=per_page)


async def practice_events(patient_id: int, *, policy: CarePolicy) -> list[streaks.PracticeEvent]:
    """Every practice as the streak rules see it, read in one narrow query."""
    events, _, _ = await read_practice(patient_id, policy)
    return events


def streak_policy(policy: CarePolicy) -> streaks.StreakPolicy:
    return streaks.StreakPolicy(
        rollover_hour=policy.day_rollover_hour, rest_days_per_week=policy.rest_days_per_week
    )


async def streak_for(patient: User, *, policy: CarePolicy, now: datetime) -> streaks.StreakSummary:
    """The patient's streak figures as of `now`, kept until their practice changes (the
    practice change token) or their practice day, zone or the policy does: reading two years
    of practice to count them again was most of the home page's cost."""
    token = await change_token(f"{PRACTICE_TOKEN}{patient.id}")
    zone = patient.time_zone
    today = streaks.practice_day(now, zone, policy.day_rollover_hour)
    key = (token, zone, today, policy)
    kept = _streaks.split({patient.id: key})[0].get(patient.id)
    if kept is not None:
        return kept
    events = await practice_events(patient.id, policy=policy)
    summary = streaks.compute_streak(events, now=now, time_zone=zone, policy=streak_policy(policy))
    if token is not None:  # no practice yet: nothing worth keeping
        _streaks.store({patient.id: key}, {patient.id: summary})
    return summary


# Streak figures by patient id, per database connection, under `streak_for`'s key.
_streaks: KeyedCache[streaks.StreakSummary] = KeyedCache()
