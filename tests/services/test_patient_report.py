"""A patient's report over a period (wellness.caseload.report): each part narrowed to the period
in the patient's own days, at local midnight east and west of UTC and across DST changes, and an
empty period, on SQLite and PostgreSQL.

Ratings, GAD-7 and alerts are moments: 23:30 on the last day is in, 00:30 the day after is out.
Practice counts by practice day, as streaks do: 00:30 the day after the last is the last day's
evening; 02:30 on the first day is the evening before it. Notes count by their contact date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.caseload_fixtures import BREATHING_5_10, POLICY, distressed, person, practised, rated
from tests.conftest import TEST_NOW
from tests.services.conftest import Orm
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care import notes
from wellness.care import services as care
from wellness.care.note_rules import NoteKind
from wellness.caseload.assignments import create_assignment
from wellness.caseload.report import PatientReport, patient_report
from wellness.caseload.report_period import Period
from wellness.checkins.models import Gad7Response
from wellness.checkins.scoring import gad7_band

# (zone, the period's last day): east and west of UTC, and the days the clocks change.
EDGES = [
    pytest.param("Asia/Tokyo", date(2026, 12, 2), id="tokyo"),
    pytest.param("Pacific/Kiritimati", date(2026, 12, 2), id="kiritimati"),
    pytest.param("America/Los_Angeles", date(2026, 12, 2), id="los-angeles"),
    pytest.param("Pacific/Pago_Pago", date(2026, 12, 2), id="pago-pago"),
    pytest.param("Europe/Berlin", date(2026, 3, 29), id="berlin-spring-forward"),
    pytest.param("Europe/Berlin", date(2026, 10, 25), id="berlin-fall-back"),
    pytest.param("America/New_York", date(2026, 3, 8), id="new-york-spring-forward"),
    pytest.param("America/New_York", date(2026, 11, 1), id="new-york-fall-back"),
]


def at(day: date, clock: time, zone: str) -> datetime:
    return datetime.combine(day, clock, ZoneInfo(zone)).astimezone(UTC)


def around_the_period(first: date, last: date, zone: str) -> list[tuple[int, datetime]]:
    """Levels 3 and 4 inside the period (00:30 on its first day, 23:30 on its last), 9 and 1
    just outside it (23:30 the evening before, 00:30 the morning after)."""
    before, after = first - timedelta(days=1), last + timedelta(days=1)
    return [
        (9, at(before, time(23, 30), zone)),
        (3, at(first, time(0, 30), zone)),
        (4, at(last, time(23, 30), zone)),
        (1, at(after, time(0, 30), zone)),
    ]


async def _rating(patient: User, level: int, moment: datetime) -> None:
    await distressed(patient.id, level, moment)
    total = level * 2
    await Gad7Response.create(
        patient_id=patient.id,
        answers=[0] * 7,
        total=total,
        band=gad7_band(total),
        occurred_at=moment,
        recorded_at=moment,
    )


async def _note_today(therapist: User, patient: User) -> None:
    """A session note by `therapist`, dated today (TEST_NOW)."""
    await notes.write_note(
        therapist, patient, kind=NoteKind.SESSION, contact_date=None, text="Today.", now=TEST_NOW
    )


def _patient_and_therapist(orm: Orm, zone: str) -> tuple[User, User]:
    patient = orm.run(person("alice", Role.PATIENT, zone))
    therapist = orm.run(person("bob", Role.THERAPIST, zone))
    orm.run(care.assign(therapist, patient, now=TEST_NOW - timedelta(days=400)))
    return patient, therapist


def _report(orm: Orm, patient: User, period: Period, now: datetime) -> PatientReport:
    return orm.run(patient_report(patient, period, policy=POLICY, now=now))


@pytest.mark.parametrize(("zone", "last"), EDGES)
def test_the_period_ends_at_local_midnight(any_orm: Orm, zone: str, last: date) -> None:
    patient, therapist = _patient_and_therapist(any_orm, zone)
    first = last - timedelta(days=6)
    before, after = first - timedelta(days=1), last + timedelta(days=1)
    for level, moment in around_the_period(first, last, zone):
        any_orm.run(_rating(patient, level, moment))
    for clock, day in ((time(2, 30), first), (time(3, 30), first), (time(0, 30), after)):
        any_orm.run(practised(patient.id, at(day, clock, zone), minutes=7, time_zone=zone))
    now = at(last + timedelta(days=2), time(12), zone)
    for day in (before, first, last):
        any_orm.run(
            notes.write_note(
                therapist,
                patient,
                kind=NoteKind.PHONE_CALL,
                contact_date=day,
                text=str(day),
                now=now,
            )
        )

    found = _report(any_orm, patient, Period(first, last), now)

    assert (found.anxiety.ratings, found.anxiety.lowest, found.anxiety.highest) == (2, 3, 4)
    assert [entry.total for entry in found.gad7] == [6, 8]
    assert [entry.occurred_at.isoformat() for entry in found.gad7] == [
        at(first, time(0, 30), zone).astimezone(ZoneInfo(zone)).isoformat(),
        at(last, time(23, 30), zone).astimezone(ZoneInfo(zone)).isoformat(),
    ]
    assert [alert.value for alert in found.alerts] == [3, 4]
    # 02:30 on the first day is the evening before's practice; 00:30 after the last, the last's.
    assert (found.practice.sessions, found.practice.completed, found.practice.days) == (2, 2, 2)
    assert found.practice.minutes == 14
    assert [note.text for note in (found.notes or [])] == [str(first), str(last)]
    assert found.printed_at.utcoffset() == now.astimezone(ZoneInfo(zone)).utcoffset()


def test_an_empty_period_has_nothing_in_any_part(any_orm: Orm) -> None:
    patient, therapist = _patient_and_therapist(any_orm, "Europe/Berlin")
    period = Period(date(2026, 11, 2), date(2026, 11, 8))
    # Something on either side of it, none of it inside.
    for moment in (at(date(2026, 11, 1), time(12), "Europe/Berlin"), TEST_NOW):
        any_orm.run(_rating(patient, 5, moment))
        any_orm.run(practised(patient.id, moment, minutes=7))
    any_orm.run(_note_today(therapist, patient))

    found = _report(any_orm, patient, period, TEST_NOW)

    assert (found.anxiety.ratings, found.anxiety.lowest, found.anxiety.highest) == (0, None, None)
    assert (found.anxiety.paired, found.anxiety.by_kind) == (None, [])
    assert found.gad7 == []
    assert [(w.first, w.last, w.sessions, w.minutes) for w in found.practice.weeks] == [
        (date(2026, 11, 2), date(2026, 11, 8), 0, 0)
    ]
    assert found.assignments == []
    assert (found.adherence.done, found.adherence.prescribed) == (0, 0)
    assert found.alerts == []
    assert found.notes == []


def test_notes_are_left_out_when_asked(any_orm: Orm) -> None:
    patient, therapist = _patient_and_therapist(any_orm, "Europe/Berlin")
    any_orm.run(_note_today(therapist, patient))

    found = _report(
        any_orm, patient, Period(date(2026, 11, 20), date(2026, 11, 24), notes=False), TEST_NOW
    )

    assert found.notes is None


def test_ratings_pair_and_adherence_counts_only_within_the_period(any_orm: Orm) -> None:
    """A daily breathing assignment from 10 Nov; the period is the week of 16 to 22 Nov, with
    practice on three of its days (two rated before and after) and some on either side."""
    patient, therapist = _patient_and_therapist(any_orm, "Europe/Berlin")
    assigned_at = at(date(2026, 11, 10), time(9), "Europe/Berlin")
    any_orm.run(
        create_assignment(patient, BREATHING_5_10, by=therapist, policy=POLICY, now=assigned_at)
    )
    for day, ratings in (
        (date(2026, 11, 15), (9, 2)),
        (date(2026, 11, 16), (7, 4)),
        (date(2026, 11, 17), (6, 4)),
        (date(2026, 11, 19), None),
        (date(2026, 11, 23), (8, 1)),
    ):
        practice = any_orm.run(practised(patient.id, at(day, time(19), "Europe/Berlin")))
        if ratings:
            any_orm.run(rated(practice, *ratings))

    found = _report(any_orm, patient, Period(date(2026, 11, 16), date(2026, 11, 22)), TEST_NOW)

    anxiety = found.anxiety
    assert (anxiety.ratings, anxiety.lowest, anxiety.highest) == (4, 4, 7)
    assert anxiety.paired is not None
    assert anxiety.paired.summary == "6.5 → 4.0: 2.5 points calmer on average"
    assert anxiety.paired.basis == "2 ratings: too few to say yet"
    assert [(row.label, row.ratings) for row in anxiety.by_kind] == [("Breathing", 2)]
    [week] = found.practice.weeks
    assert (week.sessions, week.completed, week.days, week.minutes) == (3, 3, 3, 21)
    [assignment] = found.assignments
    assert assignment.title == "Any breathing session, 5 to 10 minutes"
    counted = assignment.adherence
    assert (counted.done, counted.prescribed, counted.missed, counted.pending) == (3, 7, 4, 0)
    assert found.adherence == counted


def test_weeks_are_clipped_to_the_period(any_orm: Orm) -> None:
    patient, _ = _patient_and_therapist(any_orm, "Europe/Berlin")
    for day in (date(2026, 11, 17), date(2026, 11, 18), date(2026, 11, 23), date(2026, 11, 24)):
        any_orm.run(practised(patient.id, at(day, time(8), "Europe/Berlin"), minutes=10))
    # One more on the 24th, a replay of the same practice (the same row twice): counted once.
    any_orm.run(practised(patient.id, at(date(2026, 11, 24), time(8), "Europe/Berlin"), minutes=10))

    found = _report(any_orm, patient, Period(date(2026, 11, 18), date(2026, 11, 24)), TEST_NOW)

    assert [(w.week, w.first, w.last, w.sessions, w.minutes) for w in found.practice.weeks] == [
        (date(2026, 11, 16), date(2026, 11, 18), date(2026, 11, 22), 1, 10),
        (date(2026, 11, 23), date(2026, 11, 23), date(2026, 11, 24), 2, 20),
    ]
    assert found.practice.current_streak == 2  # the 23rd and the 24th, as of now
