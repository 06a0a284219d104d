"""The assigned-practice API: therapists assign and manage, patients read their plan; everyone
else is refused and nothing changes; every staff change and view is in the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.caseload_fixtures import assignment_state, practised, published
from tests.conftest import PERSONAS, TEST_NOW, Client, Persona
from wellness.accounts.models import User
from wellness.audit.models import AuditEvent
from wellness.care import restrictions
from wellness.catalog.models import PracticeSession

BREATHING = {"kind": "breathing", "min_minutes": 5, "max_minutes": 10, "note": "Slow exhale."}


def error_fields(response: Any) -> list[str]:
    return [error["field"] for error in response.json().get("errors", [])]


@pytest.fixture
def session_id(client: Client, personas: dict[str, User]) -> int:
    async def make() -> int:
        return int((await published("Slow exhale", minutes=6, now=TEST_NOW)).id)

    return client.run(make)


def audit_rows(client: Client, action: str) -> list[AuditEvent]:
    return client.run(lambda: AuditEvent.filter(action=action).order_by("id"))


def assign(client: Client, patient_id: int, body: dict[str, Any], key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(f"/api/v1/patients/{patient_id}/assignments", json=body, headers=headers)


@pytest.fixture
def assigned(client: Client, personas: dict[str, User], session_id: int) -> int:
    client.login_as(PERSONAS["therapist"])
    response = assign(client, personas["patient"].id, BREATHING)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_a_therapist_assigns_a_kind_and_reads_it_back(
    client: Client, personas: dict[str, User], session_id: int
) -> None:
    client.login_as(PERSONAS["therapist"])
    patient_id = personas["patient"].id

    response = assign(client, patient_id, {**BREATHING, "part_of_day": "morning"}, key="a-1")

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["title"] == "Any breathing session, 5 to 10 minutes"
    assert (body["schedule"], body["part_of_day"], body["state"]) == ("Daily", "morning", "active")
    assert body["start"] == "2026-11-24"
    assert body["adherence"] == {
        "done": 0, "prescribed": 0, "pending": 1, "week_done": 0,
        "week_prescribed": 0, "week_pending": 1, "overdue": 0,
    }  # fmt: skip
    listed = client.get(f"/api/v1/patients/{patient_id}/assignments")
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["items"]] == [body["id"]]
    [created] = audit_rows(client, "assignment_created")
    assert (created.patient_id, created.target_id) == (patient_id, str(body["id"]))
    assert created.route == "POST /api/v1/patients/{patient_id}/assignments"
    assert "Slow exhale" not in created.detail
    assert [row.patient_id for row in audit_rows(client, "assignments_viewed")] == [patient_id]


def test_a_retried_assignment_with_the_same_key_is_stored_once(
    client: Client, personas: dict[str, User], session_id: int
) -> None:
    client.login_as(PERSONAS["therapist"])
    patient_id = personas["patient"].id
    first = assign(client, patient_id, BREATHING, key="assign-1")
    again = assign(client, patient_id, BREATHING, key="assign-1")
    other = assign(client, patient_id, {**BREATHING, "note": "Other"}, key="assign-1")

    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert other.status_code == 422
    assert error_fields(other) == ["Idempotency-Key"]
    assert len(assignment_state(client)[0]) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BREATHING, "min_minutes": "5"}, "min_minutes"),
        ({**BREATHING, "kind": "juggling"}, "kind"),
        ({**BREATHING, "max_minutes": 2}, "max_minutes"),
        ({**BREATHING, "frequency": "times_a_week"}, "times_a_week"),
        ({**BREATHING, "frequency": "weekdays", "weekdays": [0]}, "weekdays[0]"),
        ({**BREATHING, "part_of_day": "noon"}, "part_of_day"),
        ({**BREATHING, "start": "2026-11-30", "end": "2026-11-25"}, "end"),
        ({**BREATHING, "start": "2026-11-23"}, "start"),  # yesterday: days before could not count
        ({**BREATHING, "note": "x" * 501}, "note"),
        ({**BREATHING, "patient_id": 7}, "patient_id"),
        ({"session_id": 99999}, "session_id"),
        ({}, "kind"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(
    client: Client, personas: dict[str, User], session_id: int, body: dict[str, Any], field: str
) -> None:
    client.login_as(PERSONAS["therapist"])
    response = assign(client, personas["patient"].id, body)

    assert response.status_code == 422, response.text
    assert error_fields(response) == [field]
    assert assignment_state(client) == ([], [], [])
    assert audit_rows(client, "assignment_created") == []


def test_every_field_at_fault_is_named_in_one_answer(
    client: Client, personas: dict[str, User], session_id: int
) -> None:
    client.login_as(PERSONAS["therapist"])
    body = {**BREATHING, "max_minutes": 2, "start": "2026-11-30", "end": "2026-11-25"}

    response = assign(client, personas["patient"].id, body)

    assert response.status_code == 422, response.text
    assert sorted(error_fields(response)) == ["end", "max_minutes"]
    assert assignment_state(client) == ([], [], [])
    assert audit_rows(client, "assignment_created") == []


def test_a_contraindicated_session_is_refused_with_the_reason(
    client: Client, personas: dict[str, User]
) -> None:
    async def setup() -> int:
        held = await published(
            "Box breathing", minutes=6, contraindications=["breath_hold"], now=TEST_NOW
        )
        await restrictions.set_contraindications(
            personas["patient"], ["breath_hold"], by=personas["therapist"], now=TEST_NOW
        )
        return int(held.id)

    held = client.run(setup)
    client.login_as(PERSONAS["therapist"])

    response = assign(client, personas["patient"].id, {"session_id": held})
    by_kind = assign(client, personas["patient"].id, BREATHING)

    assert response.status_code == by_kind.status_code == 422
    assert error_fields(response) == ["session_id"]
    assert "contraindicated for this patient (breath hold)" in response.text
    assert error_fields(by_kind) == ["kind"]
    assert assignment_state(client) == ([], [], [])


def test_change_pause_resume_and_end_through_patch(
    client: Client, personas: dict[str, User], assigned: int
) -> None:
    path = f"/api/v1/assignments/{assigned}"

    changed = client.patch(
        path,
        json={
            "action": "change",
            "note": "Twice a week",
            "frequency": "times_a_week",
            "times_a_week": 2,
        },
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["schedule"], changed.json()["note"]) == (
        "2 times a week",
        "Twice a week",
    )
    assert changed.json()["kind"] == "breathing"
    paused = client.patch(path, json={"action": "pause"}, headers={"Idempotency-Key": "p-1"})
    assert (paused.status_code, paused.json()["state"]) == (200, "paused")
    assert client.patch(path, json={"action": "pause"}).status_code == 409
    assert client.patch(path, json={"action": "resume"}).json()["state"] == "active"
    ended = client.patch(path, json={"action": "end"})
    assert (ended.status_code, ended.json()["state"]) == (200, "ended")
    refused = client.patch(path, json={"action": "change", "note": "again"})
    assert refused.status_code == 409
    assert "has ended" in refused.text

    assignments, versions, pauses = assignment_state(client)
    assert [note for _, note, _ in versions] == ["Slow exhale.", "Twice a week"]
    assert len(pauses) == 1
    assert assignments[0][1] is not None
    actions = [
        row.action
        for row in client.run(lambda: AuditEvent.filter(target_type="assignment").order_by("id"))
    ]
    assert actions == [
        "assignment_created",
        "assignment_changed",
        "assignment_paused",
        "assignment_resumed",
        "assignment_ended",
    ]


def test_a_patch_refuses_fields_with_pause_and_unknown_actions(
    client: Client, personas: dict[str, User], assigned: int
) -> None:
    path = f"/api/v1/assignments/{assigned}"
    with_note = client.patch(path, json={"action": "pause", "note": "why"})
    unknown = client.patch(path, json={"action": "delete"})
    bad_change = client.patch(path, json={"action": "change", "min_minutes": 20})

    assert (with_note.status_code, error_fields(with_note)) == (422, ["note"])
    assert (unknown.status_code, error_fields(unknown)) == (422, ["action"])
    assert (bad_change.status_code, error_fields(bad_change)) == (422, ["max_minutes"])
    assert len(assignment_state(client)[1]) == 1
    assert assignment_state(client)[2] == []


def test_the_patient_reads_todays_plan_and_their_assignments(
    client: Client, personas: dict[str, User], assigned: int, session_id: int
) -> None:
    async def play() -> int:
        session = await published("Unrelated yoga", minutes=30, now=TEST_NOW)
        assert session.id
        found = await PracticeSession.get(id=session_id)
        return int(
            (
                await practised(
                    personas["patient"].id, TEST_NOW - timedelta(hours=1), session=found
                )
            ).id
        )

    practice_id = client.run(play)
    client.login_as(PERSONAS["patient"])

    plan = client.get("/api/v1/me/plan")
    mine = client.get("/api/v1/me/assignments")

    assert plan.status_code == mine.status_code == 200
    [item] = plan.json()["items"]
    assert (item["assignment_id"], item["note"], item["due"], item["done"]) == (
        assigned,
        "Slow exhale.",
        1,
        1,
    )
    assert (item["complete"], item["practice_ids"], item["start_session_id"]) == (
        True,
        [practice_id],
        session_id,
    )
    assert plan.json()["today"] == "2026-11-24"
    [row] = mine.json()["items"]
    assert (row["adherence"]["done"], row["adherence"]["prescribed"]) == (1, 1)
    assert mine.json()["hidden_on_pages"] is False


# --- outsiders --------------------------------------------------------------------------------

STAFF_OUTSIDERS = [
    ("other_therapist", 404),
    ("former", 404),
    ("coordinator", 403),
    ("patient", 403),
    ("other_patient", 403),
    (None, 401),
]


def who(key: str | None, former: Persona) -> Persona | None:
    if key is None:
        return None
    return former if key == "former" else PERSONAS[key]


@pytest.mark.parametrize(("key", "status"), STAFF_OUTSIDERS)
def test_outsiders_cannot_list_or_assign_and_nothing_changes(
    client: Client,
    personas: dict[str, User],
    former: Persona,
    assigned: int,
    key: str | None,
    status: int,
) -> None:
    before = assignment_state(client)
    viewed = len(audit_rows(client, "assignments_viewed"))
    client.login_as(who(key, former))
    patient_id = personas["patient"].id

    listed = client.get(f"/api/v1/patients/{patient_id}/assignments")
    created = assign(client, patient_id, BREATHING, key="outsider-1")

    assert (listed.status_code, created.status_code) == (status, status)
    assert "Slow exhale" not in listed.text
    assert assignment_state(client) == before
    assert len(audit_rows(client, "assignments_viewed")) == viewed


@pytest.mark.parametrize(("key", "status"), STAFF_OUTSIDERS)
@pytest.mark.parametrize("action", ["change", "pause", "resume", "end"])
def test_outsiders_cannot_patch_an_assignment_and_nothing_changes(
    client: Client,
    personas: dict[str, User],
    former: Persona,
    assigned: int,
    key: str | None,
    status: int,
    action: str,
) -> None:
    before = assignment_state(client)
    client.login_as(who(key, former))
    body: dict[str, Any] = {
        "action": action,
        **({"note": "mine now"} if action == "change" else {}),
    }

    response = client.patch(f"/api/v1/assignments/{assigned}", json=body)

    assert response.status_code == status
    assert assignment_state(client) == before


@pytest.mark.parametrize(
    ("key", "status"), [("therapist", 403), ("coordinator", 403), ("admin", 403), (None, 401)]
)
def test_only_patients_have_a_plan(
    client: Client, personas: dict[str, User], assigned: int, key: str | None, status: int
) -> None:
    client.login_as(PERSONAS[key] if key else None)
    assert client.get("/api/v1/me/plan").status_code == status
    assert client.get("/api/v1/me/assignments").status_code == status


def test_another_patient_sees_none_of_it(
    client: Client, personas: dict[str, User], assigned: int
) -> None:
    client.login_as(PERSONAS["other_patient"])
    plan = client.get("/api/v1/me/plan")
    mine = client.get("/api/v1/me/assignments")
    assert (plan.status_code, plan.json()["items"]) == (200, [])
    assert (mine.status_code, mine.json()["items"]) == (200, [])


# --- the plan at local hours ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "local", "today", "prescribed"),
    [
        # Berlin (UTC+1): 02:30 is still the evening before's practice day; 03:30 is the next.
        ("patient", "2026-11-25T02:30:00+01:00", "2026-11-24", 2),
        ("patient", "2026-11-25T03:30:00+01:00", "2026-11-25", 2),
        # New York (UTC-5): 23:30 local is already tomorrow in UTC, but today here.
        ("other_patient", "2026-11-24T23:30:00-05:00", "2026-11-24", 2),
        # The night Berlin's clocks go back (2026-10-25, 03:00 CEST -> 02:00 CET).
        # A day before 02:30 CET is 03:30 CEST on the 24th: assigned on the same practice day.
        ("patient", "2026-10-25T02:30:00+01:00", "2026-10-24", 1),
        ("patient", "2026-10-25T03:30:00+01:00", "2026-10-25", 2),
    ],
)
def test_the_plan_follows_the_patients_practice_day_east_and_west_of_utc(
    client: Client,
    clock: Any,
    personas: dict[str, User],
    session_id: int,
    persona: str,
    local: str,
    today: str,
    prescribed: int,
) -> None:
    moment = datetime.fromisoformat(local)
    therapist = "therapist" if persona == "patient" else "other_therapist"
    # Assigned the day before, played at this moment: it counts for the practice day it began.
    clock.set(moment.astimezone(UTC) - timedelta(days=1))
    client.login_as(PERSONAS[therapist])
    assert assign(client, personas[persona].id, BREATHING).status_code == 201
    clock.set(moment.astimezone(UTC))

    async def play() -> None:
        found = await PracticeSession.get(id=session_id)
        zone = personas[persona].time_zone
        await practised(personas[persona].id, moment.astimezone(UTC), session=found, time_zone=zone)

    client.run(play)
    client.login_as(PERSONAS[persona])

    plan = client.get("/api/v1/me/plan").json()
    mine = client.get("/api/v1/me/assignments").json()

    assert plan["today"] == today
    [item] = plan["items"]
    assert (item["done"], item["complete"]) == (1, True)
    adherence = mine["items"][0]["adherence"]
    # Yesterday's item (if the assignment began before today) was missed; today's is done.
    assert (adherence["done"], adherence["prescribed"]) == (1, prescribed)


def test_a_change_can_switch_from_a_kind_to_a_session_and_back(
    client: Client, personas: dict[str, User], assigned: int, session_id: int
) -> None:
    path = f"/api/v1/assignments/{assigned}"

    to_session = client.patch(path, json={"action": "change", "session_id": session_id})
    back = client.patch(
        path, json={"action": "change", "kind": "grounding", "min_minutes": 3, "max_minutes": 8}
    )

    assert to_session.status_code == back.status_code == 200, (to_session.text, back.text)
    first = to_session.json()
    assert (first["session_id"], first["kind"], first["min_minutes"]) == (session_id, None, None)
    assert first["title"] == "Slow exhale"
    second = back.json()
    assert (second["session_id"], second["kind"], second["max_minutes"]) == (None, "grounding", 8)
    assert second["note"] == "Slow exhale."  # untouched fields stay
    assert len(assignment_state(client)[1]) == 3


@pytest.mark.parametrize(("action", "state"), [("end", "ended"), ("pause", "paused")])
def test_a_practice_done_today_still_counts_after_the_assignment_is_ended_or_paused(
    client: Client, personas: dict[str, User], assigned: int, action: str, state: str
) -> None:
    client.login_as(PERSONAS["patient"])
    body = {
        "kind": "breathing",
        "started_at": (TEST_NOW - timedelta(minutes=30)).isoformat(),
        "listened_seconds": 600,
        "completed": True,
    }
    assert client.post("/api/v1/practice", json=body).status_code == 201
    [before] = client.get("/api/v1/me/assignments").json()["items"]
    client.login_as(PERSONAS["therapist"])

    changed = client.patch(f"/api/v1/assignments/{assigned}", json={"action": action})

    assert (changed.status_code, changed.json()["state"]) == (200, state)
    client.login_as(PERSONAS["patient"])
    [after] = client.get("/api/v1/me/assignments").json()["items"]
    assert after["state"] == state
    assert (before["adherence"]["done"], before["adherence"]["prescribed"]) == (1, 1)
    assert (after["adherence"]["done"], after["adherence"]["prescribed"]) == (1, 1)
    assert after["adherence"]["pending"] == 0
