"""An assigned practice nothing can be started for: its session archived, the patient's
restrictions ruling out every session that fits, or no published session of the kind and
length. The patient gets no dead "Start" and a plain reason; the care team sees what to change,
on the pages and in the API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.caseload_fixtures import published
from tests.conftest import PERSONAS, TEST_NOW, Client
from wellness.accounts.models import User
from wellness.care import restrictions
from wellness.care.models import OverrideKind
from wellness.catalog.kinds import Status
from wellness.catalog.models import PracticeSession

BREATHING = {"kind": "breathing", "min_minutes": 5, "max_minutes": 10}
WITHDRAWN_TEXT = "This session is no longer in the library."
NONE_FITS_TEXT = "No session in the library fits this at the moment."
SKIP_TEXT = "Your care team has asked you to skip this one for now."


@pytest.fixture
def sessions(client: Client, personas: dict[str, User]) -> dict[str, PracticeSession]:
    async def make() -> dict[str, PracticeSession]:
        return {
            "exhale": await published("Slow exhale", minutes=6, now=TEST_NOW),
            "counted": await published("Counted breaths", minutes=8, now=TEST_NOW),
        }

    return client.run(make)


def assign(client: Client, patient: User, body: dict[str, Any]) -> int:
    client.login_as(PERSONAS["therapist"])
    response = client.post(f"/api/v1/patients/{patient.id}/assignments", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def set_status(client: Client, session: PracticeSession, status: Status) -> None:
    async def change() -> None:
        await PracticeSession.filter(id=session.id).update(status=status)

    client.run(change)


def ban(client: Client, by: User, patient: User, *banned: PracticeSession) -> None:
    async def write() -> None:
        for session in banned:
            await restrictions.set_override(
                patient, session.id, OverrideKind.BAN, by=by, now=client.now()
            )

    client.run(write)


def what_the_patient_sees(client: Client) -> tuple[dict[str, Any], str, str, dict[str, Any]]:
    client.login_as(PERSONAS["patient"])
    [item] = client.get("/api/v1/me/plan").json()["items"]
    home = client.get("/patient").text
    mine = client.get("/practice/assigned").text
    [listed] = client.get("/api/v1/me/assignments").json()["items"]
    return item, home, mine, listed


def what_the_therapist_sees(client: Client, patient: User) -> tuple[str, str, dict[str, Any]]:
    client.login_as(PERSONAS["therapist"])
    record = client.get(f"/care/patients/{patient.id}").text
    listing = client.get(f"/care/patients/{patient.id}/assignments").text
    [item] = client.get(f"/api/v1/patients/{patient.id}/assignments").json()["items"]
    return record, listing, item


def test_an_archived_assigned_session_leaves_no_dead_start_and_says_why(
    client: Client, personas: dict[str, User], sessions: dict[str, PracticeSession]
) -> None:
    patient, exhale = personas["patient"], sessions["exhale"]
    assign(client, patient, {"session_id": exhale.id})
    set_status(client, exhale, Status.ARCHIVED)

    item, home, mine, listed = what_the_patient_sees(client)

    assert (item["unavailable"], item["start_session_id"], item["skipped"]) == (
        "withdrawn",
        None,
        False,
    )
    assert listed["unavailable"] == "withdrawn"
    for page in (home, mine):
        assert WITHDRAWN_TEXT in page
        assert f'href="/sessions/{exhale.id}"' not in page
    record, listing, api_item = what_the_therapist_sees(client, patient)
    assert api_item["unavailable"] == "withdrawn"
    for page in (record, listing):
        assert "No longer in the library: choose another session" in page


def test_a_session_published_again_can_be_started_again(
    client: Client, personas: dict[str, User], sessions: dict[str, PracticeSession]
) -> None:
    patient, exhale = personas["patient"], sessions["exhale"]
    assign(client, patient, {"session_id": exhale.id})
    set_status(client, exhale, Status.ARCHIVED)
    set_status(client, exhale, Status.PUBLISHED)

    item, home, mine, _ = what_the_patient_sees(client)

    assert (item["unavailable"], item["start_session_id"]) == (None, exhale.id)
    assert f'href="/sessions/{exhale.id}"' in home
    assert WITHDRAWN_TEXT not in mine


def test_restrictions_that_rule_out_every_fitting_session_are_named_to_both(
    client: Client, personas: dict[str, User], sessions: dict[str, PracticeSession]
) -> None:
    patient = personas["patient"]
    assign(client, patient, BREATHING)
    ban(client, personas["therapist"], patient, *sessions.values())

    item, home, mine, _ = what_the_patient_sees(client)

    assert (item["unavailable"], item["start_session_id"], item["skipped"]) == (
        "skipped",
        None,
        True,
    )
    assert SKIP_TEXT in home
    assert SKIP_TEXT in mine
    record, listing, api_item = what_the_therapist_sees(client, patient)
    assert api_item["unavailable"] == "skipped"
    for page in (record, listing):
        assert "Ruled out by this patient&#39;s restrictions" in page


def test_a_kind_with_no_published_session_of_its_length_says_none_fits(
    client: Client, personas: dict[str, User], sessions: dict[str, PracticeSession]
) -> None:
    patient = personas["patient"]
    assign(client, patient, BREATHING)
    for session in sessions.values():
        set_status(client, session, Status.ARCHIVED)

    item, home, mine, _ = what_the_patient_sees(client)

    assert (item["unavailable"], item["start_session_id"]) == ("none_fits", None)
    assert NONE_FITS_TEXT in home
    assert NONE_FITS_TEXT in mine
    _, listing, api_item = what_the_therapist_sees(client, patient)
    assert api_item["unavailable"] == "none_fits"
    assert "No published session of this kind and length" in listing


def test_my_practices_lists_only_the_sessions_that_count_for_a_kind(
    client: Client, personas: dict[str, User], sessions: dict[str, PracticeSession]
) -> None:
    patient = personas["patient"]
    too_long = client.run(lambda: published("A long breath", minutes=25, now=TEST_NOW))
    assign(client, patient, BREATHING)
    ban(client, personas["therapist"], patient, sessions["counted"])

    _, _, mine, listed = what_the_patient_sees(client)

    assert listed["unavailable"] is None
    assert f'href="/sessions/{sessions["exhale"].id}">Open the session' in mine
    assert f'href="/sessions/{sessions["counted"].id}"' not in mine  # banned for this patient
    assert f'href="/sessions/{too_long.id}"' not in mine  # outside 5 to 10 minutes


# --- archiving what patients are assigned ------------------------------------------------------


def test_archiving_an_assigned_session_warns_the_coordinator_first_and_after(
    client: Client, personas: dict[str, User], sessions: dict[str, PracticeSession]
) -> None:
    exhale = sessions["exhale"]
    assign(client, personas["patient"], {"session_id": exhale.id})
    assign(client, personas["patient"], {**BREATHING, "note": "a kind: not counted"})
    client.login_as(PERSONAS["coordinator"])

    page = client.get(f"/sessions/{exhale.id}")
    edit = client.get(f"/library/sessions/{exhale.id}/edit")
    unassigned = client.get(f"/sessions/{sessions['counted'].id}")

    warning = "Therapists have assigned this session to 1 patient: archiving takes it out"
    assert warning in page.text
    assert warning in edit.text
    assert "Therapists have assigned" not in unassigned.text
    assert personas["patient"].display_name not in page.text  # a count, never who

    archived = client.submit(f"/library/sessions/{exhale.id}/archive")
    after = client.get(archived.headers["location"])

    assert archived.status_code == 303
    assert "It was in 1 patient&#39;s assigned practice" in after.text


def test_an_ended_assignment_is_not_counted_against_archiving(
    client: Client, personas: dict[str, User], sessions: dict[str, PracticeSession]
) -> None:
    exhale = sessions["exhale"]
    assignment_id = assign(client, personas["patient"], {"session_id": exhale.id})
    ended = client.patch(f"/api/v1/assignments/{assignment_id}", json={"action": "end"})
    assert ended.status_code == 200, ended.text
    client.login_as(PERSONAS["coordinator"])

    page = client.get(f"/sessions/{exhale.id}")
    archived = client.submit(f"/library/sessions/{exhale.id}/archive")

    assert "Therapists have assigned" not in page.text
    assert "assigned practice" not in client.get(archived.headers["location"]).text
