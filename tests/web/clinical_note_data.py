"""People and helpers for the clinician notes tests (pages and API): `therapist` (Bob) looks
after `patient` (Alice) with `colleague` (Carol) on her care team too; `former` left it
yesterday. Notes are written through the service, as a therapist's form would."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from tests.conftest import PERSONA_PASSWORD, Client, Persona, persona_password_hash
from tests.web.care_record_data import add_former_therapist, login
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care import notes
from wellness.care import services as care
from wellness.care.models import ClinicalNote, NoteAddendum
from wellness.care.note_rules import NoteKind

COLLEAGUE = Persona("colleague", "colleague@example.org", "Carol Colleague", Role.THERAPIST)
TEXT = "Phoned Alice about the weekend.\nShe slept better."


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
