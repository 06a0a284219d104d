"""Data and people for the tests of a patient's page for their care team and of alert notes.

`former` is a therapist who was on `patient`'s care team and has left it. Every write goes
through the app's own API, as the patient or the therapist would make it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.conftest import (
    PERSONA_PASSWORD,
    PERSONAS,
    Client,
    Persona,
    persona_password_hash,
)
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.audit.models import AuditEvent
from wellness.care import services as care
from wellness.care.models import Alert

FORMER = Persona("former", "former.therapist@example.org", "Fern Former", Role.THERAPIST)
NOTE = "Could not sleep, kept pacing"
PAGE_ROUTE = "GET /care/patients/{patient_id}"
API_ROUTE = "GET /api/v1/patients/{patient_id}"


def add_former_therapist(client: Client, patient: User) -> User:
    """A therapist who joined `patient`'s care team a week ago and left it yesterday."""

    async def create() -> User:
        former = await accounts.create_user(
            email=FORMER.email,
            display_name=FORMER.display_name,
            role=FORMER.role,
            password_hash=persona_password_hash(),
        )
        now = client.now()
        await care.assign(former, patient, now=now - timedelta(days=7))
        await care.unassign(former.id, patient.id, now=now - timedelta(days=1))
        return former

    return client.run(create)


def login(client: Client, who: str | None) -> None:
    """Sign in as a persona key, "former", or nobody (None)."""
    if who == "former":
        client.cookies.clear()
        response = client.post(
            "/api/v1/auth/login", json={"email": FORMER.email, "password": PERSONA_PASSWORD}
        )
        assert response.status_code == 200, response.text
        return
    client.login_as(PERSONAS[who] if who else None)


def ago(client: Client, **delta: float) -> str:
    return (client.now() - timedelta(**delta)).isoformat()


def check_in(client: Client, level: int, *, tags: list[str], note: str = "", **when: float) -> None:
    body: dict[str, Any] = {"level": level, "tags": tags, "note": note}
    if when:
        body["occurred_at"] = ago(client, **when)
    response = client.post("/api/v1/checkins", json=body)
    assert response.status_code == 201, response.text


def log_practice(client: Client, kind: str, before: int, after: int, **when: float) -> None:
    body = {
        "kind": kind,
        "started_at": ago(client, **when),
        "listened_seconds": 600,
        "completed": True,
        "anxiety_before": before,
        "anxiety_after": after,
    }
    response = client.post("/api/v1/practice", json=body)
    assert response.status_code == 201, response.text


def answer_gad7(client: Client, total: int, **when: float) -> None:
    answers = [min(3, max(0, total - 3 * index)) for index in range(7)]
    assert sum(answers) == total
    response = client.post(
        "/api/v1/gad7", json={"answers": answers, "occurred_at": ago(client, **when)}
    )
    assert response.status_code == 201, response.text


def seed_history(client: Client) -> None:
    """`patient`: two GAD-7s (8, then 12), two rated breathing practices, a high check-in with
    tags and a note (an alert); `therapist` confirms a yoga class."""
    login(client, "patient")
    answer_gad7(client, 8, days=10)
    answer_gad7(client, 12, hours=5)
    log_practice(client, "breathing", 7, 4, hours=4)
    log_practice(client, "breathing", 6, 4, hours=3)
    check_in(client, 9, tags=["cant-sleep", "craving"], note=NOTE, hours=2)
    login(client, "therapist")
    response = client.post(
        f"/api/v1/patients/{client.user(PERSONAS['patient'].email).id}/practice",
        json={"kind": "yoga", "minutes": 45, "started_at": ago(client, hours=1), "note": ""},
    )
    assert response.status_code == 201, response.text


def audit_rows(client: Client, **filters: Any) -> list[AuditEvent]:
    async def load() -> list[AuditEvent]:
        return await AuditEvent.filter(**filters).order_by("id")

    return client.run(load)


def alerts(client: Client) -> list[tuple[int, datetime | None, str]]:
    async def load() -> list[tuple[int, datetime | None, str]]:
        rows = await Alert.all().order_by("id")
        return [(row.id, row.acknowledged_at, row.acknowledgement_note) for row in rows]

    return client.run(load)


def newest_alert(client: Client) -> int:
    async def load() -> int:
        alert = await Alert.all().order_by("-id").first()
        assert alert is not None
        return int(alert.id)

    return client.run(load)
