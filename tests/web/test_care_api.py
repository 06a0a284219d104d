"""The therapists' JSON API: their caseload's alerts, acknowledging them, attesting practice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import PERSONAS, TEST_NOW, Client, count
from wellness.accounts.models import User
from wellness.audit.models import AuditEvent
from wellness.care import services as care
from wellness.care.models import Alert
from wellness.practice.models import PracticeLog


def alert_row(client: Client, alert_id: int) -> Alert:
    async def load() -> Alert:
        return await Alert.get(id=alert_id)

    return client.run(load)


def raise_alert(client: Client, persona: str, level: int = 9) -> int:
    """The persona rates their distress high through the API; answers the alert's id."""
    client.login_as(PERSONAS[persona])
    response = client.post("/api/v1/checkins", json={"level": level})
    assert response.status_code == 201, response.text
    assert response.json()["alert_raised"] is True

    async def newest() -> int:
        alert = await Alert.filter(patient__email=PERSONAS[persona].email).order_by("-id").first()
        assert alert is not None
        return int(alert.id)

    return client.run(newest)


def moment(**delta: float) -> str:
    return (TEST_NOW - timedelta(**delta)).isoformat()


ATTENDED = {"kind": "yoga", "minutes": 45, "started_at": "", "note": "Tuesday group"}


def attended(**overrides: Any) -> dict[str, Any]:
    return {**ATTENDED, "started_at": moment(hours=3), **overrides}


# --- alerts -----------------------------------------------------------------------------------


def test_it_lists_only_the_caseloads_open_alerts(client: Client, personas: dict[str, User]) -> None:
    mine = raise_alert(client, "patient", level=9)
    seen = raise_alert(client, "patient", level=8)
    raise_alert(client, "other_patient", level=10)
    client.login_as(PERSONAS["therapist"])
    assert client.post(f"/api/v1/alerts/{seen}/acknowledge").status_code == 200

    response = client.get("/api/v1/alerts")

    assert response.status_code == 200
    body = response.json()
    assert [(item["id"], item["value"]) for item in body] == [(mine, 9)]
    assert body[0]["patient_id"] == personas["patient"].id
    assert body[0]["patient_name"] == "Alice Patient"
    assert body[0]["reason"] == "high_distress"
    assert body[0]["acknowledged_at"] is None
    assert "Charlie Outsider" not in response.text


def test_the_other_therapist_sees_only_their_own_patients_alerts(
    client: Client, personas: dict[str, User]
) -> None:
    raise_alert(client, "patient")
    theirs = raise_alert(client, "other_patient")
    client.login_as(PERSONAS["other_therapist"])

    body = client.get("/api/v1/alerts").json()

    assert [item["id"] for item in body] == [theirs]
    assert "Alice Patient" not in client.get("/api/v1/alerts").text


def test_a_therapist_with_no_alerts_sees_an_empty_list(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])

    response = client.get("/api/v1/alerts")

    assert response.status_code == 200
    assert response.json() == []


def test_acknowledging_records_who_and_when(client: Client, personas: dict[str, User]) -> None:
    alert_id = raise_alert(client, "patient")
    client.login_as(PERSONAS["therapist"])
    before = TEST_NOW

    response = client.post(f"/api/v1/alerts/{alert_id}/acknowledge")

    assert response.status_code == 200, response.text
    stored = alert_row(client, alert_id)
    assert stored.acknowledged_by_id == personas["therapist"].id
    assert stored.acknowledged_at is not None
    assert before - timedelta(seconds=1) <= stored.acknowledged_at <= TEST_NOW
    assert response.json()["acknowledged_at"] is not None
    assert response.json()["patient_name"] == "Alice Patient"
    assert count(client, AuditEvent, action="alert_acknowledged", target_id=str(alert_id)) == 1
    assert client.get("/api/v1/alerts").json() == []


def test_acknowledging_twice_keeps_the_first_acknowledgement(
    client: Client, personas: dict[str, User]
) -> None:
    alert_id = raise_alert(client, "patient")
    client.login_as(PERSONAS["therapist"])
    client.post(f"/api/v1/alerts/{alert_id}/acknowledge")
    first = alert_row(client, alert_id).acknowledged_at

    again = client.post(f"/api/v1/alerts/{alert_id}/acknowledge")

    assert again.status_code == 200
    assert alert_row(client, alert_id).acknowledged_at == first
    assert count(client, AuditEvent, action="alert_acknowledged") == 1


def test_another_therapist_cannot_acknowledge_the_alert(
    client: Client, personas: dict[str, User]
) -> None:
    alert_id = raise_alert(client, "patient")
    client.login_as(PERSONAS["other_therapist"])

    response = client.post(f"/api/v1/alerts/{alert_id}/acknowledge")

    assert response.status_code == 404
    stored = alert_row(client, alert_id)
    assert stored.acknowledged_at is None
    assert stored.acknowledged_by_id is None
    assert "Alice" not in response.text
    client.login_as(PERSONAS["therapist"])
    assert [item["id"] for item in client.get("/api/v1/alerts").json()] == [alert_id]


def test_a_replayed_acknowledgement_is_refused_once_the_therapist_left_the_care_team(
    client: Client, personas: dict[str, User]
) -> None:
    alert_id = raise_alert(client, "patient")
    client.login_as(PERSONAS["therapist"])
    path, key = f"/api/v1/alerts/{alert_id}/acknowledge", {"Idempotency-Key": "ack-once"}
    assert client.post(path, json={"note": "Called her"}, headers=key).status_code == 200
    therapist, patient = personas["therapist"], personas["patient"]
    client.run(lambda: care.unassign(therapist.id, patient.id, now=client.now()))

    replayed = client.post(path, json={"note": "Called her"}, headers=key)

    assert replayed.status_code == 404
    assert "Called her" not in replayed.text
    assert "idempotent-replayed" not in replayed.headers


def test_acknowledging_an_unknown_alert_is_not_found(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])

    assert client.post("/api/v1/alerts/424242/acknowledge").status_code == 404


# --- attested practice ------------------------------------------------------------------------


def test_a_therapist_attests_their_patients_practice(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])
    patient = personas["patient"]

    response = client.post(f"/api/v1/patients/{patient.id}/practice", json=attended())

    assert response.status_code == 201, response.text
    stored = client.run(lambda: PracticeLog.get(patient_id=patient.id))
    assert stored.evidence == "staff_attested"
    assert stored.attested_by_id == personas["therapist"].id
    assert (stored.kind, stored.listened_seconds, stored.completed) == ("yoga", 45 * 60, True)
    assert stored.note == "Tuesday group"
    assert stored.time_zone == "Europe/Berlin"
    assert response.json()["evidence"] == "staff_attested"
    assert count(client, AuditEvent, action="practice_attested", target_id=str(patient.id)) == 1


def test_attested_practice_counts_for_the_patients_streak(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])
    patient_id = personas["patient"].id
    response = client.post(
        f"/api/v1/patients/{patient_id}/practice", json=attended(started_at=TEST_NOW.isoformat())
    )
    assert response.status_code == 201
    client.login_as(PERSONAS["patient"])

    figures = client.get("/api/v1/me/streak").json()

    assert (figures["current"], figures["practised_today"], figures["total_minutes"]) == (
        1,
        True,
        45,
    )
    assert client.get("/api/v1/practice").json()["items"][0]["evidence"] == "staff_attested"


def test_a_therapist_cannot_attest_for_a_patient_not_on_their_caseload(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])

    for someone in ("other_patient", "coordinator", "other_therapist"):
        response = client.post(f"/api/v1/patients/{personas[someone].id}/practice", json=attended())
        assert response.status_code == 404, someone
    assert client.post("/api/v1/patients/424242/practice", json=attended()).status_code == 404
    assert count(client, PracticeLog) == 0
    assert count(client, AuditEvent, action="practice_attested") == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"minutes": 0}, "minutes"),
        ({"minutes": 361}, "minutes"),
        ({"minutes": "45"}, "minutes"),
        ({"kind": "juggling"}, "kind"),
        ({"started_at": "2026-11-24T18:30:00"}, "started_at"),
        ({"started_at": "future"}, "started_at"),
        ({"started_at": "too old"}, "started_at"),
    ],
)
def test_it_refuses_bad_attestations_naming_the_field(
    client: Client, personas: dict[str, User], overrides: dict[str, Any], field: str
) -> None:
    if overrides.get("started_at") == "future":
        overrides = {"started_at": moment(hours=-2)}
    elif overrides.get("started_at") == "too old":
        overrides = {"started_at": moment(days=15)}
    client.login_as(PERSONAS["therapist"])

    response = client.post(
        f"/api/v1/patients/{personas['patient'].id}/practice", json=attended(**overrides)
    )

    assert response.status_code == 422, response.text
    assert field in response.text
    assert count(client, PracticeLog) == 0


def test_it_refuses_to_attest_for_a_deactivated_patient_naming_the_patient(
    client: Client, personas: dict[str, User]
) -> None:
    patient = personas["patient"]
    client.run(lambda: User.filter(id=patient.id).update(is_active=False))
    client.login_as(PERSONAS["therapist"])

    response = client.post(
        f"/api/v1/patients/{patient.id}/practice",
        json=attended(),
        headers={"Idempotency-Key": "deactivated-once"},
    )

    assert response.status_code == 422, response.text
    assert count(client, PracticeLog) == 0
    assert count(client, AuditEvent, action="practice_attested") == 0
    errors = {problem["field"]: problem["message"] for problem in response.json()["errors"]}
    assert errors == {
        "patient_id": (
            "Alice Patient's account is deactivated: confirm attendance only for active patients."
        )
    }


def test_a_retried_attestation_is_stored_once(client: Client, personas: dict[str, User]) -> None:
    client.login_as(PERSONAS["therapist"])
    path = f"/api/v1/patients/{personas['patient'].id}/practice"
    payload, headers = attended(), {"Idempotency-Key": "attest-tuesday-group"}

    first = client.post(path, json=payload, headers=headers)
    again = client.post(path, json=payload, headers=headers)
    other = client.post(path, json={**payload, "minutes": 30}, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert other.status_code == 422
    assert count(client, PracticeLog) == 1
    assert count(client, AuditEvent, action="practice_attested") == 1


# --- who may use these routes -------------------------------------------------------------------


def snapshot(client: Client) -> tuple[int, list[tuple[int, bool]]]:
    async def load() -> tuple[int, list[tuple[int, bool]]]:
        alerts = await Alert.all().order_by("id")
        return (
            await PracticeLog.all().count(),
            [(alert.id, alert.acknowledged_at is not None) for alert in alerts],
        )

    return client.run(load)


@pytest.mark.parametrize("persona", ["patient", "other_patient", "coordinator", "admin", None])
def test_only_therapists_use_the_care_routes(
    client: Client, personas: dict[str, User], persona: str | None
) -> None:
    alert_id = raise_alert(client, "patient")
    before = snapshot(client)
    client.login_as(PERSONAS[persona] if persona else None)
    expected = 403 if persona else 401

    listed = client.get("/api/v1/alerts")
    acknowledged = client.post(f"/api/v1/alerts/{alert_id}/acknowledge")
    attested = client.post(f"/api/v1/patients/{personas['patient'].id}/practice", json=attended())

    # Acknowledging answers like the patient's record: 404 to anyone outside the care team.
    assert (listed.status_code, acknowledged.status_code, attested.status_code) == (
        expected,
        404 if persona else 401,
        expected,
    )
    assert snapshot(client) == before
    assert "Alice" not in listed.text + acknowledged.text
