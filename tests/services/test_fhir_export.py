"""A patient's FHIR export over a period (wellness.caseload.export): what it includes, by the
patient's own days at local midnight east and west of UTC and across DST changes (as the
report's tests), each rating once with where it stands to a practice, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle as FhirBundle

from tests.caseload_fixtures import person, practised
from tests.services.conftest import Orm
from tests.services.test_patient_report import EDGES, around_the_period, at
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.caseload.export import patient_bundle
from wellness.caseload.report_period import Period
from wellness.checkins import fhir
from wellness.checkins.models import Checkin, Gad7Response
from wellness.checkins.scoring import CheckinContext, gad7_band

BASE = "https://wellness.clinic.example"
NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)


def export(orm: Orm, patient: User, period: Period, now: datetime) -> dict[str, Any]:
    """The bundle as JSON, after `fhir.resources` has parsed it as a FHIR R4(B) Bundle."""
    raw = fhir.encode(orm.run(patient_bundle(patient, period, base_url=BASE, now=now)))
    FhirBundle.model_validate_json(raw)
    found: dict[str, Any] = json.loads(raw)
    return found


def by_code(found: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Observations by their code, and QuestionnaireResponses under "response"."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for entry in found["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "Observation":
            grouped.setdefault(resource["code"]["coding"][0]["code"], []).append(resource)
        elif resource["resourceType"] == "QuestionnaireResponse":
            grouped.setdefault("response", []).append(resource)
    return grouped


async def _rated(patient: User, level: int, moment: datetime) -> None:
    """A quick check-in at `level` and a GAD-7 scoring twice that, at `moment`."""
    await Checkin.create(patient_id=patient.id, level=level, occurred_at=moment, recorded_at=moment)
    answers = [min(3, max(0, level * 2 - 3 * index)) for index in range(7)]
    await Gad7Response.create(
        patient_id=patient.id,
        answers=answers,
        total=sum(answers),
        band=gad7_band(sum(answers)),
        occurred_at=moment,
        recorded_at=moment,
    )


@pytest.mark.parametrize(("zone", "last"), EDGES)
def test_the_period_is_the_patients_local_days(any_orm: Orm, zone: str, last: date) -> None:
    patient = any_orm.run(person("alice", Role.PATIENT, zone))
    stranger = any_orm.run(person("charlie", Role.PATIENT, zone))
    first = last - timedelta(days=6)
    for level, moment in around_the_period(first, last, zone):
        any_orm.run(_rated(patient, level, moment))
    any_orm.run(_rated(stranger, 5, at(last, time(12), zone)))
    now = at(last + timedelta(days=2), time(12), zone)

    found = by_code(export(any_orm, patient, Period(first, last), now))

    inside = [at(first, time(0, 30), zone), at(last, time(23, 30), zone)]
    instants = [moment.astimezone(UTC).isoformat() for moment in inside]
    assert [item["valueInteger"] for item in found["suds"]] == [3, 4]
    assert [item["effectiveDateTime"] for item in found["suds"]] == instants
    assert [item["valueInteger"] for item in found["70274-6"]] == [6, 8]
    assert [item["effectiveDateTime"] for item in found["70274-6"]] == instants
    assert [item["authored"] for item in found["response"]] == instants
    assert all(moment.endswith("+00:00") for moment in instants)


def test_an_empty_period_exports_only_the_patient(any_orm: Orm) -> None:
    patient = any_orm.run(person("alice", Role.PATIENT))
    any_orm.run(_rated(patient, 5, datetime(2026, 10, 1, 12, tzinfo=UTC)))

    found = export(any_orm, patient, Period(date(2026, 11, 1), date(2026, 11, 24)), NOW)

    [entry] = found["entry"]
    assert entry["resource"]["resourceType"] == "Patient"
    assert entry["resource"]["name"] == [{"text": "Alice"}]
    assert "alice@example.org" not in json.dumps(found)


def test_each_rating_once_with_where_it_stands_to_a_practice(any_orm: Orm) -> None:
    """A check-in that counted as one practice's after rating (a copy holds that link) and that
    the next practice took as its before rating is one Observation, after and before; the
    ratings given with a practice say their side; a quick check-in says so."""
    patient = any_orm.run(person("alice", Role.PATIENT))
    morning = datetime(2026, 11, 24, 8, tzinfo=UTC)
    first = any_orm.run(practised(patient.id, morning))
    second = any_orm.run(practised(patient.id, morning + timedelta(minutes=30)))

    async def rated(minutes: int, level: int, **link: Any) -> Checkin:
        when = morning + timedelta(minutes=minutes)
        return await Checkin.create(
            patient_id=patient.id, level=level, occurred_at=when, recorded_at=when, **link
        )

    async def rate() -> None:
        before, after = CheckinContext.BEFORE_SESSION, CheckinContext.AFTER_SESSION
        await rated(0, 7, context=before, practice_id=first.id)
        between = await rated(20, 4, practice_id=second.id)
        await rated(20, 4, context=after, practice_id=first.id, adopted_from_id=between.id)
        await rated(45, 2, context=after, practice_id=second.id)
        await rated(120, 5)

    any_orm.run(rate())

    found = by_code(export(any_orm, patient, Period(date(2026, 11, 24), date(2026, 11, 24)), NOW))

    sides = [
        (
            item["valueInteger"],
            [part["valueCodeableConcept"]["coding"][0]["code"] for part in item["component"]],
        )
        for item in found["suds"]
    ]
    assert sides == [
        (7, ["before_session"]),
        (4, ["after_session", "before_session"]),
        (2, ["after_session"]),
        (5, ["quick"]),
    ]
