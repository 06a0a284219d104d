"""`Gad7Response.scored`, the constructor seeding code uses (the demo's history, the benchmarks,
tests that write years of data past the services' backdating limit): it stores what the
service's own `record_gad7` stores for the same answers, and refuses what it refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.caseload_fixtures import person
from tests.services.conftest import Orm
from wellness.accounts.roles import Role
from wellness.checkins import services as checkins
from wellness.checkins.models import Gad7Response
from wellness.checkins.scoring import Gad7Band
from wellness.lib.validation import FieldError
from wellness.settings import CarePolicy

NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "answers",
    [(0, 0, 0, 0, 0, 0, 0), (1, 2, 1, 0, 1, 2, 1), (3, 3, 3, 3, 3, 0, 1), (3,) * 7],
)
def test_a_scored_response_stores_what_the_service_stores(
    any_orm: Orm, answers: tuple[int, ...]
) -> None:
    pat = any_orm.run(person("pat", Role.PATIENT))
    recorded = any_orm.run(
        checkins.record_gad7(pat, answers, occurred_at=None, policy=CarePolicy(), now=NOW)
    )
    any_orm.run(Gad7Response.scored(pat.id, answers, occurred_at=NOW).save())

    service, seeded = any_orm.run(Gad7Response.filter(patient_id=pat.id).order_by("id"))

    assert service.id == recorded.response.id
    fields = ("patient_id", "answers", "total", "band", "occurred_at", "recorded_at")
    assert [getattr(seeded, name) for name in fields] == [getattr(service, name) for name in fields]


def test_a_scored_response_is_recorded_when_it_occurred_unless_told_otherwise(
    any_orm: Orm,
) -> None:
    pat = any_orm.run(person("pat", Role.PATIENT))
    then = NOW - timedelta(days=400)

    same = Gad7Response.scored(pat.id, [2] * 7, occurred_at=then)
    later = Gad7Response.scored(pat.id, [2] * 7, occurred_at=then, recorded_at=NOW)

    assert (same.recorded_at, later.recorded_at) == (then, NOW)
    assert (same.total, same.band) == (14, Gad7Band.MODERATE)
    with pytest.raises(FieldError):
        Gad7Response.scored(pat.id, [4] * 7, occurred_at=then)
