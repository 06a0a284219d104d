"""The demo's lived-in history: care teams, assigned practices with some adherence, a practice
streak, check-ins and one open alert.

Seeded through `wellness.demo.seed.seed_demo` with audio squeezed to 2% of its length, as in
test_demo_content.py, so every page of the demo has something real to show.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import TEST_NOW, flat
from tests.services.conftest import Orm
from wellness.accounts.models import User
from wellness.care import notes
from wellness.care import services as care
from wellness.care.models import Alert, AssignmentVersion, CareTeamMember, PracticeAssignment
from wellness.caseload.daily_plan import todays_plan_for
from wellness.caseload.plan import AssignmentState, adherence_for
from wellness.catalog.models import PracticeSession
from wellness.catalog.storage import LocalMediaStore
from wellness.checkins.models import Checkin, Gad7Response
from wellness.demo import history, seed
from wellness.practice import services as practice
from wellness.practice.models import PracticeLog
from wellness.settings import CarePolicy

THERAPIST, THERAPIST2 = "therapist@demo.wellness", "therapist2@demo.wellness"
PATIENT, PATIENT2 = "patient@demo.wellness", "patient2@demo.wellness"
# Theo's and Tamsin's caseloads: the patients of the demo's story, and the regulars whose
# practice fills the library's usage figures (wellness.demo.clinic_use).
THEOS = {PATIENT, PATIENT2, *(f"patient{number}@demo.wellness" for number in (5, 6, 7))}
TAMSINS = {f"patient{number}@demo.wellness" for number in (3, 4, 8, 9)}


def seeded(
    orm: Orm,
    tmp_path: Path,
    *,
    with_catalog: bool = True,
    now: datetime = TEST_NOW,
    audio_scale: float = 0.02,
) -> dict[str, User]:
    store = LocalMediaStore(tmp_path / "media") if with_catalog else None
    orm.run(seed.seed_demo(store, audio_cache=tmp_path / "cache", audio_scale=audio_scale, now=now))
    return {user.email: user for user in orm.run(User.all())}


def caseload_emails(orm: Orm, therapist: User) -> set[str]:
    return {patient.email for patient in orm.run(care.caseload(therapist))}


def test_seeding_the_demo_gives_patient_a_streak_and_patient2_one_open_alert(
    orm: Orm, tmp_path: Path
) -> None:
    users = seeded(orm, tmp_path)

    assert caseload_emails(orm, users[THERAPIST]) == THEOS
    assert caseload_emails(orm, users[THERAPIST2]) == TAMSINS
    patient, patient2 = users[PATIENT], users[PATIENT2]
    logs = orm.run(PracticeLog.filter(patient_id=patient.id))
    assert len(logs) >= 7
    assert all(log.evidence == "observed_playback" and log.completed for log in logs)
    figures = orm.run(practice.streak_for(patient, policy=CarePolicy(), now=TEST_NOW))
    assert figures.current >= 1
    assert figures.longest >= figures.current
    zone = ZoneInfo(patient.time_zone)
    assert figures.total_days == len({log.started_at.astimezone(zone).date() for log in logs})
    # Before and after ratings around every played session, and a couple of GAD-7s.
    assert orm.run(Checkin.filter(practice_id__in=[log.id for log in logs]).count()) == 2 * len(
        logs
    )
    assert orm.run(Gad7Response.filter(patient_id=patient.id).count()) == 2

    open_alerts = orm.run(Alert.filter(acknowledged_at__isnull=True))
    assert [(alert.patient_id, alert.reason) for alert in open_alerts] == [
        (patient2.id, "high_distress")
    ]
    shown = orm.run(care.open_alerts(users[THERAPIST]))
    assert [item.patient_name for item in shown] == [patient2.display_name]
    assert orm.run(care.open_alerts(users[THERAPIST2])) == []


def test_the_demo_therapist_has_assigned_pat_and_robin_practice_with_some_done(
    orm: Orm, tmp_path: Path
) -> None:
    # A tenth of the audio, as the browser tests' server: the breathing sessions last at least
    # half a minute, so they count towards a range in whole minutes.
    users = seeded(orm, tmp_path, audio_scale=0.1)
    pat, robin, theo = users[PATIENT], users[PATIENT2], users[THERAPIST]
    policy = CarePolicy()

    assert orm.run(PracticeAssignment.all().count()) == 3
    assert orm.run(PracticeAssignment.filter(created_by_id=theo.id).count()) == 3
    programme, breathing = orm.run(adherence_for(pat, policy=policy, now=TEST_NOW))
    assert (breathing.kind, breathing.frequency, breathing.part_of_day) == (
        "breathing",
        "daily",
        "Evening",
    )
    assert breathing.state is AssignmentState.ACTIVE
    assert breathing.note == history.PAT_NOTE
    assert breathing.start == TEST_NOW.date() - timedelta(days=history.PAT_ASSIGNED_DAYS_AGO)
    lengths = flat(
        orm.run(
            PracticeSession.filter(kind="breathing", status="published").values_list(
                "duration_seconds", flat=True
            )
        )
    )
    assert breathing.min_minutes is not None
    assert breathing.max_minutes is not None
    assert all(
        breathing.min_minutes - 0.5 <= seconds / 60 <= breathing.max_minutes + 0.5
        for seconds in lengths
    )
    # Fourteen days are due before today, three of them rest days: some done, some missed.
    assert breathing.prescribed == history.PAT_ASSIGNED_DAYS_AGO
    assert 0 < breathing.done < breathing.prescribed - 3
    assert breathing.pending == 1  # today, still open

    [body_scan] = orm.run(adherence_for(robin, policy=policy, now=TEST_NOW))
    assert (body_scan.title, body_scan.schedule, body_scan.part_of_day) == (
        history.ROBIN_SESSION,
        "3 times a week",
        "Evening",
    )
    assert body_scan.note == history.ROBIN_NOTE
    # Due by the end of each week, so only past weeks count (TEST_NOW is a Tuesday); one missed.
    assert body_scan.done == len(history.ROBIN_PRACTISED)
    assert body_scan.prescribed == body_scan.done + 1
    assert body_scan.week_pending == 3

    # One version each, made on the day it was assigned, by the demo therapist.
    versions = orm.run(AssignmentVersion.all())
    assert {version.created_by_id for version in versions} == {theo.id}
    assert sorted(version.effective_from for version in versions) == [
        TEST_NOW.date() - timedelta(days=history.PAT_ASSIGNED_DAYS_AGO),
        TEST_NOW.date() - timedelta(days=history.ROBIN_ASSIGNED_DAYS_AGO),
        TEST_NOW.date() - timedelta(days=history.PAT_COLLECTION_DAYS_AGO),
    ]
    # Pat's programme: the coordinator's first collection, daily, its next session to start.
    assert programme.title == f"Collection: {history.PAT_COLLECTION}"
    assert (programme.collection_title, programme.frequency) == (history.PAT_COLLECTION, "daily")
    assert (programme.state, programme.unavailable) == (AssignmentState.ACTIVE, None)
    assert programme.prescribed == history.PAT_COLLECTION_DAYS_AGO
    assert programme.next_choice is not None
    # Today's plan on Pat's home: the programme in the morning, then the breathing item with
    # its note, each one tap away, not yet done.
    plan = orm.run(todays_plan_for(pat, policy=policy, now=TEST_NOW))
    first, item = plan.items
    assert (first.title, first.start_session_id) == (programme.title, programme.next_choice.id)
    assert (item.note, item.done, item.due) == (history.PAT_NOTE, 0, 1)
    assert item.start_session_id in set(
        flat(orm.run(PracticeSession.filter(kind="breathing").values_list("id", flat=True)))
    )
    # Tamsin's patients have no assigned practice, nor have Theo's regulars.
    for email in (THEOS | TAMSINS) - {PATIENT, PATIENT2}:
        assert orm.run(adherence_for(users[email], policy=policy, now=TEST_NOW)) == []


def test_seeding_again_resets_the_history_instead_of_adding_to_it(orm: Orm, tmp_path: Path) -> None:
    seeded(orm, tmp_path)
    first = orm.run(PracticeLog.all().count())

    users = seeded(orm, tmp_path)

    assert orm.run(PracticeLog.all().count()) == first
    assert orm.run(CareTeamMember.all().count()) == len(THEOS | TAMSINS) == 9
    assert orm.run(Alert.filter(acknowledged_at__isnull=True).count()) == 1
    assert caseload_emails(orm, users[THERAPIST]) == THEOS


def test_without_a_catalog_the_demo_still_has_care_teams_but_no_practice(
    orm: Orm, tmp_path: Path
) -> None:
    users = seeded(orm, tmp_path, with_catalog=False)

    assert caseload_emails(orm, users[THERAPIST]) == THEOS
    assert orm.run(PracticeLog.all().count()) == 0


@pytest.mark.parametrize("local_time", [time(1, 30), time(2, 59), time(3, 0), time(23, 30)])
def test_the_seeded_history_leaves_today_open_at_any_hour(
    orm: Orm, tmp_path: Path, local_time: time
) -> None:
    """Seeded at 01:30, the evening before is still today's practice day: the history must end
    the practice day before, so the demo patient has today still to do."""
    berlin = ZoneInfo("Europe/Berlin")
    now = datetime.combine(date(2026, 12, 2), local_time, berlin)
    users = seeded(orm, tmp_path, now=now)

    figures = orm.run(practice.streak_for(users[PATIENT], policy=CarePolicy(), now=now))

    assert figures.current >= 1
    assert figures.practised_today is False
    assert figures.current_period is not None
    assert figures.current_period.end == figures.today - timedelta(days=1)


def test_the_demo_therapist_has_written_clinician_notes(orm: Orm, tmp_path: Path) -> None:
    users = seeded(orm, tmp_path)
    pat, robin, theo = users[PATIENT], users[PATIENT2], users[THERAPIST]

    [pat_note] = orm.run(notes.notes_page(pat)).items
    [robin_note] = orm.run(notes.notes_page(robin)).items

    assert (pat_note.author_id, robin_note.author_id) == (theo.id, theo.id)
    assert pat_note.contact_date == TEST_NOW.date() - timedelta(days=history.PAT_ASSIGNED_DAYS_AGO)
    assert [item.text for item in pat_note.addenda] == [history.CLINICIAN_NOTES[0][4][0]]
    assert robin_note.addenda == ()
