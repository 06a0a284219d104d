"""A group's attendance without HTTP (wellness.caseload.attendance): the practices and what the
caller writes with them (the audit rows) commit together or not at all, on SQLite and
PostgreSQL (see `any_orm`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from tests.caseload_fixtures import person
from tests.conftest import TEST_NOW
from tests.services.conftest import Orm
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.audit import services as audit
from wellness.audit.models import AuditEvent
from wellness.care import services as care
from wellness.caseload import attendance
from wellness.catalog.kinds import Kind
from wellness.lib.validation import FieldError
from wellness.practice.models import PracticeLog
from wellness.practice.services import Written
from wellness.settings import CarePolicy

POLICY = CarePolicy()


class Interrupted(Exception):
    """Something going wrong after the audit rows are written, before the commit."""


def caseload(orm: Orm) -> tuple[User, list[User]]:
    async def make() -> tuple[User, list[User]]:
        therapist = await person("bob", Role.THERAPIST)
        patients = [await person(name, Role.PATIENT) for name in ("alice", "bea", "carl")]
        for patient in patients:
            await care.assign(therapist, patient, now=TEST_NOW)
        return therapist, patients

    return orm.run(make())


@dataclass(frozen=True)
class Yoga:
    """The class attended, as a form or a JSON body gives it (`attendance.Attendance`)."""

    kind: Kind = Kind.YOGA
    minutes: int = 45
    started_at: datetime = TEST_NOW - timedelta(hours=2)
    note: str = ""


async def attest(therapist: User, patient_ids: list[int], written: Written) -> None:
    await attendance.attest_group(
        therapist, patient_ids, Yoga(), policy=POLICY, now=TEST_NOW, written=written
    )


def test_the_practices_and_their_audit_rows_commit_together(any_orm: Orm) -> None:
    therapist, patients = caseload(any_orm)

    async def audited(practices: list[PracticeLog]) -> None:
        await audit.record_for_each_patient(
            "practice_attested",
            [log.patient_id for log in practices],
            now=TEST_NOW,
            actor_id=therapist.id,
        )

    any_orm.run(attest(therapist, [patient.id for patient in patients], audited))

    assert any_orm.run(PracticeLog.all().count()) == 3
    assert any_orm.run(AuditEvent.filter(action="practice_attested").count()) == 3


def test_a_failure_before_the_commit_leaves_no_practice_and_no_audit_row(any_orm: Orm) -> None:
    therapist, patients = caseload(any_orm)

    async def audited_then_interrupted(practices: list[PracticeLog]) -> None:
        await audit.record_for_each_patient(
            "practice_attested",
            [log.patient_id for log in practices],
            now=TEST_NOW,
            actor_id=therapist.id,
        )
        raise Interrupted

    with pytest.raises(Interrupted):
        any_orm.run(
            attest(therapist, [patient.id for patient in patients], audited_then_interrupted)
        )

    assert any_orm.run(PracticeLog.all().count()) == 0
    assert any_orm.run(AuditEvent.all().count()) == 0


def test_a_patient_who_left_the_caseload_refuses_the_whole_group(any_orm: Orm) -> None:
    therapist, patients = caseload(any_orm)
    any_orm.run(care.unassign(therapist.id, patients[1].id, now=TEST_NOW))

    async def nothing(practices: list[PracticeLog]) -> None:
        raise AssertionError("nothing is written for a refused group")

    with pytest.raises(FieldError) as refused:
        any_orm.run(attest(therapist, [patient.id for patient in patients], nothing))

    assert refused.value.errors == {
        "patient_ids": f"No patient on your caseload has id {patients[1].id}."
    }
    assert any_orm.run(PracticeLog.all().count()) == 0
