"""The coordinator's archive warning counts a patient's assignment while its last day has not
ended on the patient's own practice day, at every local hour, east and west of UTC, across DST.

Before, the count took UTC's date: west of UTC an assignment that ended yesterday was still
counted for hours, and east of UTC one that ends today was dropped before the day was over.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.caseload_fixtures import person, published
from tests.conftest import TEST_NOW
from tests.services.conftest import Orm
from tests.unit.test_day_semantics import ROLLOVER, ZONES, moments, practice_day_of
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care.models import AssignmentVersion, PracticeAssignment
from wellness.caseload.availability import patients_assigned
from wellness.catalog.models import PracticeSession


async def assigned(patient: User, session: PracticeSession, by: User) -> int:
    assignment = await PracticeAssignment.create(
        patient_id=patient.id, created_by_id=by.id, created_at=TEST_NOW
    )
    start = TEST_NOW.date() - timedelta(days=400)
    await AssignmentVersion.create(
        assignment_id=assignment.id,
        effective_from=start,
        session_id=session.id,
        frequency="daily",
        start=start,
        created_by_id=by.id,
        created_at=TEST_NOW,
    )
    return int(assignment.id)


async def ending(assignment_id: int, last_day: date) -> None:
    await AssignmentVersion.filter(assignment_id=assignment_id).update(end=last_day)


@pytest.mark.parametrize("zone", ZONES)
def test_an_assignment_counts_until_its_last_day_ends_where_the_patient_lives(
    orm: Orm, zone: str
) -> None:
    session = orm.run(published("Slow exhale", minutes=6, now=TEST_NOW))
    therapist = orm.run(person("therapist", Role.THERAPIST))
    ends_today = orm.run(assigned(orm.run(person("today", Role.PATIENT, zone)), session, therapist))
    ended = orm.run(assigned(orm.run(person("ended", Role.PATIENT, zone)), session, therapist))

    for now in moments(zone):
        today = practice_day_of(now)
        orm.run(ending(ends_today, today))
        orm.run(ending(ended, today - timedelta(days=1)))

        count = orm.run(patients_assigned(session.id, now=now, rollover_hour=ROLLOVER))

        assert count == 1, f"at {now.isoformat()} in {zone}"
