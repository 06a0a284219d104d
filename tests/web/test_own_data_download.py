"""The progress page's "Download your data": `/progress/export?from=&to=`, the patient's own FHIR
file over a period she chooses (the API's `/api/v1/me/fhir` as a form: the same period rules,
bundle and audit row), a period it cannot take shown again on the page beside its field.

`patient` is Alice (Berlin), `other_patient` Charlie (New York); the suite's clock reads
2026-11-24 12:00 UTC unless a test sets it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle as FhirBundle

from tests.conftest import Client, text_of
from tests.web.care_record_data import audit_rows, login, seed_history
from tests.web.test_fhir_export import SEEDED_PARTS, SEEDED_PRACTICE, practice_of, rated_parts
from wellness.accounts.models import User
from wellness.lib.clock import FixedClock

ROUTE = "GET /progress/export"


@pytest.fixture
def seeded(client: Client, personas: dict[str, User]) -> User:
    seed_history(client)
    return personas["patient"]


def suds_values(found: dict[str, Any]) -> list[int]:
    return [
        entry["resource"]["valueInteger"]
        for entry in found["entry"]
        if entry["resource"]["resourceType"] == "Observation"
        and entry["resource"]["code"]["coding"][0]["code"] == "suds"
    ]


def test_the_progress_page_offers_the_last_28_days_to_download(
    client: Client, seeded: User
) -> None:
    login(client, "patient")

    page = text_of(client.get("/progress"))

    assert 'href="#your-data">Download my data</a>' in page
    assert '<form method="get" action="/progress/export"' in page
    assert 'name="from" type="date" value="2026-10-28" max="2026-11-24"' in page
    assert 'name="to" type="date" value="2026-11-24" max="2026-11-24"' in page
    assert "a download covers at most 366 days" in page


def test_it_downloads_the_chosen_period_as_fhir_and_audits_it(client: Client, seeded: User) -> None:
    login(client, "patient")

    response = client.get("/progress/export?from=2026-11-20&to=2026-11-24")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="wellness-patient-{seeded.id}-2026-11-20-to-2026-11-24.fhir.json"'
    )
    FhirBundle.model_validate_json(response.content)
    found = json.loads(response.content)
    assert suds_values(found) == [7, 4, 6, 4, 9]
    assert practice_of(found) == SEEDED_PRACTICE
    assert rated_parts(found) == SEEDED_PARTS
    [row] = audit_rows(client, action="patient_data_exported")
    assert (row.actor_id, row.patient_id, row.route) == (seeded.id, seeded.id, ROUTE)
    assert row.detail == "from=2026-11-20;to=2026-11-24"


def test_the_download_is_the_bundle_the_care_team_exports(client: Client, seeded: User) -> None:
    """Her own file and her care team's export of the same period are the same bundle, entry
    for entry: the same Procedures, ratings and links, under the same URLs."""
    login(client, "patient")
    own = client.get("/progress/export?from=2026-11-20&to=2026-11-24")
    login(client, "therapist")
    theirs = client.get(f"/api/v1/patients/{seeded.id}/fhir?from=2026-11-20&to=2026-11-24")

    assert (own.status_code, theirs.status_code) == (200, 200)
    assert json.loads(own.content) == json.loads(theirs.content)


def test_an_older_period_leaves_out_what_came_after(client: Client, seeded: User) -> None:
    login(client, "patient")

    response = client.get("/progress/export?from=2026-01-01&to=2026-11-14")

    assert response.status_code == 200, response.text
    assert suds_values(json.loads(response.content)) == []
    assert practice_of(json.loads(response.content)) == []
    [row] = audit_rows(client, action="patient_data_exported")
    assert row.detail == "from=2026-01-01;to=2026-11-14"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=2026-13-01&to=2026-11-24", "from", "Give the first day as YYYY-MM-DD"),
        ("from=2026-11-20&to=2026-11-25", "to", "The last day is after today (2026-11-24)"),
        ("from=2026-11-20&to=2026-11-10", "from", "The first day is after the last day"),
        ("from=2025-11-22&to=2026-11-24", "from", "The period is 368 days long"),
    ],
)
def test_a_period_it_cannot_take_is_the_page_again_with_the_problem_beside_its_field(
    client: Client, seeded: User, query: str, field: str, message: str
) -> None:
    login(client, "patient")

    response = client.get(f"/progress/export?{query}")

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert audit_rows(client, action="patient_data_exported") == []
    page = text_of(response)
    assert "There is a problem" in page
    error = (
        f'<p class="field-error" id="{field}-error"><span class="visually-hidden">Error: </span>'
    )
    assert f"{error}{message}" in page
    assert f'id="{field}" name="{field}" type="date"' in page
    typed = dict(pair.split("=") for pair in query.split("&"))
    for name, value in typed.items():
        assert f'name="{name}" type="date" value="{value}"' in page  # what was typed is kept
    assert "Practice calendar" in page  # the rest of the progress page is there


def test_the_default_period_ends_on_the_patients_own_today_west_of_utc(
    client: Client, personas: dict[str, User], clock: FixedClock
) -> None:
    # 23:30 in New York on 23 November is already the 24th in UTC.
    clock.set(datetime(2026, 11, 24, 4, 30, tzinfo=UTC))
    charlie = personas["other_patient"]
    login(client, "other_patient")

    page = text_of(client.get("/progress"))
    response = client.get("/progress/export")

    assert 'name="to" type="date" value="2026-11-23"' in page
    assert response.status_code == 200, response.text
    [row] = audit_rows(client, action="patient_data_exported")
    assert (row.patient_id, row.detail) == (charlie.id, "from=2026-10-27;to=2026-11-23")


@pytest.mark.parametrize("who", ["therapist", "coordinator", "admin"])
def test_staff_have_no_data_of_their_own_to_download(
    client: Client, seeded: User, who: str
) -> None:
    login(client, who)

    response = client.get("/progress/export?from=2026-11-20&to=2026-11-24")

    assert response.status_code == 403
    assert "QuestionnaireResponse" not in response.text
    assert "Procedure" not in response.text
    assert audit_rows(client, action="patient_data_exported") == []
    [refused] = audit_rows(client, action="access_denied")
    assert (refused.target_type, refused.target_id) == ("route", "/progress/export")


def test_nobody_signed_in_is_sent_to_sign_in(client: Client, seeded: User) -> None:
    login(client, None)

    response = client.get("/progress/export", follow_redirects=False)

    assert response.status_code in {302, 303}
    assert response.headers["location"].startswith("/login")
    assert audit_rows(client, action="patient_data_exported") == []
