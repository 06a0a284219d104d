"""Clinician notes on the patient's page and through `/api/v1/patients/{id}/notes`.

`therapist` (Bob) looks after `patient` (Alice) with `colleague` (Carol) on her care team too;
`former` left it yesterday. Only the current care team reads or writes notes (404 for everyone
else, the patient included); only a note's author adds addenda (403 for the colleague). Each
test asserts the answer, then what is stored, then what people see.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from tests.conftest import PERSONA_PASSWORD, Client, Persona, count, persona_password_hash, text_of
from tests.web.care_record_data import add_former_therapist, audit_rows, login
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care import notes
from wellness.care import services as care
from wellness.care.models import ClinicalNote, NoteAddendum
from wellness.care.note_rules import NoteKind
from wellness.lib.clock import FixedClock

COLLEAGUE = Persona("colleague", "colleague@example.org", "Carol Colleague", Role.THERAPIST)
TEXT = "Phoned Alice about the weekend.\nShe slept better."
WRITE_ROUTE = "POST /care/patients/{patient_id}/notes"


@pytest.fixture
def patient(client: Client, personas: dict[str, User]) -> User:
    """Alice, with Carol on her care team beside Bob, and Fern (former) off it."""

    async def make() -> None:
        colleague = await accounts.create_user(
            email=COLLEAGUE.email,
            display_name=COLLEAGUE.display_name,
            role=COLLEAGUE.role,
            password_hash=persona_password_hash(),
        )
        await care.assign(colleague, personas["patient"], now=client.now())

    client.run(make)
    add_former_therapist(client, personas["patient"])
    return personas["patient"]


def sign_in(client: Client, who: str | None) -> None:
    if who == "colleague":
        client.cookies.clear()
        response = client.post(
            "/api/v1/auth/login", json={"email": COLLEAGUE.email, "password": PERSONA_PASSWORD}
        )
        assert response.status_code == 200, response.text
        return
    login(client, who)


def note_form(**fields: str) -> dict[str, str]:
    return {
        "kind": "phone_call",
        "contact_date": "2026-11-23",
        "text": TEXT,
        "form_key": uuid4().hex,
        **fields,
    }


def stored_notes(client: Client) -> list[ClinicalNote]:
    return client.run(lambda: ClinicalNote.all().order_by("id"))


def stored_addenda(client: Client) -> list[NoteAddendum]:
    return client.run(lambda: NoteAddendum.all().order_by("id"))


def write(client: Client, patient: User, author: str = "therapist", **fields: Any) -> int:
    """A note written through the service, as `author` (a persona key) would."""
    by = client.user(f"{author}@example.org")

    async def make() -> int:
        note = await notes.write_note(
            by,
            patient,
            kind=fields.get("kind", NoteKind.SESSION),
            contact_date=fields.get("day"),
            text=fields.get("text", TEXT),
            now=client.now(),
        )
        return int(note.id)

    return client.run(make)


# --- the page -------------------------------------------------------------------------------


def test_a_therapist_writes_a_note_on_the_patients_page(client: Client, patient: User) -> None:
    sign_in(client, "therapist")

    response = client.submit(
        f"/care/patients/{patient.id}/notes",
        note_form(text="  Phoned Alice about the weekend.\r\nShe slept better.  "),
    )

    assert response.status_code == 303, response.text
    [note] = stored_notes(client)
    assert response.headers["location"] == f"/care/patients/{patient.id}#note-{note.id}"
    therapist = client.user("therapist@example.org")
    assert (note.patient_id, note.author_id, note.kind) == (
        patient.id,
        therapist.id,
        NoteKind.PHONE_CALL,
    )
    assert (note.contact_date, note.text, note.written_at) == (
        date(2026, 11, 23),
        TEXT,
        client.now(),
    )
    page = text_of(client.get(f"/care/patients/{patient.id}"))
    assert "Note saved." in page
    assert 'Phone call, <time datetime="2026-11-23">Mon 23 Nov 2026</time>' in page
    assert TEXT in page
    assert "By Bob Therapist, written" in page
    assert "Alice Patient never sees these notes" in page


def test_writing_a_note_is_audited_by_id_without_its_words(client: Client, patient: User) -> None:
    sign_in(client, "therapist")

    client.submit(f"/care/patients/{patient.id}/notes", note_form())

    [note] = stored_notes(client)
    [row] = audit_rows(client, action="clinical_note_written")
    therapist = client.user("therapist@example.org")
    assert (row.actor_id, row.patient_id, row.route) == (therapist.id, patient.id, WRITE_ROUTE)
    assert (row.target_type, row.target_id, row.detail) == ("clinical_note", str(note.id), "")
    for stored in audit_rows(client):
        assert "weekend" not in f"{stored.detail} {stored.target_id} {stored.route}"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"text": ""}, "text", "Write the note: it is empty."),
        ({"text": " \r\n\t "}, "text", "Write the note: it is empty."),
        ({"text": "x" * 10_001}, "text", "Keep the note to 10,000 characters or fewer"),
        ({"contact_date": "2026-11-25"}, "contact_date", "That date is after today (2026-11-24)"),
        ({"contact_date": "2025-11-23"}, "contact_date", "give a date from 2025-11-24 on"),
        ({"contact_date": "23/11/2026"}, "contact_date", "Give the date of the contact as"),
        ({"kind": "nap"}, "kind", "Choose what the contact was."),
    ],
)
def test_a_refused_note_is_shown_again_and_nothing_is_stored(
    client: Client, patient: User, fields: dict[str, str], field: str, message: str
) -> None:
    sign_in(client, "therapist")

    response = client.submit(f"/care/patients/{patient.id}/notes", note_form(**fields))

    assert response.status_code == 422, response.text
    assert stored_notes(client) == []
    assert audit_rows(client, action="clinical_note_written") == []
    page = text_of(response)
    assert "<title>Error: Alice Patient" in page
    assert f'<a href="#{field}">' in page
    assert message in page
    assert 'aria-invalid="true"' in page
    if field != "text":
        assert "She slept better." in page  # what was typed comes back


def test_every_problem_of_a_note_is_named_at_once(client: Client, patient: User) -> None:
    sign_in(client, "therapist")

    response = client.submit(
        f"/care/patients/{patient.id}/notes",
        note_form(kind="", contact_date="2030-01-01", text=""),
    )

    assert response.status_code == 422
    assert stored_notes(client) == []
    page = text_of(response)
    for field in ("kind", "contact_date", "text"):
        assert f'<a href="#{field}">' in page, field


def test_the_same_form_sent_twice_saves_one_note(client: Client, patient: User) -> None:
    sign_in(client, "therapist")
    form = note_form()

    first = client.submit(f"/care/patients/{patient.id}/notes", form)
    again = client.submit(f"/care/patients/{patient.id}/notes", form)

    assert (first.status_code, again.status_code) == (303, 303)
    [note] = stored_notes(client)
    assert again.headers["location"] == first.headers["location"]
    page = text_of(client.get(f"/care/patients/{patient.id}"))
    assert "That note was already saved: nothing was added." in page
    assert page.count(f'id="note-{note.id}"') == 1


def test_a_note_without_a_date_is_dated_today_in_the_therapists_zone(
    client: Client, patient: User, clock: FixedClock
) -> None:
    # 00:30 on the 25th in Berlin, Bob's zone; UTC's date is still the 24th.
    clock.set(datetime(2026, 11, 24, 23, 30, tzinfo=UTC))
    sign_in(client, "therapist")

    response = client.submit(f"/care/patients/{patient.id}/notes", note_form(contact_date=""))

    assert response.status_code == 303
    [note] = stored_notes(client)
    assert note.contact_date == date(2026, 11, 25)


def test_the_author_adds_an_addendum_shown_under_the_note(client: Client, patient: User) -> None:
    note_id = write(client, patient)
    sign_in(client, "therapist")

    response = client.submit(
        f"/care/patients/{patient.id}/notes/{note_id}/addenda",
        {"text": " Correction: it was Sunday. ", "form_key": uuid4().hex},
    )

    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/care/patients/{patient.id}#note-{note_id}"
    [addendum] = stored_addenda(client)
    therapist = client.user("therapist@example.org")
    assert (addendum.note_id, addendum.author_id, addendum.text) == (
        note_id,
        therapist.id,
        "Correction: it was Sunday.",
    )
    assert [note.text for note in stored_notes(client)] == [TEXT]  # the note as written
    [row] = audit_rows(client, action="clinical_note_amended")
    assert (row.target_type, row.target_id, row.patient_id) == (
        "clinical_note",
        str(note_id),
        patient.id,
    )
    assert row.detail == f"addendum={addendum.id}"
    page = text_of(client.get(f"/care/patients/{patient.id}"))
    assert "Addendum added." in page
    assert page.index(TEXT) < page.index("Correction: it was Sunday.")
    assert "<strong>Addendum</strong> by Bob Therapist" in page


def test_an_empty_addendum_is_shown_again_open_and_stores_nothing(
    client: Client, patient: User
) -> None:
    note_id = write(client, patient)
    sign_in(client, "therapist")

    response = client.submit(
        f"/care/patients/{patient.id}/notes/{note_id}/addenda",
        {"text": "   ", "form_key": uuid4().hex},
    )

    assert response.status_code == 422
    assert stored_addenda(client) == []
    page = text_of(response)
    assert (
        f'<a href="#addendum-to-{note_id}">Addendum: Write the addendum: it is empty.</a>' in page
    )
    assert '<details class="clinical-note__amend no-print" open>' in page


def test_a_colleague_reads_the_note_but_cannot_amend_it(client: Client, patient: User) -> None:
    note_id = write(client, patient)
    sign_in(client, "colleague")

    page = client.get(f"/care/patients/{patient.id}")
    refused = client.submit(
        f"/care/patients/{patient.id}/notes/{note_id}/addenda",
        {"text": "I saw her too.", "form_key": uuid4().hex},
    )

    assert page.status_code == 200
    assert refused.status_code == 403
    assert stored_addenda(client) == []
    colleague = client.user(COLLEAGUE.email)
    [row] = audit_rows(client, action="access_denied", actor_id=colleague.id)
    assert (row.target_type, row.target_id) == ("clinical_note", str(note_id))
    assert TEXT in text_of(page)
    assert f"/notes/{note_id}/addenda" not in page.text
    assert "Only the note's author can add an addendum" in text_of(refused)


@pytest.mark.parametrize("who", ["patient", "other_therapist", "former", "coordinator", "admin"])
def test_anyone_outside_the_care_team_gets_404_and_nothing_is_stored(
    client: Client, patient: User, who: str
) -> None:
    note_id = write(client, patient)
    sign_in(client, who)

    written = client.submit(f"/care/patients/{patient.id}/notes", note_form())
    amended = client.submit(
        f"/care/patients/{patient.id}/notes/{note_id}/addenda", {"text": "Hello."}
    )
    listed = client.get(f"/api/v1/patients/{patient.id}/notes")

    assert (written.status_code, amended.status_code, listed.status_code) == (404, 404, 404)
    assert len(stored_notes(client)) == 1
    assert stored_addenda(client) == []
    for response in (written, amended, listed):
        assert TEXT not in text_of(response)


def test_the_patient_never_sees_notes_about_her(client: Client, patient: User) -> None:
    write(client, patient)
    sign_in(client, "patient")

    pages = [client.get(path) for path in ("/patient", "/progress", "/practice/assigned")]

    assert [response.status_code for response in pages] == [200, 200, 200]
    assert count(client, ClinicalNote) == 1
    for response in pages:
        assert "Phoned Alice" not in text_of(response)


def test_notes_come_a_page_at_a_time_the_latest_contact_first(
    client: Client, patient: User
) -> None:
    for days_back in range(12):
        write(
            client, patient, text=f"Note {days_back}", day=date(2026, 11, 24) - timedelta(days_back)
        )
    sign_in(client, "therapist")

    first = text_of(client.get(f"/care/patients/{patient.id}"))
    second = text_of(client.get(f"/care/patients/{patient.id}?notes_page=2"))

    assert "12 notes, page 1 of 2, the latest contact first." in first
    assert first.index("Note 0") < first.index("Note 9")
    assert "Note 10" not in first
    assert "?notes_page=2&practice_page=1&alerts_page=1#notes" in first
    assert "Note 10" in second
    assert "Note 11" in second
    assert "Note 0<" not in second


def test_a_patient_without_notes_shows_an_empty_state_and_the_form_open(
    client: Client, patient: User
) -> None:
    sign_in(client, "therapist")

    response = client.get(f"/care/patients/{patient.id}")

    assert response.status_code == 200
    page = text_of(response)
    assert "No notes yet." in page
    assert '<details class="note-new no-print" open>' in page
    assert 'max="2026-11-24"' in page
    assert 'min="2025-11-24"' in page


# --- the JSON API ------------------------------------------------------------------------------


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
