"""Clinician notes on the patient's page: `POST /care/patients/{id}/notes` and a note's
addenda (tests/web/clinical_note_data.py has the people).

Only the current care team reads or writes notes (404 for everyone else, the patient included);
only a note's author adds addenda (403 for a colleague). Each test asserts the answer, then what
is stored, then what people see.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from tests.conftest import Client, count, text_of
from tests.web.care_record_data import audit_rows
from tests.web.clinical_note_data import (
    COLLEAGUE,
    TEXT,
    note_form,
    sign_in,
    stored_addenda,
    stored_notes,
    write,
)
from wellness.accounts.models import User
from wellness.care.models import ClinicalNote
from wellness.care.note_rules import NoteKind
from wellness.lib.clock import FixedClock

WRITE_ROUTE = "POST /care/patients/{patient_id}/notes"


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
