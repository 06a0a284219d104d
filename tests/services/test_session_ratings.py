"""The rating after a session is taken once, also when two arrive at the same moment."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from tests.services.conftest import Orm
from wellness.accounts import passwords
from wellness.accounts import services as accounts
from wellness.accounts.roles import Role
from wellness.care.models import Alert
from wellness.catalog.kinds import Kind
from wellness.checkins.models import Checkin
from wellness.lib.validation import FieldError
from wellness.practice import services as practice
from wellness.settings import CarePolicy

NOW = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)


def test_racing_after_ratings_store_one_and_refuse_the_rest(any_orm: Orm) -> None:
    patient = any_orm.run(
        accounts.create_user(
            email="double.tap@example.org",
            display_name="Double Tap",
            role=Role.PATIENT,
            password_hash=passwords.dummy_hash(),
        )
    )
    entry = practice.PracticeInput(
        started_at=NOW, listened_seconds=600, kind=Kind.YOGA, anxiety_before=2
    )
    logged = any_orm.run(practice.log_practice(patient, entry, policy=CarePolicy(), now=NOW))

    async def race() -> list[object]:
        ratings = [
            practice.rate_after(logged.practice, 9, policy=CarePolicy(), now=NOW) for _ in range(5)
        ]
        return await asyncio.gather(*ratings, return_exceptions=True)

    results = any_orm.run(race())

    assert sum(isinstance(result, practice.Logged) for result in results) == 1
    assert sum(isinstance(result, FieldError) for result in results) == 4
    assert any_orm.run(Checkin.filter(context="after_session").count()) == 1
    # One rating, so one pair of alerts: high distress and markedly worse than before.
    assert any_orm.run(Alert.all().count()) == 2
