"""The FHIR export, `GET /api/v1/patients/{id}/fhir` and `GET /api/v1/me/fhir` (`from`, `to`).

`therapist` (Bob) looks after `patient` (Alice, Berlin); `other_therapist` after `other_patient`
(Charlie, New York). The care team and the patient herself get a FHIR R4 Bundle, proven FHIR
by `fhir.resources`, with her practice as Procedures and the ratings around each `partOf` it,
her alerts as Flags resting on the rating that raised them (never who acknowledged one or their
note: her own download is the same file); anyone else gets the patient page's 404. A period the
report cannot take is a 400 naming the parameter. Every export is one audit row with the period,
never any data.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fhir.resources.R4B.bundle import Bundle as FhirBundle
from fhir.resources.R4B.operationoutcome import OperationOutcome

from tests.caseload_fixtures import distressed
from tests.conftest import BASE_URL, Client, text_of
from tests.web.care_record_data import (
    NOTE,
    alerts,
    audit_rows,
    login,
    newest_alert,
    seed_history,
)
from wellness.accounts.models import User
from wellness.lib.clock import FixedClock
from wellness.settings import Settings

ROUTE = "GET /api/v1/patients/{patient_id}/fhir"
MY_ROUTE = "GET /api/v1/me/fhir"
CLINIC = "https://wellness.clinic.example"
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The suite's settings; a test may set WELLNESS_PUBLIC_URL by indirect parametrization."""
    public_url: str | None = getattr(request, "param", None)
    return settings.replace(public_url=public_url) if public_url else settings


@pytest.fixture
def seeded(client: Client, personas: dict[str, User]) -> User:
    """Alice's GAD-7s (8, 12), ratings 7→4 and 6→4 around two practices and a check-in of 9
    with a note (care_record_data.seed_history)."""
    seed_history(client)
    return personas["patient"]


def bundle_of(response: httpx.Response) -> dict[str, Any]:
    """The answer's bundle, after `fhir.resources` has parsed it as a FHIR R4(B) Bundle."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    assert response.headers["cache-control"] == "no-store"
    FhirBundle.model_validate_json(response.content)
    found: dict[str, Any] = json.loads(response.content)
    return found


def values(found: dict[str, Any], code: str) -> list[int]:
    return [
        entry["resource"]["valueInteger"]
        for entry in found["entry"]
        if entry["resource"]["resourceType"] == "Observation"
        and entry["resource"]["code"]["coding"][0]["code"] == code
    ]


# seed_history's practice: two breathing practices Alice logged (rated 7 -> 4 and 6 -> 4), and
# the yoga class Bob confirmed she attended, as (code text, status, note, performedPeriod).
SEEDED_PRACTICE = [
    (
        "Breathing",
        "completed",
        "Self-reported",
        {"start": "2026-11-24T10:30:00+00:00", "end": "2026-11-24T10:40:00+00:00"},
    ),
    (
        "Breathing",
        "completed",
        "Self-reported",
        {"start": "2026-11-24T11:30:00+00:00", "end": "2026-11-24T11:40:00+00:00"},
    ),
    (
        "Yoga",
        "completed",
        "Attendance confirmed by clinic staff",
        {"start": "2026-11-24T13:30:00+00:00", "end": "2026-11-24T14:15:00+00:00"},
    ),
]


def practice_of(found: dict[str, Any]) -> list[tuple[str, str, str, dict[str, str]]]:
    return [
        (
            resource["code"]["text"],
            resource["status"],
            resource["note"][0]["text"],
            resource["performedPeriod"],
        )
        for resource in (entry["resource"] for entry in found["entry"])
        if resource["resourceType"] == "Procedure"
    ]


def rated_parts(found: dict[str, Any]) -> list[tuple[int, list[str]]]:
    """Each SUDS rating with the code texts of the Procedures it is `partOf`, in order."""
    texts = {
        entry["fullUrl"]: f"{entry['resource']['code']['text']}@"
        f"{entry['resource']['performedPeriod']['start'][11:16]}"
        for entry in found["entry"]
        if entry["resource"]["resourceType"] == "Procedure"
    }
    return [
        (
            entry["resource"]["valueInteger"],
            [texts[part["reference"]] for part in entry["resource"].get("partOf", [])],
        )
        for entry in found["entry"]
        if entry["resource"]["resourceType"] == "Observation"
        and entry["resource"]["code"]["coding"][0]["code"] == "suds"
    ]


SEEDED_PARTS = [
    (7, ["Breathing@10:30"]),
    (4, ["Breathing@10:30"]),
    (6, ["Breathing@11:30"]),
    (4, ["Breathing@11:30"]),
    (9, []),
]
ACK_NOTE = "Phoned her: safe, but call back Friday"


def flags_of(found: dict[str, Any]) -> list[tuple[str, str, dict[str, str], int]]:
    """Each Flag as (code text, status, period, the level of the rating it rests on)."""
    by_url = {entry["fullUrl"]: entry["resource"] for entry in found["entry"]}
    return [
        (
            resource["code"]["text"],
            resource["status"],
            resource["period"],
            by_url[resource["extension"][0]["valueReference"]["reference"]]["valueInteger"],
        )
        for resource in by_url.values()
        if resource["resourceType"] == "Flag"
    ]


# seed_history's check-in of 9, sent at 14:30 (rated at 12:30): the alert it raised, still open.
SEEDED_FLAGS = [
    ("High distress rating: 9/10", "active", {"start": "2026-11-24T14:30:00+00:00"}, 9),
]


def acknowledge_the_alert(client: Client, clock: FixedClock) -> None:
    """Bob acknowledges Alice's alert with a note, 40 minutes after it was raised."""
    clock.set(datetime(2026, 11, 24, 15, 10, tzinfo=UTC))
    login(client, "therapist")  # after the clock moved: staff sessions idle out (20 minutes)
    response = client.post(
        f"/api/v1/alerts/{newest_alert(client)}/acknowledge", json={"note": ACK_NOTE}
    )
    assert response.status_code == 200, response.text


def test_the_care_team_exports_the_last_28_days_as_fhir(client: Client, seeded: User) -> None:
    login(client, "therapist")

    response = client.get(f"/api/v1/patients/{seeded.id}/fhir")

    found = bundle_of(response)
    [row] = audit_rows(client, action="patient_data_exported")
    therapist = client.user("therapist@example.org")
    assert (row.actor_id, row.patient_id, row.route) == (therapist.id, seeded.id, ROUTE)
    assert (row.target_type, row.target_id) == ("user", str(seeded.id))
    assert row.detail == "from=2026-10-28;to=2026-11-24"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="wellness-patient-{seeded.id}-2026-10-28-to-2026-11-24.fhir.json"'
    )
    assert (found["resourceType"], found["type"]) == ("Bundle", "collection")
    patient = found["entry"][0]["resource"]
    assert patient["name"] == [{"text": "Alice Patient"}]
    # No public address configured: identifiers are under the address the request came to.
    assert patient["identifier"] == [
        {"system": f"{BASE_URL}/fhir/sid/patient", "value": str(seeded.id)}
    ]
    assert values(found, "70274-6") == [8, 12]
    assert values(found, "suds") == [7, 4, 6, 4, 9]
    assert practice_of(found) == SEEDED_PRACTICE
    assert rated_parts(found) == SEEDED_PARTS
    assert flags_of(found) == SEEDED_FLAGS
    body = response.text
    assert "patient@example.org" not in body
    assert "Bob" not in body  # who confirmed the yoga class stays in the app
    assert NOTE not in body  # check-in notes stay in the app
    assert "craving" not in body


@pytest.mark.parametrize("settings", [CLINIC], indirect=True)
def test_identifiers_are_under_the_clinics_public_address(
    client: Client, seeded: User, settings: Settings
) -> None:
    login(client, "therapist")

    found = bundle_of(client.get(f"/api/v1/patients/{seeded.id}/fhir"))

    systems = {
        identifier["system"]
        for entry in found["entry"]
        for identifier in _identifiers(entry["resource"])
    }
    assert systems == {
        f"{CLINIC}/fhir/sid/{kind}"
        for kind in ("patient", "gad7-response", "gad7-total", "suds-rating", "practice", "alert")
    }
    kinds = {
        entry["resource"]["resourceType"]: coding["system"]
        for entry in found["entry"]
        if entry["resource"]["resourceType"] in {"Procedure", "Flag"}
        for coding in entry["resource"]["code"]["coding"]
    }
    assert kinds == {
        "Procedure": f"{CLINIC}/fhir/CodeSystem/practice-kind",
        "Flag": f"{CLINIC}/fhir/CodeSystem/alert-reason",
    }
    assert BASE_URL not in json.dumps(found)


def _identifiers(resource: dict[str, Any]) -> list[dict[str, str]]:
    found = resource["identifier"]
    return found if isinstance(found, list) else [found]


def test_a_chosen_period_is_read_in_the_patients_days(client: Client, seeded: User) -> None:
    login(client, "therapist")

    response = client.get(f"/api/v1/patients/{seeded.id}/fhir?from=2026-11-01&to=2026-11-14")

    found = bundle_of(response)
    assert values(found, "70274-6") == [8]  # ten days ago; the 12 of five hours ago is out
    assert values(found, "suds") == []
    assert practice_of(found) == []
    assert flags_of(found) == []
    [row] = audit_rows(client, action="patient_data_exported")
    assert row.detail == "from=2026-11-01;to=2026-11-14"


def test_the_patient_exports_her_own_data(client: Client, seeded: User) -> None:
    login(client, "patient")

    found = bundle_of(client.get("/api/v1/me/fhir?from=2026-11-20"))

    assert found["entry"][0]["resource"]["identifier"][0]["value"] == str(seeded.id)
    assert values(found, "70274-6") == [12]
    assert values(found, "suds") == [7, 4, 6, 4, 9]
    assert practice_of(found) == SEEDED_PRACTICE
    assert rated_parts(found) == SEEDED_PARTS
    assert flags_of(found) == SEEDED_FLAGS
    [row] = audit_rows(client, action="patient_data_exported")
    assert (row.actor_id, row.patient_id, row.route) == (seeded.id, seeded.id, MY_ROUTE)
    assert row.detail == "from=2026-11-20;to=2026-11-24"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=2026-13-01", "from", "Give the first day as YYYY-MM-DD"),
        ("to=tomorrow", "to", "Give the last day as YYYY-MM-DD"),
        (
            "from=\uff12\uff10\uff12\uff16-11-01",
            "from",
            "Give the first day as YYYY-MM-DD",
        ),  # fullwidth
        ("from=1999-12-31", "from", "Give the first day from 2000-01-01 on"),
        ("from=2026-11-20&to=2026-11-25", "to", "The last day is after today (2026-11-24)"),
        ("from=2026-11-20&to=2026-11-10", "from", "The first day is after the last day"),
        ("from=2025-11-22&to=2026-11-24", "from", "The period is 368 days long"),
    ],
)
@pytest.mark.parametrize("who", ["therapist", "patient"])
def test_a_period_it_cannot_take_is_a_400_naming_the_parameter(
    client: Client, seeded: User, query: str, field: str, message: str, who: str
) -> None:
    login(client, who)
    path = f"/api/v1/patients/{seeded.id}/fhir" if who == "therapist" else "/api/v1/me/fhir"

    response = client.get(f"{path}?{query}")

    assert response.status_code == 400
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["detail"] == f"The period could not be read: {field}."
    [problem] = body["errors"]
    assert problem["field"] == field
    assert problem["message"].startswith(message)
    assert audit_rows(client, action="patient_data_exported") == []
    assert "Alice" not in response.text


@pytest.mark.parametrize(
    "who", ["patient", "other_patient", "other_therapist", "coordinator", "admin"]
)
def test_anyone_but_the_current_care_team_gets_404(client: Client, seeded: User, who: str) -> None:
    login(client, who)

    response = client.get(f"/api/v1/patients/{seeded.id}/fhir")

    assert response.status_code == 404
    assert audit_rows(client, action="patient_data_exported") == []
    [refused] = audit_rows(client, action="not_found_for_viewer")
    assert (refused.target_type, refused.target_id, refused.patient_id) == (
        "user",
        str(seeded.id),
        None,
    )
    assert refused.route == ROUTE
    assert "Alice" not in response.text
    assert "QuestionnaireResponse" not in response.text
    assert "Procedure" not in response.text
    assert "Flag" not in response.text


@pytest.mark.parametrize("who", ["therapist", "coordinator", "admin"])
def test_only_patients_have_data_of_their_own_to_export(
    client: Client, seeded: User, who: str
) -> None:
    login(client, who)

    response = client.get("/api/v1/me/fhir")

    assert response.status_code == 403
    assert audit_rows(client, action="patient_data_exported") == []
    [refused] = audit_rows(client, action="access_denied")
    assert refused.patient_id is None


def test_nobody_signed_in_gets_401(client: Client, seeded: User) -> None:
    login(client, None)
    for path in (f"/api/v1/patients/{seeded.id}/fhir", "/api/v1/me/fhir"):
        assert client.get(path).status_code == 401, path
    assert audit_rows(client, action="patient_data_exported") == []


FHIR_CLIENT = {"accept": "application/fhir+json"}


def outcome_of(response: httpx.Response) -> list[dict[str, Any]]:
    """The refusal's issues, after `fhir.resources` has parsed it as an OperationOutcome."""
    assert response.headers["content-type"].startswith("application/fhir+json")
    assert response.headers["cache-control"] == "no-store"
    OperationOutcome.model_validate_json(response.content)
    issues: list[dict[str, Any]] = json.loads(response.content)["issue"]
    return issues


@pytest.mark.parametrize(
    ("who", "path", "status", "code"),
    [
        (None, "/api/v1/patients/{id}/fhir", 401, "login"),
        ("coordinator", "/api/v1/me/fhir", 403, "forbidden"),
        ("other_therapist", "/api/v1/patients/{id}/fhir", 404, "not-found"),
        ("therapist", "/api/v1/patients/999999/fhir", 404, "not-found"),
    ],
)
def test_a_fhir_client_is_refused_with_an_operation_outcome(
    client: Client, seeded: User, who: str | None, path: str, status: int, code: str
) -> None:
    login(client, who)

    response = client.get(path.format(id=seeded.id), headers=FHIR_CLIENT)

    assert response.status_code == status
    [issue] = outcome_of(response)
    assert (issue["severity"], issue["code"]) == ("error", code)
    assert issue["diagnostics"]
    assert "Alice" not in response.text
    assert audit_rows(client, action="patient_data_exported") == []


def test_a_fhir_client_gets_an_issue_per_parameter_it_cannot_take(
    client: Client, seeded: User
) -> None:
    login(client, "patient")

    response = client.get("/api/v1/me/fhir?from=2026-13-01&to=2026-11-31", headers=FHIR_CLIENT)

    assert response.status_code == 400
    issues = outcome_of(response)
    assert [(issue["code"], issue["expression"]) for issue in issues] == [
        ("invalid", ["from"]),
        ("invalid", ["to"]),
    ]
    assert all(issue["diagnostics"].startswith(issue["expression"][0]) for issue in issues)


def test_the_api_document_describes_both_refusal_bodies_of_the_fhir_routes(
    client: Client,
) -> None:
    document = client.get("/schema/openapi.json").json()

    for path in ("/api/v1/patients/{patient_id}/fhir", "/api/v1/me/fhir"):
        refusal = document["paths"][path]["get"]["responses"]["401"]
        assert set(refusal["content"]) == {"application/json", "application/fhir+json"}
    other = document["paths"]["/api/v1/me"]["get"]["responses"]["401"]
    assert set(other["content"]) == {"application/json"}
    assert document["components"]["schemas"]["OperationOutcome"]["required"] == [
        "resourceType",
        "issue",
    ]


def test_other_clients_keep_the_apis_error_shape_on_the_fhir_routes(
    client: Client, seeded: User
) -> None:
    login(client, "other_therapist")

    response = client.get(
        f"/api/v1/patients/{seeded.id}/fhir", headers={"accept": "application/json"}
    )

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert set(response.json()) == {"status_code", "detail"}


def test_a_fhir_client_asking_elsewhere_gets_the_apis_error_shape(
    client: Client, seeded: User
) -> None:
    login(client, "patient")

    response = client.get("/api/v1/patients/999999", headers=FHIR_CLIENT)

    assert response.status_code == 404
    assert response.json()["status_code"] == 404


@pytest.mark.parametrize(
    ("now", "who", "first", "last", "inside", "outside"),
    [
        # 25 Oct 2026 has 25 hours in Berlin: 23:30 that day is in, 00:30 the next is not.
        (
            datetime(2026, 10, 27, 12, tzinfo=UTC),
            "patient",
            "2026-10-19",
            "2026-10-25",
            datetime(2026, 10, 25, 23, 30, tzinfo=BERLIN),
            datetime(2026, 10, 26, 0, 30, tzinfo=BERLIN),
        ),
        # 8 Mar 2026 has 23 hours in New York, west of UTC: at 23:30 UTC's date is the 9th.
        (
            datetime(2026, 3, 10, 12, tzinfo=UTC),
            "other_patient",
            "2026-03-02",
            "2026-03-08",
            datetime(2026, 3, 8, 23, 30, tzinfo=NEW_YORK),
            datetime(2026, 3, 9, 0, 30, tzinfo=NEW_YORK),
        ),
    ],
)
def test_a_period_ends_at_the_patients_midnight_across_a_dst_change(
    client: Client,
    personas: dict[str, User],
    clock: FixedClock,
    now: datetime,
    who: str,
    first: str,
    last: str,
    inside: datetime,
    outside: datetime,
) -> None:
    patient = personas[who]
    clock.set(now)

    async def rate() -> None:
        for level, moment in ((3, inside), (9, outside)):
            await distressed(patient.id, level, moment.astimezone(UTC))

    client.run(rate)
    login(client, "therapist" if who == "patient" else "other_therapist")

    response = client.get(f"/api/v1/patients/{patient.id}/fhir?from={first}&to={last}")

    found = bundle_of(response)
    [rating, flag] = [entry["resource"] for entry in found["entry"][1:]]
    assert rating["valueInteger"] == 3
    assert rating["effectiveDateTime"] == inside.astimezone(UTC).isoformat()
    assert flag["resourceType"] == "Flag"
    assert flag["period"] == {"start": inside.astimezone(UTC).isoformat()}
    assert flag["code"]["text"] == "High distress rating: 3/10"


def test_an_acknowledged_alert_is_inactive_without_who_saw_it_or_their_note(
    client: Client, seeded: User, clock: FixedClock
) -> None:
    """Bob's acknowledgement ends the Flag's period; his name and note stay in the app, in the
    care team's export as in Alice's own (the API's and the progress page's download), which
    stay the same file."""
    acknowledge_the_alert(client, clock)

    theirs = client.get(f"/api/v1/patients/{seeded.id}/fhir?from=2026-11-20")
    login(client, "patient")
    own = client.get("/api/v1/me/fhir?from=2026-11-20")
    downloaded = client.get("/progress/export?from=2026-11-20&to=2026-11-24")  # the page's form

    found = bundle_of(theirs)
    assert flags_of(found) == [
        (
            "High distress rating: 9/10",
            "inactive",
            {"start": "2026-11-24T14:30:00+00:00", "end": "2026-11-24T15:10:00+00:00"},
            9,
        )
    ]
    assert bundle_of(own) == bundle_of(downloaded) == found
    for body in (theirs.text, own.text, downloaded.text):
        for private in (ACK_NOTE, "call back", "Bob", "Therapist", NOTE, "craving"):
            assert private not in body


@pytest.mark.parametrize(
    "who", ["patient", "other_patient", "other_therapist", "coordinator", "admin"]
)
def test_outsiders_get_none_of_her_alerts_and_the_alert_is_unchanged(
    client: Client, seeded: User, clock: FixedClock, who: str
) -> None:
    acknowledge_the_alert(client, clock)
    login(client, who)

    response = client.get(f"/api/v1/patients/{seeded.id}/fhir")
    mine = client.get("/api/v1/me/fhir") if who in {"patient", "other_patient"} else None

    assert response.status_code == 404
    assert "Flag" not in response.text
    assert "High distress" not in response.text
    assert [(acknowledged, note) for _, acknowledged, note in alerts(client)] == [
        (datetime(2026, 11, 24, 15, 10, tzinfo=UTC), ACK_NOTE)
    ]
    if who == "other_patient":  # Charlie's own export holds none of Alice's alerts
        assert mine is not None
        assert flags_of(bundle_of(mine)) == []


def test_the_patients_page_links_to_the_export(client: Client, seeded: User) -> None:
    login(client, "therapist")

    page = client.get(f"/care/patients/{seeded.id}").text

    assert f'href="/care/patients/{seeded.id}/report">Printable report</a>' in page
    assert f'href="/api/v1/patients/{seeded.id}/fhir" download>Download FHIR (JSON)</a>' in page


def test_the_report_links_to_the_export_of_its_period(client: Client, seeded: User) -> None:
    login(client, "therapist")

    page = text_of(client.get(f"/care/patients/{seeded.id}/report?from=2026-11-01&to=2026-11-14"))

    link = f'href="/api/v1/patients/{seeded.id}/fhir?from=2026-11-01&to=2026-11-14" download>'
    assert f"{link}Download FHIR (JSON)</a>" in page
