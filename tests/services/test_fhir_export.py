"""A patient's FHIR export over a period (wellness.caseload.export): what it includes, by the
patient's own days at local midnight east and west of UTC and across DST changes (as the
report's tests), each rating once with where it stands to a practice and `partOf` it, each
practice a Procedure whose status is the practice domain's judgement, each alert raised in the
period a Flag resting on the rating or GAD-7 that raised it (never who acknowledged it or their
note), read in a fixed number of queries, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle as FhirBundle

from tests.caseload_fixtures import (
    BREATHING_5_10,
    distressed,
    person,
    practised,
    published,
    rated,
)
from tests.services.conftest import Orm
from tests.services.test_dashboard_queries import counted_queries
from tests.services.test_patient_report import EDGES, around_the_period, at
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care import services as care
from wellness.care.models import Alert
from wellness.care.policy import AlertReason
from wellness.caseload.assignments import create_assignment
from wellness.caseload.export import patient_bundle
from wellness.caseload.report_period import Period
from wellness.catalog.kinds import Kind
from wellness.checkins import fhir
from wellness.checkins import services as checkins
from wellness.checkins.models import Checkin, Gad7Response
from wellness.checkins.scoring import CheckinContext, gad7_band
from wellness.practice.models import PracticeLog
from wellness.practice.rules import Evidence, PracticeKind
from wellness.settings import CarePolicy

BASE = "https://wellness.clinic.example"
NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
TODAY = Period(date(2026, 11, 24), date(2026, 11, 24))
POLICY = CarePolicy()


def export(
    orm: Orm, patient: User, period: Period, now: datetime, policy: CarePolicy = POLICY
) -> dict[str, Any]:
    """The bundle as JSON, after `fhir.resources` has parsed it as a FHIR R4(B) Bundle."""
    raw = fhir.encode(
        orm.run(patient_bundle(patient, period, policy=policy, base_url=BASE, now=now))
    )
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
        elif resource["resourceType"] == "Procedure":
            grouped.setdefault("procedure", []).append(resource)
        elif resource["resourceType"] == "Flag":
            grouped.setdefault("flag", []).append(resource)
    return grouped


def rests_on(found: dict[str, Any], flag: dict[str, Any]) -> dict[str, Any]:
    """The resource in the bundle a Flag's `flag-detail` points at."""
    [detail] = flag["extension"]
    assert detail["url"] == "http://hl7.org/fhir/StructureDefinition/flag-detail"
    [entry] = [
        entry
        for entry in found["entry"]
        if entry["fullUrl"] == detail["valueReference"]["reference"]
    ]
    resource: dict[str, Any] = entry["resource"]
    return resource


def procedure_urls(found: dict[str, Any]) -> dict[str, str]:
    """Each Procedure's entry URL by its identifier's value (the practice's id)."""
    return {
        entry["resource"]["identifier"][0]["value"]: entry["fullUrl"]
        for entry in found["entry"]
        if entry["resource"]["resourceType"] == "Procedure"
    }


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
    urls = procedure_urls(any_orm.run(_raw_export(patient)))
    first_url, second_url = urls[str(first.id)], urls[str(second.id)]
    parts = [[part["reference"] for part in item.get("partOf", [])] for item in found["suds"]]
    assert parts == [[first_url], [first_url, second_url], [second_url], []]


async def _raw_export(patient: User) -> dict[str, Any]:
    bundle = await patient_bundle(patient, TODAY, policy=POLICY, base_url=BASE, now=NOW)
    found: dict[str, Any] = json.loads(fhir.encode(bundle))
    return found


@pytest.mark.parametrize(("zone", "last"), EDGES)
def test_practice_is_in_the_period_by_the_moment_it_began(
    any_orm: Orm, zone: str, last: date
) -> None:
    """As ratings: begun at 00:30 on the first day and 23:30 on the last is in (the latter though
    it ends after midnight), 23:30 the evening before and 00:30 or 02:30 the morning after are
    out (the streaks' practice day would count 02:30 for the last day; a moment does not)."""
    patient = any_orm.run(person("alice", Role.PATIENT, zone))
    stranger = any_orm.run(person("charlie", Role.PATIENT, zone))
    first = last - timedelta(days=6)
    moments = [moment for _, moment in around_the_period(first, last, zone)]
    moments.append(at(last + timedelta(days=1), time(2, 30), zone))
    for moment in moments:
        any_orm.run(practised(patient.id, moment, minutes=45, time_zone=zone))
    any_orm.run(practised(stranger.id, at(last, time(12), zone), time_zone=zone))
    now = at(last + timedelta(days=2), time(12), zone)

    found = by_code(export(any_orm, patient, Period(first, last), now))

    inside = [at(first, time(0, 30), zone), at(last, time(23, 30), zone)]
    assert [item["performedPeriod"] for item in found["procedure"]] == [
        {
            "start": moment.isoformat(),
            "end": (moment + timedelta(minutes=45)).isoformat(),
        }
        for moment in inside
    ]
    assert all(item["performedPeriod"]["start"].endswith("+00:00") for item in found["procedure"])


def _played(
    patient: User, listened: int, *, length: int = 600, last_report: datetime | None = None
) -> Any:
    """A practice of a 10-minute session played here at 12:00 today, `listened` seconds heard,
    stored as complete by the rule of 80% that held when it was played."""
    started = datetime(2026, 11, 24, 12, tzinfo=UTC)
    return PracticeLog.create(
        patient_id=patient.id,
        kind=PracticeKind.BREATHING,
        evidence=Evidence.OBSERVED_PLAYBACK,
        started_at=started,
        time_zone="Europe/Berlin",
        listened_seconds=listened,
        duration_seconds=length,
        completed=listened >= 0.8 * length,
        created_at=started,
        updated_at=last_report or started + timedelta(seconds=listened),
    )


def _statuses(found: dict[str, Any]) -> list[str]:
    return [item["status"] for item in by_code(found)["procedure"]]


def test_a_played_practice_is_completed_by_the_clinics_completion_rule(any_orm: Orm) -> None:
    """80% of the session heard counts, 79% does not; a clinic that lowers its rule to 50% sees
    the 79% as completed, judged again from the seconds heard (the stored flag is the old
    rule's)."""
    patient = any_orm.run(person("alice", Role.PATIENT))
    any_orm.run(_played(patient, 480))
    any_orm.run(_played(patient, 474))

    assert _statuses(export(any_orm, patient, TODAY, NOW)) == ["completed", "stopped"]
    lenient = CarePolicy(completion_percent=50)
    assert _statuses(export(any_orm, patient, TODAY, NOW, lenient)) == ["completed", "completed"]


def test_a_play_still_open_is_in_progress_until_rated_after_or_left(any_orm: Orm) -> None:
    """A play whose player reported 10 minutes ago, unrated after, can still be resumed here:
    in progress, its period without an end. Rated after, or left an hour, it has stopped."""
    patient = any_orm.run(person("alice", Role.PATIENT))
    open_play = any_orm.run(_played(patient, 120, last_report=NOW - timedelta(minutes=10)))

    found = by_code(export(any_orm, patient, TODAY, NOW))

    [procedure] = found["procedure"]
    assert procedure["status"] == "in-progress"
    assert procedure["performedPeriod"] == {"start": "2026-11-24T12:00:00+00:00"}
    later = NOW + timedelta(minutes=51)
    assert _statuses(export(any_orm, patient, TODAY, later)) == ["stopped"]
    any_orm.run(
        Checkin.create(
            patient_id=patient.id,
            level=3,
            context=CheckinContext.AFTER_SESSION,
            practice_id=open_play.id,
            occurred_at=NOW,
            recorded_at=NOW,
        )
    )
    assert _statuses(export(any_orm, patient, TODAY, NOW)) == ["stopped"]


def test_logged_practice_counts_as_reported_and_says_how_it_is_known(any_orm: Orm) -> None:
    patient = any_orm.run(person("alice", Role.PATIENT))
    therapist = any_orm.run(person("bob", Role.THERAPIST))
    morning = datetime(2026, 11, 24, 8, tzinfo=UTC)
    session = any_orm.run(published("Slow exhale", minutes=10, now=morning - timedelta(days=9)))
    any_orm.run(practised(patient.id, morning, session=session))
    any_orm.run(practised(patient.id, morning + timedelta(hours=1), kind=Kind.YOGA, minutes=45))
    any_orm.run(
        practised(
            patient.id,
            morning + timedelta(hours=2),
            kind=PracticeKind.OTHER,
            other_label="Walk",
            minutes=20,
            complete=False,
        )
    )
    any_orm.run(
        practised(
            patient.id,
            morning + timedelta(hours=3),
            kind=Kind.YOGA,
            minutes=60,
            evidence=Evidence.STAFF_ATTESTED,
        )
    )
    # A therapist's assignment is not something the patient did.
    any_orm.run(
        create_assignment(patient, BREATHING_5_10, by=therapist, policy=POLICY, now=morning)
    )

    found = export(any_orm, patient, TODAY, NOW)

    described = [
        (item["code"]["text"], item["status"], item["note"][0]["text"], "asserter" in item)
        for item in by_code(found)["procedure"]
    ]
    assert described == [
        ("Breathing: Slow exhale", "completed", "Played in the app", False),
        ("Yoga", "completed", "Self-reported", True),
        ("Other: Walk", "stopped", "Self-reported", True),
        ("Yoga", "completed", "Attendance confirmed by clinic staff", False),
    ]
    assert by_code(found)["procedure"][1]["performedPeriod"] == {
        "start": "2026-11-24T09:00:00+00:00",
        "end": "2026-11-24T09:45:00+00:00",
    }
    assert "Slowly." not in json.dumps(found)  # the assignment's note
    assert "Bob" not in json.dumps(found)  # who attested stays in the app


def test_a_rating_of_a_practice_begun_before_the_period_names_it_by_identifier(
    any_orm: Orm,
) -> None:
    """Begun at 23:50 the evening before, rated after at 00:10: the rating is in the period,
    the practice is not, and the rating still names it the way every export identifies it."""
    patient = any_orm.run(person("alice", Role.PATIENT, "UTC"))
    late = any_orm.run(practised(patient.id, datetime(2026, 11, 23, 23, 50, tzinfo=UTC)))
    after = datetime(2026, 11, 24, 0, 10, tzinfo=UTC)
    any_orm.run(
        Checkin.create(
            patient_id=patient.id,
            level=3,
            context=CheckinContext.AFTER_SESSION,
            practice_id=late.id,
            occurred_at=after,
            recorded_at=after,
        )
    )

    found = by_code(export(any_orm, patient, TODAY, NOW))

    assert "procedure" not in found
    [rating] = found["suds"]
    assert rating["partOf"] == [
        {
            "type": "Procedure",
            "identifier": {"system": f"{BASE}/fhir/sid/practice", "value": str(late.id)},
        }
    ]
    whole = by_code(export(any_orm, patient, Period(date(2026, 11, 23), date(2026, 11, 24)), NOW))
    [procedure] = whole["procedure"]
    assert procedure["identifier"] == [rating["partOf"][0]["identifier"]]


def test_the_export_reads_a_fixed_number_of_queries_however_much_practice_and_alerts(
    any_orm: Orm,
) -> None:
    patient = any_orm.run(person("alice", Role.PATIENT))
    morning = datetime(2026, 11, 24, 6, tzinfo=UTC)

    async def practise(count: int, start: datetime) -> None:
        for index in range(count):
            session = await published(f"Session {start.day}-{index}", minutes=10, now=start)
            moment = start + timedelta(minutes=20 * index)
            done = await practised(patient.id, moment, session=session)
            await rated(done, 6, 4)
            await Checkin.create(
                patient_id=patient.id, level=5, occurred_at=moment, recorded_at=moment
            )
            await _rated(patient, 3, moment)
            await distressed(patient.id, 9, moment)

    def counted(period: Period) -> int:
        with counted_queries() as seen:
            export(any_orm, patient, period, NOW)
        return len(seen)

    any_orm.run(practise(1, morning - timedelta(days=1)))
    one = counted(Period(date(2026, 11, 23), date(2026, 11, 23)))
    any_orm.run(practise(6, morning))
    six = counted(TODAY)

    found = by_code(export(any_orm, patient, TODAY, NOW))
    assert (len(found["procedure"]), len(found["flag"])) == (6, 6)
    assert one == six <= 7


@pytest.mark.parametrize(("zone", "last"), EDGES)
def test_alerts_are_in_the_period_by_the_moment_they_were_raised(
    any_orm: Orm, zone: str, last: date
) -> None:
    """As ratings: raised at 00:30 on the first day and 23:30 on the last is in, 23:30 the
    evening before and 00:30 the morning after are out; each rests on its rating's entry."""
    patient = any_orm.run(person("alice", Role.PATIENT, zone))
    stranger = any_orm.run(person("charlie", Role.PATIENT, zone))
    first = last - timedelta(days=6)
    for level, moment in around_the_period(first, last, zone):
        any_orm.run(distressed(patient.id, level, moment))
    any_orm.run(distressed(stranger.id, 9, at(last, time(12), zone)))
    now = at(last + timedelta(days=2), time(12), zone)

    found = export(any_orm, patient, Period(first, last), now)

    flags = by_code(found)["flag"]
    inside = [at(first, time(0, 30), zone), at(last, time(23, 30), zone)]
    assert [flag["period"] for flag in flags] == [
        {"start": moment.isoformat()} for moment in inside
    ]
    assert all(flag["period"]["start"].endswith("+00:00") for flag in flags)
    assert [flag["code"]["text"] for flag in flags] == [
        "High distress rating: 3/10",
        "High distress rating: 4/10",
    ]
    assert [rests_on(found, flag)["valueInteger"] for flag in flags] == [3, 4]
    assert {flag["status"] for flag in flags} == {"active"}


def test_each_cause_is_a_flag_open_or_acknowledged_without_who_saw_it_or_their_note(
    any_orm: Orm,
) -> None:
    """Raised through the rules: a check-in of 9 (high), a GAD-7 of 18 (severe), an after
    rating of 9 following a 4 (high and markedly worse, on the same rating). Bob acknowledged
    the first with a note: it is inactive from then; neither he nor his note is in the file,
    nor the patient's own check-in note."""
    patient = any_orm.run(person("alice", Role.PATIENT))
    therapist = any_orm.run(person("bob", Role.THERAPIST))
    morning = datetime(2026, 11, 24, 8, tzinfo=UTC)
    seen = morning + timedelta(hours=3, minutes=15)
    ack_note = "Phoned her: safe, sleeping badly, sees Dr Weiss on Friday."

    async def raise_them() -> None:
        high = await checkins.record_checkin(
            patient,
            checkins.CheckinInput(level=9, note="Shaking, cannot sit still"),
            policy=POLICY,
            now=morning,
        )
        await checkins.record_gad7(
            patient, [3, 3, 3, 3, 2, 2, 2], occurred_at=None, policy=POLICY, now=morning
        )
        done = await practised(patient.id, morning + timedelta(hours=1))
        after = morning + timedelta(hours=1, minutes=20)
        await checkins.record_session_rating(
            patient.id,
            done.id,
            level=9,
            context=CheckinContext.AFTER_SESSION,
            before=4,
            occurred_at=after,
            policy=POLICY,
            now=after,
        )
        assert await care.acknowledge(high.alerts[0], therapist, now=seen, note=ack_note)

    any_orm.run(raise_them())

    found = export(any_orm, patient, TODAY, NOW)

    flags = by_code(found)["flag"]
    described = [
        (
            flag["code"]["coding"][0]["code"],
            flag["code"]["text"],
            flag["status"],
            flag["period"],
            rests_on(found, flag)["resourceType"],
        )
        for flag in flags
    ]
    assert described == [
        (
            "high_distress",
            "High distress rating: 9/10",
            "inactive",
            {"start": "2026-11-24T08:00:00+00:00", "end": "2026-11-24T11:15:00+00:00"},
            "Observation",
        ),
        (
            "severe_gad7",
            "GAD-7 in the severe range: 18/21",
            "active",
            {"start": "2026-11-24T08:00:00+00:00"},
            "QuestionnaireResponse",
        ),
        (
            "high_distress",
            "High distress rating: 9/10",
            "active",
            {"start": "2026-11-24T09:20:00+00:00"},
            "Observation",
        ),
        (
            "worse_after_session",
            "Markedly worse after a session: rated 9/10 after it",
            "active",
            {"start": "2026-11-24T09:20:00+00:00"},
            "Observation",
        ),
    ]
    assert rests_on(found, flags[2]) == rests_on(found, flags[3])  # the same after rating
    assert rests_on(found, flags[1]) == by_code(found)["response"][0]  # the GAD-7's answers
    body = json.dumps(found)
    for private in (ack_note, "Dr Weiss", "Bob", "Shaking"):
        assert private not in body


def test_an_alert_whose_rating_came_before_the_period_names_it_by_identifier(
    any_orm: Orm,
) -> None:
    """A rating given offline at 23:50 the evening before and sent at 00:10: its alert is
    raised in the period, the rating is not, and the Flag names it the way every export
    identifies it."""
    patient = any_orm.run(person("alice", Role.PATIENT, "UTC"))
    given = datetime(2026, 11, 23, 23, 50, tzinfo=UTC)
    sent = datetime(2026, 11, 24, 0, 10, tzinfo=UTC)
    recorded = any_orm.run(
        checkins.record_checkin(
            patient, checkins.CheckinInput(level=8, occurred_at=given), policy=POLICY, now=sent
        )
    )

    found = by_code(export(any_orm, patient, TODAY, NOW))

    assert "suds" not in found
    [flag] = found["flag"]
    assert flag["period"] == {"start": "2026-11-24T00:10:00+00:00"}
    [detail] = flag["extension"]
    identifier = {"system": f"{BASE}/fhir/sid/suds-rating", "value": str(recorded.checkin.id)}
    assert detail["valueReference"] == {"type": "Observation", "identifier": identifier}
    whole = by_code(export(any_orm, patient, Period(date(2026, 11, 23), date(2026, 11, 24)), NOW))
    [rating] = whole["suds"]
    assert rating["identifier"] == [identifier]
    [again] = whole["flag"]
    assert again["extension"][0]["valueReference"]["reference"].startswith("urn:uuid:")


def test_an_alert_raised_before_the_period_is_not_in_it_though_acknowledged_in_it(
    any_orm: Orm,
) -> None:
    patient = any_orm.run(person("alice", Role.PATIENT, "UTC"))
    therapist = any_orm.run(person("bob", Role.THERAPIST, "UTC"))
    any_orm.run(distressed(patient.id, 9, datetime(2026, 11, 23, 22, tzinfo=UTC)))

    async def acknowledge() -> None:
        alert = await Alert.get(patient_id=patient.id)
        assert alert.reason is AlertReason.HIGH_DISTRESS
        await care.acknowledge(alert, therapist, now=datetime(2026, 11, 24, 9, tzinfo=UTC))

    any_orm.run(acknowledge())

    assert "flag" not in by_code(export(any_orm, patient, TODAY, NOW))
    yesterday = Period(date(2026, 11, 23), date(2026, 11, 23))
    [flag] = by_code(export(any_orm, patient, yesterday, NOW))["flag"]
    assert (flag["status"], flag["period"]["end"]) == ("inactive", "2026-11-24T09:00:00+00:00")
