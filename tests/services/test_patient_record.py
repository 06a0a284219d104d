"""A patient's record as the care team reads it (wellness.caseload), without HTTP: what helps
follows the progress page's rule, alerts name the rating that raised them, evidence is kept."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import TEST_NOW
from tests.services.conftest import Orm
from wellness.accounts import passwords
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care import services as care
from wellness.care.models import Alert
from wellness.caseload import alerts as caseload_alerts
from wellness.caseload import record as records
from wellness.catalog.kinds import Kind
from wellness.checkins import services as checkins
from wellness.practice import progress
from wellness.practice import services as practice
from wellness.settings import CarePolicy

POLICY = CarePolicy()


async def person(email: str, role: Role, zone: str = "Asia/Tokyo") -> User:
    return await accounts.create_user(
        email=email,
        display_name=email.split("@")[0].title(),
        role=role,
        time_zone=zone,
        password_hash=passwords.dummy_hash(),
    )


async def practised(
    patient: User, kind: Kind, before: int, after: int, *, completed: bool, hours: int
) -> None:
    entry = practice.PracticeInput(
        started_at=TEST_NOW - timedelta(hours=hours),
        listened_seconds=600,
        kind=kind,
        completed=completed,
        anxiety_before=before,
        anxiety_after=after,
    )
    await practice.log_practice(patient, entry, policy=POLICY, now=TEST_NOW)


def test_what_helps_follows_the_progress_pages_rule(orm: Orm) -> None:
    async def scenario() -> tuple[records.PatientRecord, progress.Progress]:
        patient = await person("patient@example.org", Role.PATIENT)
        await practised(patient, Kind.BREATHING, 7, 3, completed=True, hours=5)
        await practised(patient, Kind.BREATHING, 6, 5, completed=True, hours=4)
        await practised(patient, Kind.YOGA, 5, 2, completed=True, hours=3)
        await practised(patient, Kind.YOGA, 9, 1, completed=False, hours=2)  # not finished
        found = await records.patient_record(patient, policy=POLICY, now=TEST_NOW)
        return found, await progress.progress_for(patient, policy=POLICY, now=TEST_NOW)

    found, shown_to_patient = orm.run(scenario())

    by_kind = [(item.label, item.change, item.ratings) for item in found.helps.by_kind]
    assert sorted(by_kind) == sorted(shown_to_patient.by_kind)
    assert by_kind == [("Yoga", -3.0, 1), ("Breathing", -2.5, 2)]
    assert found.helps.ratings == 3
    unfinished = [entry for entry in found.practice.items if not entry.complete]
    assert [(entry.kind, entry.before, entry.after) for entry in unfinished] == [("yoga", 9, 1)]


def test_practice_history_keeps_its_evidence_and_the_attesting_person(orm: Orm) -> None:
    async def scenario() -> list[records.PracticeEntry]:
        patient = await person("patient@example.org", Role.PATIENT)
        therapist = await person("bob@example.org", Role.THERAPIST)
        await practised(patient, Kind.BREATHING, 7, 3, completed=True, hours=5)
        checked = practice.attested(
            Kind.YOGA,
            45,
            TEST_NOW - timedelta(hours=1),
            "Group class",
            policy=POLICY,
            now=TEST_NOW,
        )
        await practice.attest_practices(therapist, [patient], checked, now=TEST_NOW)
        page = await records.practice_history(patient, policy=POLICY)
        return page.items

    attested, reported = orm.run(scenario())

    assert (attested.evidence_label, attested.attested_by, attested.note) == (
        "Attested",
        "Bob",
        "Group class",
    )
    assert attested.complete
    assert (attested.before, attested.after) == (None, None)
    assert (reported.evidence_label, reported.attested_by) == ("Self-report", "")
    assert str(attested.started_at.tzinfo) == "Asia/Tokyo"


def test_alerts_name_the_rating_that_raised_them_and_who_acknowledged(orm: Orm) -> None:
    async def scenario() -> list[caseload_alerts.AlertView]:
        patient = await person("patient@example.org", Role.PATIENT)
        therapist = await person("bob@example.org", Role.THERAPIST)
        await care.assign(therapist, patient, now=TEST_NOW)
        entry = checkins.CheckinInput(9, note="Shaking", tags=["panic", "withdrawal-symptoms"])
        await checkins.record_checkin(patient, entry, policy=POLICY, now=TEST_NOW)
        await checkins.record_gad7(patient, [3] * 7, occurred_at=None, policy=POLICY, now=TEST_NOW)
        first = await caseload_alerts.open_alerts_of(patient)
        await care.acknowledge(
            await Alert.get(id=first[-1].id), therapist, now=TEST_NOW, note="Phoned"
        )
        return (await caseload_alerts.alert_history(patient)).items

    gad7, checkin = orm.run(scenario())

    assert gad7.raised_by is not None
    assert gad7.raised_by.label == "GAD-7"
    assert gad7.is_open
    assert gad7.acknowledged_by == ""
    assert checkin.raised_by is not None
    assert checkin.raised_by.tags == ("Panic", "Withdrawal symptoms")
    assert checkin.raised_by.note == "Shaking"
    assert (checkin.acknowledged_by, checkin.note) == ("Bob", "Phoned")
