"""A patient's recent ratings on their home page are kept under the care data's change token:
every write to check-ins or GAD-7 answers renews it, whoever makes it (this process, another
worker, hand-run SQL through a second connection here), so nothing older is shown after one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.services.conftest import Orm
from tests.services.schema import raw_database
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.checkins import services as checkins
from wellness.settings import CarePolicy

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
POLICY = CarePolicy()


def _patient(orm: Orm) -> User:
    return orm.run(
        accounts.create_user(
            email="kai@example.org", display_name="Kai", role=Role.PATIENT, password_hash="x"
        )
    )


def _rate(orm: Orm, patient: User, level: int, at: datetime) -> None:
    entry = checkins.CheckinInput(level=level, occurred_at=at)
    orm.run(checkins.record_checkin(patient, entry, policy=POLICY, now=NOW))


def _elsewhere(orm: Orm, statement: str, *args: object) -> None:
    async def run() -> None:
        async with raw_database(orm.database_url) as db:
            await db.execute(statement, *args)

    orm.run(run())


def _levels(orm: Orm, patient: User) -> list[int]:
    return [checkin.level for checkin in orm.run(checkins.recent_checkins(patient)).latest]


def test_the_latest_five_newest_first_and_the_same_list_while_nothing_changes(
    any_orm: Orm,
) -> None:
    patient = _patient(any_orm)
    for hours, level in enumerate([2, 3, 4, 5, 6, 7]):
        _rate(any_orm, patient, level, NOW - timedelta(hours=10 - hours))

    first = any_orm.run(checkins.recent_checkins(patient))
    again = any_orm.run(checkins.recent_checkins(patient))

    assert [checkin.level for checkin in first.latest] == [7, 6, 5, 4, 3]
    assert again is first


def test_a_rating_made_here_or_elsewhere_shows_at_once(any_orm: Orm) -> None:
    patient = _patient(any_orm)
    _rate(any_orm, patient, 4, NOW - timedelta(hours=2))
    before = _levels(any_orm, patient)

    _rate(any_orm, patient, 6, NOW - timedelta(hours=1))
    after_here = _levels(any_orm, patient)
    _elsewhere(any_orm, "UPDATE checkins SET level = 9 WHERE level = 6")
    after_elsewhere = _levels(any_orm, patient)

    assert (before, after_here, after_elsewhere) == ([4], [6, 4], [9, 4])


def test_a_gad7_answered_elsewhere_is_no_longer_due(any_orm: Orm) -> None:
    patient = _patient(any_orm)
    due_before = any_orm.run(checkins.recent_checkins(patient)).gad7_due(policy=POLICY, now=NOW)

    _elsewhere(
        any_orm,
        "INSERT INTO gad7_responses (patient_id, answers, total, band, occurred_at, recorded_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        patient.id,
        "[1, 1, 1, 1, 1, 1, 1]",
        7,
        "mild",
        NOW - timedelta(days=1),
        NOW - timedelta(days=1),
    )
    recent = any_orm.run(checkins.recent_checkins(patient))

    assert due_before
    assert recent.last_gad7_at == NOW - timedelta(days=1)
    assert not recent.gad7_due(policy=POLICY, now=NOW)
    assert recent.gad7_due(policy=POLICY, now=NOW + timedelta(days=POLICY.gad7_interval_days))
