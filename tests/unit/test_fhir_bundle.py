"""The FHIR R4 bundle of a patient's measurements and practice (wellness.checkins.fhir), built
from plain records: its codes, the answer codes of every score, each practice as a Procedure
with its status, period and evidence, ratings `partOf` their practice, times in UTC with their
offset, references that resolve inside the bundle, each alert as a Flag resting on the rating or
GAD-7 that raised it, and an empty period. Every bundle is parsed by `fhir.resources` (its R4B
models, which keep R4's Bundle, Patient, Observation, Procedure, QuestionnaireResponse and
Flag), so it is proven FHIR, not just JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fhir.resources.R4B.bundle import Bundle as FhirBundle
from pydantic import ValidationError

from wellness.care.policy import AlertReason
from wellness.checkins import fhir
from wellness.checkins.scoring import GAD7_ITEMS, CheckinContext, gad7_band
from wellness.practice.rules import Evidence, PracticeKind

BASE = "https://wellness.clinic.example"
OTHER = "https://other.example"
NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
ALICE = fhir.PatientFacts(id=42, name="Alice Patient")
BERLIN = ZoneInfo("Europe/Berlin")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def gad7(answers: tuple[int, ...], moment: datetime, record_id: int = 3) -> fhir.Gad7Facts:
    total = sum(answers)
    return fhir.Gad7Facts(
        id=record_id,
        answers=answers,
        total=total,
        band=gad7_band(total),
        occurred_at=moment,
        recorded_at=moment,
    )


def rating(
    level: int,
    context: CheckinContext = CheckinContext.QUICK,
    *,
    linked: bool = False,
    closed: bool = False,
    moment: datetime = NOW,
    record_id: int = 7,
    practice_id: int = 11,
    closed_practice_id: int = 10,
) -> fhir.RatingFacts:
    """A rating; `linked` to practice `practice_id`, `closed` practice `closed_practice_id`."""
    return fhir.RatingFacts(
        id=record_id,
        level=level,
        context=context,
        practice_id=practice_id if linked else None,
        closed_practice_id=closed_practice_id if closed else None,
        occurred_at=moment,
        recorded_at=moment,
    )


def practice(
    record_id: int = 11,
    *,
    kind: PracticeKind = PracticeKind.BREATHING,
    other_label: str = "",
    title: str | None = None,
    evidence: Evidence = Evidence.OBSERVED_PLAYBACK,
    started_at: datetime = NOW,
    seconds: int = 420,
    complete: bool = True,
    still_open: bool = False,
) -> fhir.PracticeFacts:
    return fhir.PracticeFacts(
        id=record_id,
        kind=kind,
        other_label=other_label,
        title=title,
        evidence=evidence,
        started_at=started_at,
        seconds=seconds,
        complete=complete,
        still_open=still_open,
    )


def alert(
    reason: AlertReason = AlertReason.HIGH_DISTRESS,
    value: int = 8,
    *,
    source: fhir.AlertSource | None = "checkin",
    source_id: int = 7,
    raised_at: datetime = NOW,
    acknowledged_at: datetime | None = None,
    record_id: int = 21,
) -> fhir.AlertFacts:
    return fhir.AlertFacts(
        id=record_id,
        reason=reason,
        value=value,
        source=source,
        source_id=source_id,
        raised_at=raised_at,
        acknowledged_at=acknowledged_at,
    )


def build(
    answered: list[fhir.Gad7Facts] | None = None,
    ratings: list[fhir.RatingFacts] | None = None,
    practices: list[fhir.PracticeFacts] | None = None,
    alerts: list[fhir.AlertFacts] | None = None,
) -> dict[str, Any]:
    """The bundle as JSON, after `fhir.resources` has parsed it as a FHIR R4(B) Bundle and
    `assert_fhir_json` has checked what that parser lets through."""
    raw = fhir.encode(
        fhir.bundle(
            ALICE,
            answered or [],
            ratings or [],
            practices=practices or [],
            alerts=alerts or [],
            base_url=BASE,
            now=NOW,
        )
    )
    FhirBundle.model_validate_json(raw)
    found: dict[str, Any] = json.loads(raw)
    assert_fhir_json(found)
    return found


def assert_fhir_json(value: Any, path: str = "") -> None:
    """FHIR's JSON rules `fhir.resources` does not check: no null, no empty array, object or
    string anywhere (an element is left out instead)."""
    assert value is not None, path or "the bundle"
    assert value not in ("", [], {}), path or "the bundle"
    if isinstance(value, dict | list):
        for key, child in value.items() if isinstance(value, dict) else enumerate(value):
            assert_fhir_json(child, f"{path}/{key}")


def assert_refused(good: dict[str, Any], index: int, element: str, value: object) -> None:
    """`fhir.resources` refuses `good` with entry `index`'s `element` set to `value` (None:
    left out)."""
    spoiled = json.loads(json.dumps(good))
    resource = spoiled["entry"][index]["resource"]
    if value is None:
        del resource[element]
    else:
        resource[element] = value
    with pytest.raises(ValidationError):
        FhirBundle.model_validate(spoiled)


def resources(found: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [
        entry["resource"] for entry in found["entry"] if entry["resource"]["resourceType"] == kind
    ]


def test_an_empty_period_is_a_collection_with_only_the_patient() -> None:
    found = build()

    assert (found["resourceType"], found["type"]) == ("Bundle", "collection")
    assert found["timestamp"] == "2026-11-24T14:30:00+00:00"
    [entry] = found["entry"]
    assert entry["fullUrl"].startswith("urn:uuid:")
    assert entry["resource"] == {
        "resourceType": "Patient",
        "identifier": [{"system": f"{BASE}/fhir/sid/patient", "value": "42"}],
        "name": [{"text": "Alice Patient"}],
    }


def test_the_patient_carries_no_more_than_the_id_and_the_name() -> None:
    [patient] = resources(build([gad7((1,) * 7, NOW)], [rating(4)]), "Patient")

    assert set(patient) == {"resourceType", "identifier", "name"}


def test_a_gad7_is_a_questionnaire_response_with_the_loinc_item_codes() -> None:
    answers = (0, 1, 2, 3, 0, 1, 2)
    found = build([gad7(answers, NOW)])

    [response] = resources(found, "QuestionnaireResponse")
    assert response["questionnaire"] == "http://loinc.org/q/69737-5"
    assert response["status"] == "completed"
    assert response["authored"] == "2026-11-24T14:30:00+00:00"
    assert response["identifier"] == {"system": f"{BASE}/fhir/sid/gad7-response", "value": "3"}
    assert [item["linkId"] for item in response["item"]] == [
        "69725-0",
        "68509-9",
        "69733-4",
        "69734-2",
        "69735-9",
        "69689-8",
        "69736-7",
    ]
    assert [item["text"] for item in response["item"]] == list(GAD7_ITEMS)
    codes = [item["answer"][0]["valueCoding"]["code"] for item in response["item"]]
    assert codes == [
        "LA6568-5",
        "LA6569-3",
        "LA6570-1",
        "LA6571-9",
        "LA6568-5",
        "LA6569-3",
        "LA6570-1",
    ]


@pytest.mark.parametrize(
    ("score", "code", "display"),
    [
        (0, "LA6568-5", "Not at all"),
        (1, "LA6569-3", "Several days"),
        (2, "LA6570-1", "More than half the days"),
        (3, "LA6571-9", "Nearly every day"),
    ],
)
def test_each_score_has_its_loinc_answer_code_and_its_weight(
    score: int, code: str, display: str
) -> None:
    found = build([gad7((score,) * 7, NOW)])

    [response] = resources(found, "QuestionnaireResponse")
    for index, item in enumerate(response["item"]):
        coding = item["answer"][0]["valueCoding"]
        assert coding["system"] == "http://loinc.org"
        assert coding["extension"] == [
            {"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": score}
        ]
        if index == 1 and score == 2:
            continue  # item 2's own answer list: the next test
        assert (coding["code"], coding["display"]) == (code, display), index


def test_item_two_scores_two_with_its_own_loinc_answer() -> None:
    """68509-9 has LOINC's answer list with "More days than not" (LA18938-3) for 2."""
    coding = fhir.answer_coding(1, 2)

    assert (coding.code, coding.display) == ("LA18938-3", "More days than not")
    assert [fhir.answer_coding(1, score).code for score in (0, 1, 3)] == [
        "LA6568-5",
        "LA6569-3",
        "LA6571-9",
    ]


@pytest.mark.parametrize(
    ("answers", "interpretation"),
    [
        ((0, 0, 0, 0, 1, 1, 1), "Minimal anxiety (GAD-7 0-4)"),
        ((1, 1, 1, 1, 1, 1, 3), "Mild anxiety (GAD-7 5-9)"),
        ((2, 2, 2, 2, 2, 1, 1), "Moderate anxiety (GAD-7 10-14)"),
        ((3, 3, 3, 3, 3, 3, 3), "Severe anxiety (GAD-7 15-21)"),
    ],
)
def test_a_gad7_total_is_a_survey_observation_derived_from_its_response(
    answers: tuple[int, ...], interpretation: str
) -> None:
    found = build([gad7(answers, NOW)])

    response_entry, total_entry = found["entry"][1:]
    total = total_entry["resource"]
    assert total["resourceType"] == "Observation"
    assert total["status"] == "final"
    assert total["category"] == [
        {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                    "code": "survey",
                    "display": "Survey",
                }
            ]
        }
    ]
    [coding] = total["code"]["coding"]
    assert (coding["system"], coding["code"]) == ("http://loinc.org", "70274-6")
    assert total["valueInteger"] == sum(answers)
    assert total["interpretation"] == [{"text": interpretation}]
    assert total["derivedFrom"] == [{"reference": response_entry["fullUrl"]}]
    assert total["effectiveDateTime"] == "2026-11-24T14:30:00+00:00"


def test_a_suds_rating_is_an_observation_in_the_apps_own_code_system() -> None:
    found = build(ratings=[rating(8)])

    [observation] = resources(found, "Observation")
    assert observation["code"] == {
        "coding": [
            {
                "system": f"{BASE}/fhir/CodeSystem/measure",
                "code": "suds",
                "display": "Subjective Units of Distress (0-10)",
            }
        ],
        "text": "Subjective Units of Distress (0-10)",
    }
    assert observation["valueInteger"] == 8
    assert observation["identifier"] == [{"system": f"{BASE}/fhir/sid/suds-rating", "value": "7"}]
    assert observation["category"][0]["coding"][0]["code"] == "survey"
    assert "interpretation" not in observation  # SUDS has no validated bands
    [component] = observation["component"]
    assert component["code"]["coding"][0]["code"] == "suds-context"
    assert component["valueCodeableConcept"]["coding"] == [
        {
            "system": f"{BASE}/fhir/CodeSystem/suds-context",
            "code": "quick",
            "display": "At a check-in, not linked to a practice session",
        }
    ]


@pytest.mark.parametrize(
    ("given", "sides"),
    [
        (rating(6, CheckinContext.BEFORE_SESSION, linked=True), ["before_session"]),
        (rating(3, CheckinContext.AFTER_SESSION, linked=True), ["after_session"]),
        (rating(5, linked=True), ["before_session"]),  # a check-in a practice took as before
        (rating(4, closed=True), ["after_session"]),  # a check-in counted as a practice's after
        (rating(4, linked=True, closed=True), ["after_session", "before_session"]),
        (rating(2), ["quick"]),
    ],
)
def test_the_context_says_where_the_rating_stands_to_a_practice(
    given: fhir.RatingFacts, sides: list[str]
) -> None:
    [observation] = resources(build(ratings=[given]), "Observation")

    found = [
        component["valueCodeableConcept"]["coding"][0]["code"]
        for component in observation["component"]
    ]
    assert found == sides


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2026, 11, 24, 0, 30, tzinfo=BERLIN), "2026-11-23T23:30:00+00:00"),
        (datetime(2026, 11, 23, 23, 30, tzinfo=LOS_ANGELES), "2026-11-24T07:30:00+00:00"),
        # The hour Berlin's clocks go back: the second 02:30 is 01:30 UTC.
        (datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN), "2026-10-25T01:30:00+00:00"),
        (datetime(2026, 3, 8, 3, 30, 59, 999_999, tzinfo=LOS_ANGELES), "2026-03-08T10:30:59+00:00"),
    ],
)
def test_times_are_utc_to_the_second_with_their_offset(local: datetime, expected: str) -> None:
    found = build([gad7((1,) * 7, local)], [rating(5, moment=local)])

    response, total, suds = found["entry"][1:]
    assert response["resource"]["authored"] == expected
    assert total["resource"]["effectiveDateTime"] == expected
    assert total["resource"]["issued"] == expected
    assert suds["resource"]["effectiveDateTime"] == expected


def test_references_resolve_inside_the_bundle_and_urls_are_stable() -> None:
    answered = [gad7((1,) * 7, NOW, record_id=3), gad7((2,) * 7, NOW, record_id=4)]
    ratings = [rating(5, record_id=7), rating(6, record_id=8)]
    found = build(answered, ratings)

    urls = [entry["fullUrl"] for entry in found["entry"]]
    assert len(set(urls)) == len(urls) == 7
    patient_url = urls[0]
    for entry in found["entry"][1:]:
        resource = entry["resource"]
        assert resource["subject"] == {"reference": patient_url}
        for reference in resource.get("derivedFrom", []):
            assert reference["reference"] in urls
    assert build(answered, ratings)["entry"] == found["entry"]  # a re-export: the same urls
    elsewhere = fhir.bundle(ALICE, [], [], base_url="https://other.example", now=NOW)
    assert elsewhere.entry[0].full_url != patient_url  # another clinic's patient 42


def test_a_trailing_slash_on_the_public_address_is_not_doubled() -> None:
    found = fhir.bundle(ALICE, [], [], base_url=f"{BASE}/", now=NOW)

    assert json.loads(fhir.encode(found))["entry"][0]["resource"]["identifier"][0]["system"] == (
        f"{BASE}/fhir/sid/patient"
    )


def test_the_validator_refuses_what_fhir_r4_does_not_define() -> None:
    """The proof above means something: `fhir.resources` refuses an element R4 does not have
    (an e-mail on the Patient), a missing required one and a time without its offset. (It
    does not check codes against their value sets, nor nulls: `assert_fhir_json` and the
    tests above do.)"""
    good = build([gad7((1,) * 7, NOW)], [rating(5)])
    spoils: list[tuple[int, str, object]] = [
        (0, "email", "alice@example.org"),  # the Patient
        (2, "status", None),  # the GAD-7 total, without its status
        (3, "effectiveDateTime", "2026-11-24T14:30:00"),  # the SUDS rating
    ]
    for index, element, value in spoils:
        assert_refused(good, index, element, value)
    empties: list[object] = [None, [], ""]
    for empty in empties:
        with pytest.raises(AssertionError):
            assert_fhir_json({**good, "entry": [*good["entry"], {"fullUrl": empty}]})


def test_a_practice_played_from_the_library_is_a_procedure_the_patient_performed() -> None:
    found = build(practices=[practice(title="Slow exhale", seconds=400)])

    [entry] = found["entry"][1:]
    assert entry["fullUrl"].startswith("urn:uuid:")
    assert entry["resource"] == {
        "resourceType": "Procedure",
        "identifier": [{"system": f"{BASE}/fhir/sid/practice", "value": "11"}],
        "status": "completed",
        "code": {
            "coding": [
                {
                    "system": f"{BASE}/fhir/CodeSystem/practice-kind",
                    "code": "breathing",
                    "display": "Breathing",
                }
            ],
            "text": "Breathing: Slow exhale",
        },
        "subject": {"reference": found["entry"][0]["fullUrl"]},
        "performedPeriod": {
            "start": "2026-11-24T14:30:00+00:00",
            "end": "2026-11-24T14:36:40+00:00",  # 400 seconds listened
        },
        "performer": [{"actor": {"reference": found["entry"][0]["fullUrl"]}}],
        "note": [{"text": "Played in the app"}],
    }


@pytest.mark.parametrize(
    ("complete", "still_open", "status"),
    [
        (True, False, "completed"),
        (True, True, "completed"),  # the completion rule counts it: more listening adds nothing
        (False, True, "in-progress"),  # resumable here, its after rating on offer
        (False, False, "stopped"),
    ],
)
def test_the_status_is_the_apps_judgement_of_the_practice(
    complete: bool, still_open: bool, status: str
) -> None:
    given = practice(complete=complete, still_open=still_open, seconds=60)

    [procedure] = resources(build(practices=[given]), "Procedure")

    assert procedure["status"] == status
    assert fhir.procedure_status(given) == status
    period = procedure["performedPeriod"]
    assert period["start"] == "2026-11-24T14:30:00+00:00"
    if status == "in-progress":
        assert "end" not in period  # FHIR: a period without an end is still going on
    else:
        assert period["end"] == "2026-11-24T14:31:00+00:00"


@pytest.mark.parametrize(
    ("given", "text", "note"),
    [
        (
            practice(kind=PracticeKind.YOGA, evidence=Evidence.SELF_REPORT, seconds=2700),
            "Yoga",
            "Self-reported",
        ),
        (
            practice(evidence=Evidence.SELF_REPORT, title="Slow exhale"),  # an offline player
            "Breathing: Slow exhale",
            "Self-reported",
        ),
        (
            practice(kind=PracticeKind.YOGA, evidence=Evidence.STAFF_ATTESTED),
            "Yoga",
            "Attendance confirmed by clinic staff",
        ),
        (
            practice(kind=PracticeKind.OTHER, other_label="Walk", evidence=Evidence.SELF_REPORT),
            "Other: Walk",
            "Self-reported",
        ),
        (
            practice(kind=PracticeKind.OTHER, evidence=Evidence.SELF_REPORT),
            "Other",
            "Self-reported",
        ),
        (practice(kind=PracticeKind.BODY_SCAN), "Body scan", "Played in the app"),
    ],
)
def test_the_code_names_the_kind_and_the_note_how_the_app_knows(
    given: fhir.PracticeFacts, text: str, note: str
) -> None:
    found = build(practices=[given])

    [procedure] = resources(found, "Procedure")
    [coding] = procedure["code"]["coding"]
    assert (coding["system"], coding["code"]) == (
        f"{BASE}/fhir/CodeSystem/practice-kind",
        given.kind.value,
    )
    assert coding["display"] == given.kind.label
    assert procedure["code"]["text"] == text
    assert procedure["note"] == [{"text": note}]
    if given.evidence is Evidence.SELF_REPORT:
        assert procedure["asserter"] == {"reference": found["entry"][0]["fullUrl"]}
    else:
        assert "asserter" not in procedure


def test_ratings_around_a_practice_are_part_of_its_procedure() -> None:
    """Before and after ratings point at the practice's entry; a check-in that was one
    practice's after rating and the next one's before rating points at both, in the order of
    its sides; a quick check-in at none."""
    first = practice(10, started_at=NOW)
    second = practice(11, started_at=NOW + timedelta(minutes=30))
    ratings = [
        rating(7, CheckinContext.BEFORE_SESSION, linked=True, practice_id=10, record_id=1),
        rating(4, linked=True, closed=True, practice_id=11, closed_practice_id=10, record_id=2),
        rating(2, CheckinContext.AFTER_SESSION, linked=True, practice_id=11, record_id=3),
        rating(5, record_id=4),
    ]
    found = build(ratings=ratings, practices=[first, second])

    urls = {
        entry["resource"]["identifier"][0]["value"]: entry["fullUrl"]
        for entry in found["entry"]
        if entry["resource"]["resourceType"] == "Procedure"
    }
    parts = [
        [reference["reference"] for reference in observation.get("partOf", [])]
        for observation in resources(found, "Observation")
    ]
    assert parts == [[urls["10"]], [urls["10"], urls["11"]], [urls["11"]], []]


def test_a_rating_of_a_practice_outside_the_period_names_it_by_its_identifier() -> None:
    """The after rating of a practice begun before the period: the practice is not in the
    bundle, so the link is logical, by the identifier that practice has in every export."""
    found = build(ratings=[rating(3, CheckinContext.AFTER_SESSION, linked=True, practice_id=9)])

    [observation] = resources(found, "Observation")
    assert observation["partOf"] == [
        {"type": "Procedure", "identifier": {"system": f"{BASE}/fhir/sid/practice", "value": "9"}}
    ]
    assert resources(found, "Procedure") == []


@pytest.mark.parametrize(
    ("local", "start", "end"),
    [
        # 00:30 in Tokyo is still the day before in UTC.
        (
            datetime(2026, 12, 2, 0, 30, tzinfo=ZoneInfo("Asia/Tokyo")),
            "2026-12-01T15:30:00+00:00",
            "2026-12-01T15:37:00+00:00",
        ),
        # 23:30 in Los Angeles is already the next day in UTC.
        (
            datetime(2026, 12, 2, 23, 30, tzinfo=LOS_ANGELES),
            "2026-12-03T07:30:00+00:00",
            "2026-12-03T07:37:00+00:00",
        ),
        # The hour Berlin's clocks go back: the second 02:30 is 01:30 UTC.
        (
            datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN),
            "2026-10-25T01:30:00+00:00",
            "2026-10-25T01:37:00+00:00",
        ),
    ],
)
def test_a_practices_period_is_in_utc_with_its_offset(
    local: datetime, start: str, end: str
) -> None:
    [procedure] = resources(build(practices=[practice(started_at=local)]), "Procedure")

    assert procedure["performedPeriod"] == {"start": start, "end": end}


@pytest.mark.parametrize(
    ("kind", "records"),
    [
        ("Procedure", {"practices": [practice(10), practice(11, evidence=Evidence.SELF_REPORT)]}),
        (
            "Flag",
            {
                "alerts": [
                    alert(record_id=21),
                    alert(AlertReason.SEVERE_GAD7, 17, source="gad7", record_id=22),
                ]
            },
        ),
    ],
)
def test_a_practices_or_alerts_url_and_identifier_are_the_same_in_every_export(
    kind: str, records: dict[str, Any]
) -> None:
    found = build(**records)

    again = build([gad7((3,) * 7, NOW)], [rating(8)], **records)

    def identified(bundle: dict[str, Any]) -> list[tuple[str, Any]]:
        return [
            (entry["fullUrl"], entry["resource"]["identifier"])
            for entry in bundle["entry"]
            if entry["resource"]["resourceType"] == kind
        ]

    assert identified(found) == identified(again)
    assert len({url for url, _ in identified(found)}) == 2
    elsewhere = fhir.bundle(ALICE, [], [], base_url=OTHER, now=NOW, **records)
    assert elsewhere.entry[1].full_url != identified(found)[0][0]


def test_the_validator_refuses_a_procedure_r4_does_not_define() -> None:
    """`fhir.resources` refuses an element a Procedure does not have and a period without its
    offset, so the Procedures above are proven R4."""
    good = build(practices=[practice()])
    for element, value in (
        ("effectiveDateTime", "2026-11-24T14:30:00+00:00"),  # an Observation's, not a Procedure's
        ("performedPeriod", {"start": "2026-11-24T14:30:00"}),
    ):
        assert_refused(good, 1, element, value)


def entry_url(found: dict[str, Any], kind: str, record_id: int) -> str:
    """The `fullUrl` of the entry identified as `record_id` in `{BASE}/fhir/sid/{kind}`."""
    identifier = {"system": f"{BASE}/fhir/sid/{kind}", "value": str(record_id)}
    return str(entry_by_identifier(found, identifier)["fullUrl"])


def entry_by_identifier(found: dict[str, Any], identifier: dict[str, str]) -> dict[str, Any]:
    entries: list[dict[str, Any]] = found["entry"]
    [entry] = [entry for entry in entries if identifier in _identifiers(entry["resource"])]
    return entry


def _identifiers(resource: dict[str, Any]) -> list[dict[str, str]]:
    found = resource["identifier"]
    return found if isinstance(found, list) else [found]


def test_an_open_alert_is_an_active_clinical_flag_resting_on_its_rating() -> None:
    found = build(ratings=[rating(8, record_id=7)], alerts=[alert(value=8, source_id=7)])

    [flag_entry] = [
        entry for entry in found["entry"] if entry["resource"]["resourceType"] == "Flag"
    ]
    assert found["entry"][-1] == flag_entry  # after what it rests on
    assert flag_entry["fullUrl"].startswith("urn:uuid:")
    assert flag_entry["resource"] == {
        "resourceType": "Flag",
        "identifier": [{"system": f"{BASE}/fhir/sid/alert", "value": "21"}],
        "status": "active",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/flag-category",
                        "code": "clinical",
                        "display": "Clinical",
                    }
                ]
            }
        ],
        "code": {
            "coding": [
                {
                    "system": f"{BASE}/fhir/CodeSystem/alert-reason",
                    "code": "high_distress",
                    "display": "High distress rating",
                }
            ],
            "text": "High distress rating: 8/10",
        },
        "subject": {"reference": found["entry"][0]["fullUrl"]},
        "period": {"start": "2026-11-24T14:30:00+00:00"},
        "extension": [
            {
                "url": "http://hl7.org/fhir/StructureDefinition/flag-detail",
                "valueReference": {"reference": entry_url(found, "suds-rating", 7)},
            }
        ],
    }


def test_an_acknowledged_alert_is_inactive_its_period_ending_when_it_was_seen() -> None:
    seen = datetime(2026, 11, 24, 16, 5, tzinfo=BERLIN)
    found = build(ratings=[rating(9)], alerts=[alert(value=9, acknowledged_at=seen)])

    [flag] = resources(found, "Flag")
    assert flag["status"] == "inactive"
    assert flag["period"] == {
        "start": "2026-11-24T14:30:00+00:00",
        "end": "2026-11-24T15:05:00+00:00",
    }


@pytest.mark.parametrize(
    ("reason", "value", "source", "text", "kind", "system"),
    [
        (
            AlertReason.HIGH_DISTRESS,
            8,
            "checkin",
            "High distress rating: 8/10",
            "Observation",
            "suds-rating",
        ),
        (
            AlertReason.SEVERE_GAD7,
            16,
            "gad7",
            "GAD-7 in the severe range: 16/21",
            "QuestionnaireResponse",
            "gad7-response",
        ),
        (
            AlertReason.WORSE_AFTER_SESSION,
            9,
            "checkin",
            "Markedly worse after a session: rated 9/10 after it",
            "Observation",
            "suds-rating",
        ),
    ],
)
def test_each_cause_is_coded_said_in_plain_words_and_rests_on_what_raised_it(
    reason: AlertReason, value: int, source: fhir.AlertSource, text: str, kind: str, system: str
) -> None:
    """A rating's alert rests on its Observation; a GAD-7's on its QuestionnaireResponse (the
    answers the patient gave, from which the total Observation is derived), both id 7 here."""
    answered = [gad7((3, 3, 2, 2, 2, 2, 2), NOW, record_id=7)]
    found = build(
        answered, [rating(value, record_id=7)], alerts=[alert(reason, value, source=source)]
    )

    [flag] = resources(found, "Flag")
    assert flag["code"]["coding"] == [
        {
            "system": f"{BASE}/fhir/CodeSystem/alert-reason",
            "code": reason.value,
            "display": reason.label,
        }
    ]
    assert flag["code"]["text"] == text
    [detail] = flag["extension"]
    assert detail["valueReference"] == {"reference": entry_url(found, system, 7)}
    resting_on = next(
        e for e in found["entry"] if e["fullUrl"] == detail["valueReference"]["reference"]
    )
    assert resting_on["resource"]["resourceType"] == kind


@pytest.mark.parametrize(
    ("source", "kind", "system"),
    [
        ("checkin", "Observation", "suds-rating"),
        ("gad7", "QuestionnaireResponse", "gad7-response"),
    ],
)
def test_an_alert_whose_rating_is_outside_the_period_names_it_by_its_identifier(
    source: fhir.AlertSource, kind: str, system: str
) -> None:
    """Rated at 23:50 the evening before, raised in the period (a late after-session alert, a
    rating sent late): the link is logical, by the identifier the record has in every export,
    and that export's entry carries the same identifier."""
    found = build(alerts=[alert(source=source, source_id=5)])

    [flag] = resources(found, "Flag")
    identifier = {"system": f"{BASE}/fhir/sid/{system}", "value": "5"}
    assert flag["extension"][0]["valueReference"] == {"type": kind, "identifier": identifier}
    assert resources(found, "Observation") == resources(found, "QuestionnaireResponse") == []
    earlier = datetime(2026, 11, 23, 23, 50, tzinfo=UTC)
    whole = build([gad7((1,) * 7, earlier, record_id=5)], [rating(5, moment=earlier, record_id=5)])
    assert entry_by_identifier(whole, identifier)["resource"]["resourceType"] == kind


def test_an_alert_from_a_source_the_builder_does_not_know_rests_on_nothing() -> None:
    [flag] = resources(build(alerts=[alert(source=None)]), "Flag")

    assert "extension" not in flag


@pytest.mark.parametrize(
    ("raised", "seen", "start", "end"),
    [
        # 00:30 in Tokyo is still the day before in UTC.
        (
            datetime(2026, 12, 2, 0, 30, tzinfo=ZoneInfo("Asia/Tokyo")),
            datetime(2026, 12, 2, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo")),
            "2026-12-01T15:30:00+00:00",
            "2026-12-02T00:00:00+00:00",
        ),
        # 23:30 in Los Angeles is already the next day in UTC.
        (
            datetime(2026, 12, 2, 23, 30, tzinfo=LOS_ANGELES),
            datetime(2026, 12, 2, 23, 45, tzinfo=LOS_ANGELES),
            "2026-12-03T07:30:00+00:00",
            "2026-12-03T07:45:00+00:00",
        ),
        # Raised in the first 02:30 of the night Berlin's clocks go back, seen in the second.
        (
            datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN),
            datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN),
            "2026-10-25T00:30:00+00:00",
            "2026-10-25T01:30:00+00:00",
        ),
    ],
)
def test_an_alerts_period_is_in_utc_with_its_offset(
    raised: datetime, seen: datetime, start: str, end: str
) -> None:
    [flag] = resources(build(alerts=[alert(raised_at=raised, acknowledged_at=seen)]), "Flag")

    assert flag["period"] == {"start": start, "end": end}


def test_the_validator_refuses_a_flag_r4_does_not_define() -> None:
    """`fhir.resources` refuses an element R4's Flag does not have (`evidence`, R4 has only the
    extension), a period without its offset and a Flag without its code, so the Flags above are
    proven R4."""
    good = build(alerts=[alert()])
    spoils: list[tuple[str, object]] = [
        ("evidence", [{"reference": "urn:uuid:1"}]),
        ("period", {"start": "2026-11-24T14:30:00"}),
        ("code", None),
    ]
    for element, value in spoils:
        assert_refused(good, 1, element, value)
