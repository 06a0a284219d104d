"""A few weeks of lived-in history for the demo: care teams, assigned practices, practice,
check-ins, GAD-7, one open alert and a few clinician notes, so every page has something real
to show; the other patients' practice is in `clinic_use`. Practice and ratings are written
straight to the models (`practised`: the services would rightly refuse entries older than the
back-dating window); the assignments go through the caseload services, as of the day the
therapist made them."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from wellness.accounts.models import User
from wellness.care import notes
from wellness.care import services as care
from wellness.care.models import Alert
from wellness.care.note_rules import NoteKind
from wellness.care.policy import AlertReason
from wellness.care.schedule import Frequency, PartOfDay
from wellness.caseload.assignments import AssignmentInput, create_assignment
from wellness.catalog.kinds import Kind, Status
from wellness.catalog.models import Collection, PracticeSession
from wellness.checkins.models import Checkin, Gad7Response
from wellness.checkins.scoring import ContextTag
from wellness.demo import clinic_use, practised
from wellness.practice.streaks import practice_day
from wellness.settings import CarePolicy

CARE_TEAMS = {
    "therapist@demo.wellness": (
        "patient@demo.wellness",
        "patient2@demo.wellness",
        "patient5@demo.wellness",
        "patient6@demo.wellness",
        "patient7@demo.wellness",
    ),
    "therapist2@demo.wellness": (
        "patient3@demo.wellness",
        "patient4@demo.wellness",
        "patient8@demo.wellness",
        "patient9@demo.wellness",
    ),
}
DEMO_THERAPIST = "therapist@demo.wellness"  # assigns Pat's and Robin's practices
HISTORY_DAYS = 24
# Days (counted back from today) with no practice: a gap, then a current run of practice.
RESTED = {23, 19, 18, 14, 11, 6}

# The demo therapist's homework, assigned some days ago (through the caseload services, as of
# that day), so adherence has a history to count.
PAT_ASSIGNED_DAYS_AGO = 14  # any breathing session, daily, in the evening
PAT_BREATHING_CHANCE = 0.7  # on a practice day since, how often Pat chose a breathing session
PAT_NOTE = "Any of the breathing sessions, in the evening before dinner: long, slow exhales."
ROBIN_SESSION = clinic_use.BODY_SCAN  # three evenings a week
ROBIN_ASSIGNED_DAYS_AGO = 10
ROBIN_PRACTISED = (9, 7, 2)  # days ago: most evenings asked for, not quite all
ROBIN_NOTE = "Three evenings a week, sitting up in a chair: not in bed, so sleep stays for sleep."
# Pat's programme too, once the coordinator had published it (`demo.collections`, 4 days ago):
# one session of it a day, the next one each time.
PAT_COLLECTION = "First week: steadying"
PAT_COLLECTION_DAYS_AGO = 3
PAT_COLLECTION_NOTE = "One a day, in order, whenever suits you: the next one waits for you."
# The demo therapist's clinician notes: (patient, days ago, kind, text, addenda).
CLINICIAN_NOTES = (
    (
        "patient@demo.wellness",
        PAT_ASSIGNED_DAYS_AGO,
        NoteKind.SESSION,
        "First session since the taper step. Pat reports broken sleep and restless evenings.\n"
        "Agreed on slow breathing every evening before dinner; reviewed in two weeks.",
        ("Correction: the taper step was on Monday, not the weekend.",),
    ),
    (
        "patient2@demo.wellness",
        2,
        NoteKind.PHONE_CALL,
        "Robin phoned after a hard night. Talked through the grounding exercise; she will try "
        "the body scan in the chair rather than in bed.",
        (),
    ),
)


@dataclass(frozen=True, slots=True)
class _Assigned:
    patient: str
    days_ago: int
    entry: AssignmentInput


async def seed_history(users: dict[str, User], *, now: datetime, rollover_hour: int = 3) -> None:
    for therapist, patients in CARE_TEAMS.items():
        # Theo has looked after his patients since before their history began; Tamsin's
        # joined her caseload today.
        joined = now - timedelta(days=HISTORY_DAYS + 1) if therapist == DEMO_THERAPIST else now
        for patient in patients:
            await care.assign(users[therapist], users[patient], now=joined)
    await _open_alert(users["patient2@demo.wellness"], now=now)
    await _clinician_notes(users, now=now)
    sessions = await PracticeSession.filter(status=Status.PUBLISHED, duration_seconds__gt=0)
    if not sessions:
        return
    breathing = [session for session in sessions if session.kind == Kind.BREATHING]
    body_scan = next((session for session in sessions if session.title == ROBIN_SESSION), None)
    assigned = _assignments(breathing, body_scan)
    programme = await Collection.get_or_none(title=PAT_COLLECTION, status=Status.PUBLISHED)
    if programme is not None:
        pat = AssignmentInput(
            collection_id=programme.id,
            frequency=Frequency.DAILY.value,
            part_of_day=PartOfDay.MORNING.value,
            note=PAT_COLLECTION_NOTE,
        )
        assigned.append(_Assigned("patient@demo.wellness", PAT_COLLECTION_DAYS_AGO, pat))
    await _assign(users, assigned, now, rollover_hour)
    await _practice_history(
        users["patient@demo.wellness"], sessions, breathing, now=now, rollover_hour=rollover_hour
    )
    if body_scan is not None:
        await _robin_practised(
            users["patient2@demo.wellness"], body_scan, now=now, rollover_hour=rollover_hour
        )
    await clinic_use.seed_regulars(users, sessions, now=now, rollover_hour=rollover_hour)


def _assignments(
    breathing: list[PracticeSession], body_scan: PracticeSession | None
) -> list[_Assigned]:
    assigned = []
    if breathing:
        # The minutes span the library's breathing sessions as stored, so the demo's shortened
        # audio (WELLNESS_DEMO_AUDIO_SCALE) still matches them: 6 to 10 minutes at full length.
        lengths = [session.duration_seconds / 60 for session in breathing]
        low = max(1, math.floor(min(lengths)))
        high = max(low + 1, math.ceil(max(lengths)))
        pat = AssignmentInput(
            kind=Kind.BREATHING.value,
            min_minutes=low,
            max_minutes=high,
            frequency=Frequency.DAILY.value,
            part_of_day=PartOfDay.EVENING.value,
            note=PAT_NOTE,
        )
        assigned.append(_Assigned("patient@demo.wellness", PAT_ASSIGNED_DAYS_AGO, pat))
    if body_scan is not None:
        robin = AssignmentInput(
            session_id=body_scan.id,
            frequency=Frequency.TIMES_A_WEEK.value,
            times_a_week=3,
            part_of_day=PartOfDay.EVENING.value,
            note=ROBIN_NOTE,
        )
        assigned.append(_Assigned("patient2@demo.wellness", ROBIN_ASSIGNED_DAYS_AGO, robin))
    return assigned


async def _assign(
    users: dict[str, User], assigned: list[_Assigned], now: datetime, rollover_hour: int
) -> None:
    """Each assignment made by the demo therapist `days_ago` days before `now`."""
    policy = CarePolicy(day_rollover_hour=rollover_hour)
    for item in assigned:
        await create_assignment(
            users[item.patient],
            item.entry,
            by=users[DEMO_THERAPIST],
            policy=policy,
            now=now - timedelta(days=item.days_ago),
        )


async def _practice_history(
    patient: User,
    sessions: list[PracticeSession],
    breathing: list[PracticeSession],
    *,
    now: datetime,
    rollover_hour: int,
) -> None:
    chance = random.Random(7)  # noqa: S311  (demo data, not security)
    homework = random.Random(10)  # noqa: S311  (its own stream: the rest stays as it was)
    zone = ZoneInfo(patient.time_zone)
    # Practice days, not calendar days: at 01:00 the evening before is still today.
    today = practice_day(now, patient.time_zone, rollover_hour)
    for days_ago in range(HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=days_ago)
        evening = datetime(day.year, day.month, day.day, 19, chance.randrange(0, 50), tzinfo=zone)
        # Anxiety eases over the weeks, with ordinary ups and downs.
        baseline = 7 - (HISTORY_DAYS - days_ago) // 6 + chance.choice((-1, 0, 0, 1))
        await practised.checkin(patient, baseline, evening - timedelta(hours=8), chance)
        if days_ago in RESTED:
            continue
        session = chance.choice(sessions)
        assigned = days_ago <= PAT_ASSIGNED_DAYS_AGO
        if breathing and assigned and homework.random() < PAT_BREATHING_CHANCE:
            session = homework.choice(breathing)
        await practised.played(
            patient,
            session,
            evening,
            before=baseline,
            after=max(0, baseline - chance.choice((1, 2, 2, 3))),
        )
    for days_ago, answers in ((22, [2, 2, 2, 1, 2, 1, 2]), (8, [1, 1, 2, 1, 1, 1, 1])):
        moment = now - timedelta(days=days_ago)
        await Gad7Response.scored(patient.id, answers, occurred_at=moment).save()


async def _robin_practised(
    patient: User, session: PracticeSession, *, now: datetime, rollover_hour: int
) -> None:
    """Robin's assigned body scan on some evenings since it was assigned, and nothing else."""
    chance = random.Random(11)  # noqa: S311  (demo data, not security)
    zone = ZoneInfo(patient.time_zone)
    today = practice_day(now, patient.time_zone, rollover_hour)
    for days_ago in ROBIN_PRACTISED:
        day = today - timedelta(days=days_ago)
        evening = datetime(day.year, day.month, day.day, 20, chance.randrange(0, 40), tzinfo=zone)
        before = chance.choice((6, 7, 7, 8))
        await practised.played(
            patient, session, evening, before=before, after=before - chance.choice((1, 2))
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


async def _clinician_notes(users: dict[str, User], *, now: datetime) -> None:
    """The demo therapist's notes, each written on the day of its contact, its addenda an hour
    later."""
    for patient, days_ago, kind, text, addenda in CLINICIAN_NOTES:
        written = now - timedelta(days=days_ago)
        therapist = users[DEMO_THERAPIST]
        note = await notes.write_note(
            therapist, users[patient], kind=kind, contact_date=None, text=text, now=written
        )
        for addendum in addenda:
            await notes.add_addendum(
                therapist, note, text=addendum, now=written + timedelta(hours=1)
            )
