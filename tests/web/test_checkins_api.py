"""Check-ins and GAD-7 through the JSON API: validation, safety alerts, idempotency, privacy."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import PERSONAS, TEST_NOW, Client, count
from wellness.accounts.models import User
from wellness.care.models import Alert
from wellness.checkins.models import Checkin, Gad7Response


def test_it_records_a_checkin(as_patient: Client, personas: dict[str, User]) -> None:
    response = as_patient.post(
        "/api/v1/checkins", json={"level": 4, "note": "after group", "tags": ["craving"]}
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["checkin"]["level"] == 4
    assert body["checkin"]["tags"] == ["craving"]
    assert body["alert_raised"] is False
    assert body["support"] is None
    assert count(as_patient, Checkin, patient_id=personas["patient"].id, level=4) == 1
    assert count(as_patient, Alert) == 0


def test_a_high_rating_raises_an_alert_and_answers_support(
    as_patient: Client, personas: dict[str, User]
) -> None:
    response = as_patient.post("/api/v1/checkins", json={"level": 9})

    assert response.status_code == 201
    body = response.json()
    assert body["alert_raised"] is True
    assert body["support"]["support_url"] == "/support"
    alerts = as_patient.run(lambda: Alert.filter(patient_id=personas["patient"].id))
    assert [(alert.reason, alert.value) for alert in alerts] == [("high_distress", 9)]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"level": 11}, "level"),
        ({"level": -1}, "level"),
        ({"level": 4.5}, "level"),
        ({"level": "7"}, "level"),
        ({"level": True}, "level"),
        ({}, "level"),
        ({"level": 3, "tags": ["unknown-thing"]}, "tags"),
        ({"level": 3, "note": "x" * 501}, "note"),
        ({"level": 3, "occurred_at": "2026-11-24T10:00:00"}, "occurred_at"),
    ],
)
def test_it_refuses_bad_checkins_naming_the_field(
    as_patient: Client, payload: dict[str, Any], field: str
) -> None:
    response = as_patient.post("/api/v1/checkins", json=payload)

    assert response.status_code == 422, response.text
    assert field in response.text
    assert count(as_patient, Checkin) == 0


def test_it_refuses_future_and_too_old_checkins(as_patient: Client) -> None:
    future = (TEST_NOW + timedelta(hours=1)).isoformat()
    old = (TEST_NOW - timedelta(days=60)).isoformat()

    for moment in (future, old):
        response = as_patient.post("/api/v1/checkins", json={"level": 3, "occurred_at": moment})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "occurred_at"
    assert count(as_patient, Checkin) == 0


def test_a_retry_with_the_same_key_returns_the_first_answer(as_patient: Client) -> None:
    headers = {"Idempotency-Key": "4b8a1c9e-retry"}
    first = as_patient.post("/api/v1/checkins", json={"level": 5}, headers=headers)
    again = as_patient.post("/api/v1/checkins", json={"level": 5}, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert count(as_patient, Checkin) == 1


def test_the_same_key_with_another_payload_is_refused(as_patient: Client) -> None:
    headers = {"Idempotency-Key": "same-key"}
    as_patient.post("/api/v1/checkins", json={"level": 5}, headers=headers)
    other = as_patient.post("/api/v1/checkins", json={"level": 6}, headers=headers)

    assert other.status_code == 422
    assert "Idempotency-Key" in other.text
    assert count(as_patient, Checkin) == 1


def test_keys_are_scoped_per_user(client: Client, personas: dict[str, User]) -> None:
    headers = {"Idempotency-Key": "shared-key"}
    client.login_as(PERSONAS["patient"])
    client.post("/api/v1/checkins", json={"level": 5}, headers=headers)
    client.login_as(PERSONAS["other_patient"])
    response = client.post("/api/v1/checkins", json={"level": 5}, headers=headers)

    assert response.status_code == 201
    assert "idempotent-replayed" not in response.headers
    assert count(client, Checkin) == 2


def test_gad7_answers_total_and_band(as_patient: Client) -> None:
    response = as_patient.post("/api/v1/gad7", json={"answers": [1, 2, 1, 0, 1, 2, 1]})

    assert response.status_code == 201
    assert response.json()["total"] == 8
    assert response.json()["band"] == "mild"
    assert response.json()["alert_raised"] is False
    assert count(as_patient, Gad7Response, total=8) == 1


def test_a_severe_gad7_raises_an_alert(as_patient: Client) -> None:
    response = as_patient.post("/api/v1/gad7", json={"answers": [3, 2, 2, 2, 2, 2, 2]})

    assert response.json()["band"] == "severe"
    assert response.json()["alert_raised"] is True
    assert count(as_patient, Alert, reason="severe_gad7", value=15) == 1


@pytest.mark.parametrize(
    "answers", [[1, 2, 3], [1, 2, 3, 0, 1, 2, 4], [1, 2, 3, 0, 1, 2, -1], [1, 2, 3, 0, 1, 2, 1, 0]]
)
def test_it_refuses_incomplete_or_out_of_range_gad7(as_patient: Client, answers: list[int]) -> None:
    response = as_patient.post("/api/v1/gad7", json={"answers": answers})

    assert response.status_code == 422
    assert "answers" in response.text
    assert count(as_patient, Gad7Response) == 0


def test_history_is_the_patients_own(client: Client, personas: dict[str, User]) -> None:
    client.login_as(PERSONAS["other_patient"])
    client.post("/api/v1/checkins", json={"level": 2, "note": "private"})
    client.login_as(PERSONAS["patient"])
    client.post("/api/v1/checkins", json={"level": 6})

    history = client.get("/api/v1/checkins").json()

    assert [item["level"] for item in history["items"]] == [6]
    assert "private" not in client.get("/api/v1/checkins").text


@pytest.mark.parametrize("persona", ["therapist", "coordinator", "admin"])
def test_staff_can_neither_read_nor_write_patient_checkins(
    client: Client, personas: dict[str, User], persona: str
) -> None:
    client.login_as(PERSONAS[persona])

    assert client.get("/api/v1/checkins").status_code == 403
    assert client.post("/api/v1/checkins", json={"level": 3}).status_code == 403
    assert client.post("/api/v1/gad7", json={"answers": [0] * 7}).status_code == 403
    assert count(client, Checkin) == 0
    assert count(client, Gad7Response) == 0


def test_anonymous_requests_are_refused(client: Client, personas: dict[str, User]) -> None:
    assert client.get("/api/v1/checkins").status_code == 401
    assert client.post("/api/v1/checkins", json={"level": 3}).status_code == 401
    assert count(client, Checkin) == 0


@pytest.mark.parametrize(
    ("path", "shape"),
    [
        ("/api/v1/checkins", "CheckinCreated"),
        ("/api/v1/gad7", "Gad7Created"),
        ("/api/v1/practice", "PracticeCreated"),
        ("/api/v1/patients/{patient_id}/practice", "PracticeOut"),
    ],
)
def test_openapi_documents_what_idempotent_writes_answer(
    client: Client, path: str, shape: str
) -> None:
    spec = client.get("/schema/openapi.json").json()

    created = spec["paths"][path]["post"]["responses"]["201"]
    assert created["content"]["application/json"]["schema"] == {
        "$ref": f"#/components/schemas/{shape}"
    }


def test_the_gad7_list_says_when_the_questionnaire_is_due(as_patient: Client) -> None:
    assert as_patient.get("/api/v1/gad7").json()["due"] is True

    as_patient.post("/api/v1/gad7", json={"answers": [0, 1, 0, 1, 0, 1, 0]})
    listing = as_patient.get("/api/v1/gad7").json()

    assert listing["due"] is False
    assert [item["total"] for item in listing["items"]] == [3]


def test_openapi_describes_a_check_in_counted_as_a_practices_after_rating(client: Client) -> None:
    spec = client.get("/schema/openapi.json").json()

    checkin = spec["components"]["schemas"]["CheckinOut"]
    assert "after_practice_id" in checkin["properties"]
    assert "after_practice_id" not in checkin.get("required", [])
    create = spec["paths"]["/api/v1/checkins"]["post"]
    assert "WELLNESS_CHECKIN_AS_AFTER_MINUTES" in create["description"]
    assert "after_practice_id" in spec["paths"]["/api/v1/checkins"]["get"]["description"]
    # The handlers' docstrings are the descriptions, the practice routes' rules included.
    logged = spec["paths"]["/api/v1/practice"]["post"]["description"]
    assert "WELLNESS_CHECKIN_AS_BEFORE_MINUTES" in logged
