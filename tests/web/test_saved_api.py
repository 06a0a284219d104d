"""The Saved list's JSON API: a patient reads their own list a page at a time, saves a session
they may open (201, then 204: one row) and takes one off (204, also when it was not saved).
Staff are refused (403) and no patient reaches another's list; the catalog's answers say for a
patient whether each session is saved."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from tests.conftest import PERSONAS, Client
from tests.web.saved_data import ban_for, save_as, saved_audit, saved_rows
from wellness.accounts.models import User
from wellness.catalog import saved_rules

SAVED = "/api/v1/me/saved"


def call(client: Client, method: str, path: str, **headers: str) -> Any:
    return client.request(method, path, headers=headers)


def test_a_patient_saves_a_session_then_saving_again_changes_nothing(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])
    scan = library["Body scan"]

    first = call(client, "PUT", f"{SAVED}/{scan}")
    again = call(client, "PUT", f"{SAVED}/{scan}")

    assert first.status_code == 201
    body = first.json()
    assert {key: body[key] for key in ("session_id", "title", "standing", "url", "care_mark")} == {
        "session_id": scan,
        "title": "Body scan",
        "standing": "available",
        "url": f"/sessions/{scan}",
        "care_mark": None,
    }
    assert (body["kind"], body["minutes"], body["saved_at"]) == (
        "body_scan",
        8,
        "2026-11-24T14:30:00Z",
    )
    assert again.status_code == 204
    assert again.content == b""
    assert saved_rows(client) == [(personas["patient"].id, scan)]
    assert saved_audit(client) == [
        ("session_saved", personas["patient"].id, "session", str(scan), None)
    ]


def test_the_list_is_newest_saved_first_paged_and_says_what_each_is_now(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    patient = personas["patient"]
    save_as(client, patient.id, library["Older walk"], library["Five senses"], library["Body scan"])

    ban_for(client, patient.id, library["Five senses"])
    client.login_as(PERSONAS["patient"])

    first = client.get(SAVED, params={"per_page": 2}).json()
    second = client.get(SAVED, params={"per_page": 2, "page": 2}).json()

    assert [(item["title"], item["standing"]) for item in first["items"]] == [
        ("Body scan", "available"),
        ("Five senses", "skip"),
    ]
    assert first["items"][1]["care_mark"] == "skip"
    assert (first["page"], first["pages"], first["total"], first["limit"]) == (1, 2, 3, 500)
    [gone] = second["items"]
    assert (gone["title"], gone["standing"], gone["url"], gone["care_mark"]) == (
        "Older walk",
        "gone",
        None,
        None,
    )


def test_unsaving_answers_204_whether_or_not_it_was_saved(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    patient = personas["patient"]
    save_as(client, patient.id, library["Body scan"], library["Older walk"])
    client.login_as(PERSONAS["patient"])

    removed = call(client, "DELETE", f"{SAVED}/{library['Body scan']}")
    not_saved = call(client, "DELETE", f"{SAVED}/{library['Five senses']}")
    archived = call(client, "DELETE", f"{SAVED}/{library['Older walk']}")
    again = call(client, "DELETE", f"{SAVED}/{library['Older walk']}")

    assert [r.status_code for r in (removed, not_saved, archived)] == [204, 204, 204]
    assert again.status_code == 404  # archived and no longer hers: not one she may open
    assert saved_rows(client) == []
    assert [row[0] for row in saved_audit(client)] == ["session_unsaved", "session_unsaved"]


@pytest.mark.parametrize("title", ["Unreleased draft", "Older walk"])
def test_a_session_the_patient_may_not_open_is_a_404_and_stores_nothing(
    client: Client, personas: dict[str, User], library: dict[str, int], title: str
) -> None:
    client.login_as(PERSONAS["patient"])

    saving = call(client, "PUT", f"{SAVED}/{library[title]}")
    unsaving = call(client, "DELETE", f"{SAVED}/{library[title]}")
    missing = call(client, "PUT", f"{SAVED}/999999")

    assert (saving.status_code, unsaving.status_code, missing.status_code) == (404, 404, 404)
    assert saving.json()["detail"] == "No such session."
    assert saved_rows(client) == []


def test_a_full_list_is_a_409_naming_the_limit_and_stores_nothing(
    client: Client, personas: dict[str, User], library: dict[str, int], monkeypatch: Any
) -> None:
    monkeypatch.setattr(saved_rules, "MAX_SAVED", 2)
    patient = personas["patient"]
    save_as(client, patient.id, library["Body scan"], library["Five senses"])
    client.login_as(PERSONAS["patient"])

    refused = call(client, "PUT", f"{SAVED}/{library['Slow breathing']}")
    page = client.submit(f"/sessions/{library['Slow breathing']}/save")

    assert refused.status_code == 409
    assert refused.json()["code"] == "saved_limit"
    assert "at most 2 saved sessions" in refused.json()["detail"]
    assert page.status_code == 409
    assert "at most 2 saved sessions" in page.text
    assert len(saved_rows(client)) == 2
    assert saved_audit(client) == []


def test_a_retry_with_the_same_idempotency_key_gets_the_first_answer(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])
    key = uuid4().hex
    scan = library["Body scan"]

    first = call(client, "PUT", f"{SAVED}/{scan}", **{"Idempotency-Key": key})
    retried = call(client, "PUT", f"{SAVED}/{scan}", **{"Idempotency-Key": key})

    assert (first.status_code, retried.status_code) == (201, 201)
    assert retried.json() == first.json()
    assert retried.headers["idempotent-replayed"] == "true"
    assert len(saved_rows(client)) == 1


@pytest.mark.parametrize("persona", ["therapist", "other_therapist", "coordinator", "admin"])
def test_staff_are_refused_and_no_list_changes(
    client: Client, personas: dict[str, User], library: dict[str, int], persona: str
) -> None:
    save_as(client, personas["patient"].id, library["Body scan"])
    client.login_as(PERSONAS[persona])

    answers = [
        client.get(SAVED),
        call(client, "PUT", f"{SAVED}/{library['Five senses']}"),
        call(client, "DELETE", f"{SAVED}/{library['Body scan']}"),
    ]

    assert [answer.status_code for answer in answers] == [403, 403, 403]
    assert all("Body scan" not in answer.text for answer in answers)
    assert saved_rows(client) == [(personas["patient"].id, library["Body scan"])]


def test_a_patient_sees_and_changes_only_their_own_list(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    save_as(client, personas["patient"].id, library["Body scan"])
    client.login_as(PERSONAS["other_patient"])

    listed = client.get(SAVED).json()
    removed = call(client, "DELETE", f"{SAVED}/{library['Body scan']}")
    catalog = client.get(f"/api/v1/sessions/{library['Body scan']}").json()

    assert (listed["items"], listed["total"]) == ([], 0)
    assert removed.status_code == 204  # nothing of hers to take off: his list ends as asked
    assert catalog["saved"] is False
    assert saved_rows(client) == [(personas["patient"].id, library["Body scan"])]
    assert saved_audit(client) == []


def test_anonymous_calls_are_refused(client: Client, library: dict[str, int]) -> None:
    answers = [
        client.get(SAVED),
        call(client, "PUT", f"{SAVED}/{library['Body scan']}"),
        call(client, "DELETE", f"{SAVED}/{library['Body scan']}"),
    ]

    assert [answer.status_code for answer in answers] == [401, 401, 401]
    assert saved_rows(client) == []


def test_a_browser_write_without_the_pages_token_is_refused(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])

    answer = call(
        client, "PUT", f"{SAVED}/{library['Body scan']}", **{"sec-fetch-site": "same-origin"}
    )

    assert answer.status_code == 403
    assert saved_rows(client) == []


def test_the_catalog_says_to_a_patient_which_sessions_are_saved_and_to_staff_nothing(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    save_as(client, personas["patient"].id, library["Body scan"])
    client.login_as(PERSONAS["patient"])
    listed = {
        item["title"]: item["saved"] for item in client.get("/api/v1/sessions").json()["items"]
    }
    one = client.get(f"/api/v1/sessions/{library['Body scan']}").json()
    client.login_as(PERSONAS["coordinator"])
    for_staff = client.get("/api/v1/sessions").json()["items"]
    staff_one = client.get(f"/api/v1/sessions/{library['Body scan']}").json()

    assert listed == {
        "Body scan": True,
        "Box breathing": False,
        "Five senses": False,
        "Slow breathing": False,
    }
    assert one["saved"] is True
    assert all("saved" not in item for item in for_staff)
    assert "saved" not in staff_one


def test_the_openapi_document_describes_the_saved_list(
    client: Client, personas: dict[str, User]
) -> None:
    paths = client.get("/schema/openapi.json").json()["paths"]

    put = paths["/api/v1/me/saved/{session_id}"]["put"]["responses"]
    delete = paths["/api/v1/me/saved/{session_id}"]["delete"]["responses"]
    listed = paths["/api/v1/me/saved"]["get"]["responses"]

    assert {"201", "204", "401", "403", "404", "409"} <= set(put)
    assert put["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SavedSessionOut"
    }
    assert {"204", "403", "404"} <= set(delete)
    assert "409" not in delete
    assert listed["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SavedList"
    }
    assert (
        "saved"
        in client.get("/schema/openapi.json").json()["components"]["schemas"]["SessionSummary"][
            "properties"
        ]
    )
