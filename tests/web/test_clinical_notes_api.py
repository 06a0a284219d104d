"""Clinician notes through the JSON API: `GET`/`POST /api/v1/patients/{id}/notes` and `POST
.../notes/{note_id}/addenda` (tests/web/clinical_note_data.py has the people). Each test asserts
the answer, then what is stored, then what the answer says.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest

from tests.conftest import Client
from tests.web.care_record_data import audit_rows
from tests.web.clinical_note_data import (
    TEXT,
    sign_in,
    stored_addenda,
    stored_notes,
    write,
)
from wellness.accounts.models import User
from wellness.care.note_rules import NoteKind


def api_write(client: Client, patient: User, body: dict[str, Any], **headers: str) -> Any:
    return client.post(f"/api/v1/patients/{patient.id}/notes", json=body, headers=headers)


def test_the_api_writes_a_note_and_lists_it(client: Client, patient: User) -> None:
    sign_in(client, "therapist")

    response = api_write(client, patient, {"kind": "group", "text": TEXT})

    assert response.status_code == 201, response.text
    [note] = stored_notes(client)
    assert (note.kind, note.contact_date) == (NoteKind.GROUP, date(2026, 11, 24))
    body = response.json()
    assert body["id"] == note.id
    assert (body["kind"], body["contact_date"], body["text"]) == ("group", "2026-11-24", TEXT)
    assert (body["author"], body["addenda"], body["may_add_addendum"]) == (
        "Bob Therapist",
        [],
        True,
    )
    assert body["written_at"] == "2026-11-24T15:30:00+01:00"  # the patient's zone
    listed = client.get(f"/api/v1/patients/{patient.id}/notes")
    assert listed.status_code == 200
    assert listed.json() == {"items": [body], "page": 1, "pages": 1, "total": 1}
    [viewed] = audit_rows(client, action="clinical_notes_viewed")
    assert (viewed.patient_id, viewed.route) == (
        patient.id,
        "GET /api/v1/patients/{patient_id}/notes",
    )
    assert len(audit_rows(client, action="clinical_note_written")) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "session", "text": "   "}, "text"),
        ({"kind": "session", "text": ""}, "text"),
        ({"kind": "session", "text": "x" * 10_001}, "text"),
        ({"kind": "session"}, "text"),
        ({"kind": "nap", "text": "Hello."}, "kind"),
        ({"kind": "session", "text": "Hello.", "contact_date": "2026-11-25"}, "contact_date"),
        ({"kind": "session", "text": "Hello.", "contact_date": "2025-01-01"}, "contact_date"),
        ({"kind": "session", "text": "Hello.", "contact_date": "24.11.2026"}, "contact_date"),
        ({"kind": "session", "text": "Hello.", "author_id": 1}, "author_id"),
    ],
)
def test_the_api_refuses_a_bad_note_naming_the_field_and_stores_nothing(
    client: Client, patient: User, body: dict[str, Any], field: str
) -> None:
    sign_in(client, "therapist")

    response = api_write(client, patient, body)

    assert response.status_code == 422, response.text
    assert stored_notes(client) == []
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_a_retried_write_with_its_idempotency_key_stores_one_note(
    client: Client, patient: User
) -> None:
    sign_in(client, "therapist")
    key = uuid4().hex

    first = api_write(
        client, patient, {"kind": "session", "text": TEXT}, **{"idempotency-key": key}
    )
    again = api_write(
        client, patient, {"kind": "session", "text": TEXT}, **{"idempotency-key": key}
    )

    assert (first.status_code, again.status_code) == (201, 201)
    assert len(stored_notes(client)) == 1
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()


def test_the_api_adds_an_addendum_for_the_author_only(client: Client, patient: User) -> None:
    note_id = write(client, patient)
    path = f"/api/v1/patients/{patient.id}/notes/{note_id}/addenda"
    sign_in(client, "colleague")

    refused = client.post(path, json={"text": "I saw her too."})

    assert refused.status_code == 403
    assert stored_addenda(client) == []
    assert "Only the note's author" in refused.json()["detail"]

    sign_in(client, "therapist")
    response = client.post(path, json={"text": "Later: she called back."})

    assert response.status_code == 201, response.text
    [addendum] = stored_addenda(client)
    assert addendum.text == "Later: she called back."
    body = response.json()
    assert body["id"] == note_id
    assert [(item["author"], item["text"]) for item in body["addenda"]] == [
        ("Bob Therapist", "Later: she called back.")
    ]
    sign_in(client, "colleague")
    [seen] = client.get(f"/api/v1/patients/{patient.id}/notes").json()["items"]
    assert (seen["may_add_addendum"], len(seen["addenda"])) == (False, 1)


def test_a_note_named_under_another_patient_is_404(
    client: Client, patient: User, personas: dict[str, User]
) -> None:
    theirs = write(client, personas["other_patient"], author="other.therapist")
    sign_in(client, "therapist")

    response = client.post(
        f"/api/v1/patients/{patient.id}/notes/{theirs}/addenda", json={"text": "Hello."}
    )

    assert response.status_code == 404
    assert stored_addenda(client) == []


def test_the_api_lists_a_page_at_a_time(client: Client, patient: User) -> None:
    for days_back in range(12):
        write(
            client, patient, text=f"Note {days_back}", day=date(2026, 11, 24) - timedelta(days_back)
        )
    sign_in(client, "therapist")

    second = client.get(f"/api/v1/patients/{patient.id}/notes?page=2")

    assert second.status_code == 200
    body = second.json()
    assert (body["page"], body["pages"], body["total"]) == (2, 2, 12)
    assert [item["text"] for item in body["items"]] == ["Note 10", "Note 11"]
