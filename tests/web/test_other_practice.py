"""Logging practice the catalog has no kind for ("Other", with a short name of the patient's
own: a walk, a swim, a 12-step meeting), on the log-a-practice form and through the API, and
how the patient's pages and their therapist see it. Staff confirm attendance of the catalog's
kinds only."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import PERSONAS, TEST_NOW, Client, text_of
from wellness.accounts.models import User
from wellness.practice.models import PracticeLog
from wellness.practice.rules import PracticeKind

LOG = "/practice/log"
API = "/api/v1/practice"


def an_hour_ago() -> str:
    moment = (TEST_NOW - timedelta(hours=1)).astimezone(ZoneInfo("Europe/Berlin"))
    return moment.strftime("%Y-%m-%dT%H:%M")


def logged_form(**fields: str) -> dict[str, str]:
    return {"kind": "other", "minutes": "30", "started_at": an_hour_ago(), **fields}


def stored(client: Client) -> list[tuple[str, str, int]]:
    async def read() -> list[tuple[str, str, int]]:
        rows = (
            await PracticeLog.all()
            .order_by("id")
            .values_list("kind", "other_label", "listened_seconds")
        )
        return [(str(kind), str(label), int(seconds)) for kind, label, seconds in rows]

    return client.run(read)


def test_the_form_offers_other_and_a_labelled_field_for_its_name(as_patient: Client) -> None:
    page = as_patient.get(LOG)

    assert page.status_code == 200
    assert '<option value="other">Other</option>' in page.text
    assert '<label for="other_label">What it was' in page.text
    assert 'id="other_label" name="other_label" type="text"' in page.text
    assert 'aria-describedby="other_label-hint"' in page.text
    assert "A walk, a swim, a meeting: a short name, up to 40 characters." in text_of(page)


def test_a_patient_logs_a_walk_and_sees_it_under_its_name(as_patient: Client) -> None:
    response = as_patient.submit(LOG, logged_form(other_label="  Walk by the lake  "))

    assert response.status_code == 303
    assert response.headers["location"] == "/progress"
    assert stored(as_patient) == [("other", "Walk by the lake", 30 * 60)]
    progress = as_patient.get("/progress")
    page = text_of(progress)
    assert "Logged 30 minutes of “Walk by the lake”." in page
    assert re.search(r">\s*Walk by the lake\s*<", progress.text)
    assert as_patient.get("/api/v1/me/streak").json()["current"] == 1


def test_other_without_a_name_is_logged_as_other_practice(as_patient: Client) -> None:
    response = as_patient.submit(LOG, logged_form())

    assert response.status_code == 303
    assert stored(as_patient) == [("other", "", 30 * 60)]
    assert "Logged 30 minutes of other practice." in text_of(as_patient.get("/progress"))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"other_label": "A very long walk along the river and back home"},
            "Keep the name of the practice to 40 characters or fewer (this one has 46).",
        ),
        (
            {"kind": "yoga", "other_label": "Walk"},
            "Name the practice only when its kind is Other.",
        ),
    ],
)
def test_a_name_too_long_or_with_another_kind_is_refused_and_nothing_stored(
    as_patient: Client, fields: dict[str, str], message: str
) -> None:
    response = as_patient.submit(LOG, logged_form(**fields))

    assert response.status_code == 422
    assert stored(as_patient) == []
    page = text_of(response)
    assert f"What it was: {message}" in page  # in the error summary, linked to the field
    assert 'id="other_label-error"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert f'value="{fields["other_label"]}"' in response.text  # what was typed is kept


# --- the API ----------------------------------------------------------------------------------


def body(**fields: Any) -> dict[str, Any]:
    return {
        "started_at": (TEST_NOW - timedelta(hours=1)).isoformat(),
        "listened_seconds": 1800,
        "kind": "other",
        "completed": True,
        **fields,
    }


def test_the_api_logs_an_other_practice_and_lists_it_with_its_name(as_patient: Client) -> None:
    response = as_patient.post(API, json=body(other_label=" Swim "))

    assert response.status_code == 201, response.text
    assert stored(as_patient) == [("other", "Swim", 1800)]
    practice = response.json()["practice"]
    assert (practice["kind"], practice["other_label"]) == ("other", "Swim")
    [listed] = as_patient.get(API).json()["items"]
    assert (listed["kind"], listed["other_label"]) == ("other", "Swim")


@pytest.mark.parametrize(
    "fields",
    [
        {"other_label": "x" * 41},
        {"kind": "yoga", "other_label": "Swim"},
        {"kind": None, "session_id": None, "other_label": "Swim"},
    ],
)
def test_the_api_refuses_a_bad_name_naming_the_field(
    as_patient: Client, fields: dict[str, Any]
) -> None:
    response = as_patient.post(API, json=body(**fields))

    assert response.status_code == 422, response.text
    assert stored(as_patient) == []
    fields_named = {problem["field"] for problem in response.json()["errors"]}
    assert fields_named & {"other_label", "session_id"}


def test_the_openapi_document_offers_other_and_its_name(client: Client) -> None:
    schemas = client.get("/schema/openapi.json").json()["components"]["schemas"]

    assert "other_label" in schemas["PracticeCreate"]["properties"]
    assert "other_label" in schemas["PracticeOut"]["properties"]
    assert "other" in schemas["PracticeKind"]["enum"]
    assert "other" not in schemas["Kind"]["enum"]  # the catalog's kinds stay as they are


# --- staff ------------------------------------------------------------------------------------


def test_staff_confirm_attendance_of_the_catalogs_kinds_only(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])
    patient = personas["patient"]
    form = client.get(f"/care/patients/{patient.id}/attest")

    refused = client.submit(f"/care/patients/{patient.id}/attest", logged_form())
    api = client.post(
        f"/api/v1/patients/{patient.id}/practice",
        json={
            "kind": "other",
            "minutes": 30,
            "started_at": (TEST_NOW - timedelta(hours=1)).isoformat(),
        },
    )

    assert form.status_code == 200
    assert '<option value="other">' not in form.text
    assert 'name="other_label"' not in form.text
    assert refused.status_code == 422
    assert api.status_code == 422
    assert stored(client) == []


def test_the_therapist_sees_the_practice_under_the_patients_name_for_it(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["patient"])
    assert client.submit(LOG, logged_form(other_label="12-step meeting")).status_code == 303
    client.login_as(PERSONAS["therapist"])
    patient = personas["patient"]

    page = client.get(f"/care/patients/{patient.id}")
    record = client.get(f"/api/v1/patients/{patient.id}")

    assert page.status_code == 200
    assert "12-step meeting" in text_of(page)
    assert record.status_code == 200, record.text
    [entry] = record.json()["practice"]["items"]
    assert (entry["kind"], entry["title"]) == ("other", "12-step meeting")
    assert PracticeKind.OTHER.label == "Other"
