"""Acknowledging an alert with a note, on the pages and through the API, and reading alerts with
the tags and note of the rating that raised them. `therapist` looks after `patient`; `former`
left that care team yesterday."""

from __future__ import annotations

import pytest

from tests.conftest import PERSONAS, Client, text_of
from tests.web.care_record_data import (
    NOTE,
    add_former_therapist,
    alerts,
    audit_rows,
    check_in,
    login,
    newest_alert,
)
from wellness.accounts.models import User

ACK_NOTE = "Called her; she is at her sister's tonight."


@pytest.fixture
def alert_id(client: Client, personas: dict[str, User]) -> int:
    add_former_therapist(client, personas["patient"])
    login(client, "patient")
    check_in(client, 9, tags=["cant-sleep", "panic"], note=NOTE)
    return newest_alert(client)


# --- the API ----------------------------------------------------------------------------------


def test_a_therapist_acknowledges_with_a_note(client: Client, alert_id: int) -> None:
    login(client, "therapist")

    response = client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={"note": ACK_NOTE})

    assert response.status_code == 200, response.text
    [(_, acknowledged_at, note)] = alerts(client)
    assert acknowledged_at is not None
    assert note == ACK_NOTE
    body = response.json()
    assert (body["acknowledgement_note"], body["acknowledged_by"]) == (ACK_NOTE, "Bob Therapist")
    assert body["raised_by"] == {
        "label": "Check-in",
        "occurred_at": body["raised_by"]["occurred_at"],
        "tags": ["Can't sleep", "Panic"],
        "note": NOTE,
    }
    [row] = audit_rows(client, action="alert_acknowledged")
    patient = client.user(PERSONAS["patient"].email)
    assert (row.patient_id, row.target_id, row.detail) == (patient.id, str(alert_id), "with a note")
    assert row.route == "POST /api/v1/alerts/{alert_id}/acknowledge"
    assert ACK_NOTE not in f"{row.detail} {row.target_id} {row.route}"


def test_the_note_is_optional_and_trimmed(client: Client, alert_id: int) -> None:
    login(client, "therapist")

    response = client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={"note": "  Seen.\n"})

    assert response.status_code == 200
    assert alerts(client)[0][2] == "Seen."


@pytest.mark.parametrize(
    "body", [{"note": "x" * 501}, {"note": 5}, {"note": None}, {"note": "ok", "value": 1}]
)
def test_a_bad_note_is_refused_naming_the_field(
    client: Client, alert_id: int, body: dict[str, object]
) -> None:
    login(client, "therapist")

    response = client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json=body)

    assert response.status_code == 422, response.text
    assert ("value" if "value" in body else "note") in response.text
    assert alerts(client) == [(alert_id, None, "")]
    assert audit_rows(client, action="alert_acknowledged") == []


def test_a_retried_acknowledgement_is_answered_once(client: Client, alert_id: int) -> None:
    login(client, "therapist")
    path, headers = f"/api/v1/alerts/{alert_id}/acknowledge", {"Idempotency-Key": "ack-1"}

    first = client.post(path, json={"note": ACK_NOTE}, headers=headers)
    again = client.post(path, json={"note": ACK_NOTE}, headers=headers)
    other = client.post(path, json={"note": "Something else"}, headers=headers)

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert other.status_code == 422
    assert alerts(client)[0][2] == ACK_NOTE
    assert len(audit_rows(client, action="alert_acknowledged")) == 1


def test_a_later_note_does_not_replace_the_first_acknowledgement(
    client: Client, alert_id: int
) -> None:
    login(client, "therapist")
    client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={"note": ACK_NOTE})

    again = client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={"note": "Overwrite"})

    assert again.status_code == 200
    assert again.json()["acknowledgement_note"] == ACK_NOTE
    assert alerts(client)[0][2] == ACK_NOTE


@pytest.mark.parametrize("who", ["other_therapist", "former"])
def test_outsiders_cannot_acknowledge_with_a_note(client: Client, alert_id: int, who: str) -> None:
    login(client, who)

    api = client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={"note": ACK_NOTE})
    page = client.submit(f"/care/alerts/{alert_id}/acknowledge", {"note": ACK_NOTE})

    assert (api.status_code, page.status_code) == (404, 404)
    assert NOTE not in api.text + page.text
    assert alerts(client) == [(alert_id, None, "")]
    assert audit_rows(client, action="alert_acknowledged") == []


@pytest.mark.parametrize("who", ["coordinator", "admin", "patient", "other_patient"])
def test_other_roles_get_404_on_the_acknowledge_routes_like_outsiders(
    client: Client, alert_id: int, who: str
) -> None:
    # The alert's own patient too: only the care team may acknowledge, and to anyone else the
    # alert is as absent as the patient's page is (404, never 403).
    login(client, who)

    api = client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={"note": ACK_NOTE})
    page = client.submit(f"/care/alerts/{alert_id}/acknowledge", {"note": ACK_NOTE})

    assert (api.status_code, page.status_code) == (404, 404)
    assert NOTE not in api.text + page.text
    assert alerts(client) == [(alert_id, None, "")]
    assert audit_rows(client, action="alert_acknowledged") == []


def test_signed_out_the_acknowledge_routes_ask_to_sign_in(client: Client, alert_id: int) -> None:
    login(client, None)

    api = client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={"note": ACK_NOTE})
    page = client.submit(f"/care/alerts/{alert_id}/acknowledge", {"note": ACK_NOTE})

    assert (api.status_code, page.status_code) == (401, 303)
    assert alerts(client) == [(alert_id, None, "")]


def test_the_alert_list_shows_the_rating_and_is_audited_per_patient(
    client: Client, alert_id: int
) -> None:
    login(client, "patient")
    check_in(client, 10, tags=[])
    login(client, "other_patient")
    check_in(client, 9, tags=["stress"])
    login(client, "therapist")

    body = client.get("/api/v1/alerts").json()

    assert [item["raised_by"]["tags"] for item in body] == [[], ["Can't sleep", "Panic"]]
    assert body[1]["raised_by"]["note"] == NOTE
    rows = audit_rows(client, action="patient_alerts_viewed")
    patient = client.user(PERSONAS["patient"].email)
    assert [(row.patient_id, row.route) for row in rows] == [(patient.id, "GET /api/v1/alerts")]
    client.get("/api/v1/alerts")
    assert len(audit_rows(client, action="patient_alerts_viewed")) == 2


def test_an_empty_alert_list_writes_no_audit_row(client: Client, personas: dict[str, User]) -> None:
    login(client, "therapist")

    assert client.get("/api/v1/alerts").json() == []
    assert audit_rows(client, action="patient_alerts_viewed") == []


# --- the pages --------------------------------------------------------------------------------


def test_the_caseload_shows_the_ratings_tags_and_note(client: Client, alert_id: int) -> None:
    login(client, "therapist")

    page = text_of(client.get("/therapist"))

    assert "Can't sleep" in page
    assert "Panic" in page
    assert NOTE in page
    assert f'id="alert-{alert_id}-note"' in page  # the note field, labelled
    assert f'<label for="alert-{alert_id}-note">Note' in page
    patient = client.user(PERSONAS["patient"].email)
    assert f'<a href="/care/patients/{patient.id}">Alice Patient</a>: High distress' in page


def test_acknowledging_from_the_patients_page_leads_back_to_it(
    client: Client, alert_id: int
) -> None:
    login(client, "therapist")
    patient = client.user(PERSONAS["patient"].email)

    response = client.submit(
        f"/care/alerts/{alert_id}/acknowledge", {"note": ACK_NOTE, "return_to": "patient"}
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/care/patients/{patient.id}#alert-{alert_id}"
    assert alerts(client)[0][2] == ACK_NOTE
    page = text_of(client.get(response.headers["location"]))
    assert "Alert acknowledged." in page
    assert "No open alerts." in page
    assert "Bob Therapist" in page
    assert ACK_NOTE in page


def test_acknowledging_from_the_caseload_leads_back_to_it(client: Client, alert_id: int) -> None:
    login(client, "therapist")

    response = client.submit(f"/care/alerts/{alert_id}/acknowledge", {"note": ""})

    assert response.headers["location"] == "/therapist#alerts-heading"  # its alerts panel
    [(_, acknowledged_at, note)] = alerts(client)
    assert acknowledged_at is not None
    assert note == ""
    assert audit_rows(client, action="alert_acknowledged")[0].detail == ""


def test_a_too_long_note_is_shown_again_beside_its_field(client: Client, alert_id: int) -> None:
    login(client, "therapist")
    typed = "Long " * 101

    response = client.submit(f"/care/alerts/{alert_id}/acknowledge", {"note": typed})

    assert response.status_code == 422
    page = text_of(response)
    assert f'id="alert-{alert_id}-note-error"' in page
    assert "under 500 characters" in page
    assert typed in page  # what was typed, kept
    assert 'aria-invalid="true"' in page
    assert alerts(client) == [(alert_id, None, "")]
    assert audit_rows(client, action="alert_acknowledged") == []


def test_a_note_sent_after_someone_acknowledged_is_reported_unsaved(
    client: Client, alert_id: int
) -> None:
    login(client, "therapist")
    client.submit(f"/care/alerts/{alert_id}/acknowledge", {"note": ACK_NOTE})

    again = client.submit(f"/care/alerts/{alert_id}/acknowledge", {"note": "Mine"})

    assert again.status_code == 303
    assert "your note was not saved" in text_of(client.get("/therapist"))
    assert alerts(client)[0][2] == ACK_NOTE


def test_an_attestation_is_audited_with_the_patient(client: Client, alert_id: int) -> None:
    login(client, "therapist")
    patient = client.user(PERSONAS["patient"].email)
    body = {"kind": "yoga", "minutes": 30, "started_at": client.now().isoformat(), "note": ""}

    response = client.post(f"/api/v1/patients/{patient.id}/practice", json=body)

    assert response.status_code == 201, response.text
    [row] = audit_rows(client, action="practice_attested")
    assert (row.patient_id, row.route) == (
        patient.id,
        "POST /api/v1/patients/{patient_id}/practice",
    )


def test_a_gad7_alert_does_not_ask_for_tags_or_a_note_it_cannot_have(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["patient"])
    answered = client.post("/api/v1/gad7", json={"answers": [3, 3, 3, 3, 3, 3, 3]})
    assert answered.json()["alert_raised"] is True
    client.login_as(PERSONAS["therapist"])

    page = client.get(f"/care/patients/{personas['patient'].id}")

    assert "GAD-7 in the severe range" in page.text
    assert "no tags or note given" not in page.text
