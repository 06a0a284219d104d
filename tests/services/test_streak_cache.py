"""`practice.services.streak_for` keeps a patient's streak figures until their practice, their
practice day, their zone or the policy changes; a write through another connection (another
worker, the CLI) renews the practice change token by trigger and is seen at once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tests.services.conftest import Orm
from tests.services.test_dashboard_cache import _elsewhere
from tests.services.test_dashboard_queries import counted_queries, make_user, practice_log
from wellness.accounts.roles import Role
from wellness.practice import services as practice
from wellness.practice.models import PracticeLog
from wellness.settings import CarePolicy

NOW = datetime(2026, 11, 24, 13, 30, tzinfo=UTC)  # 22:30 in Tokyo, 02:30 in Pago Pago
POLICY = CarePolicy()


def test_kept_until_practice_day_zone_or_policy_change(any_orm: Orm) -> None:
    orm = any_orm
    patient = orm.run(make_user("p@example.org", Role.PATIENT, "Asia/Tokyo"))
    orm.run(
        PracticeLog.bulk_create([practice_log(patient, NOW - timedelta(days=d)) for d in range(4)])
    )

    first = orm.run(practice.streak_for(patient, policy=POLICY, now=NOW))
    with counted_queries() as kept:
        again = orm.run(practice.streak_for(patient, policy=POLICY, now=NOW + timedelta(minutes=5)))
    assert again is first
    assert len(kept) == 1  # the practice change token only
    assert first.current == 4

    _elsewhere(
        orm, "DELETE FROM practice_logs WHERE started_at < ?", NOW - timedelta(days=2, hours=12)
    )
    assert orm.run(practice.streak_for(patient, policy=POLICY, now=NOW)).current == 3

    two_days_on = orm.run(practice.streak_for(patient, policy=POLICY, now=NOW + timedelta(days=2)))
    assert two_days_on.current == 0
    assert two_days_on.today == first.today + timedelta(days=2)

    patient.time_zone = "Pacific/Pago_Pago"  # a day behind Tokyo
    moved = orm.run(practice.streak_for(patient, policy=POLICY, now=NOW))
    assert moved.today == first.today - timedelta(days=1)

    strict = replace(POLICY, rest_days_per_week=0, completion_percent=100)
    with counted_queries() as recomputed:
        orm.run(practice.streak_for(patient, policy=strict, now=NOW))
    assert len(recomputed) == 2  # the token, then the practice itself
