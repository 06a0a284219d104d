"""The collections JSON API: coordinators write (with Idempotency-Key), everyone signed in
reads what they may see; a patient's view says what they completed and what is next."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx
import pytest

from tests.caseload_fixtures import practised
from tests.conftest import PERSONAS, TEST_NOW, Client, count
from tests.web.collection_data import collections_state, make_collection
from wellness.accounts.models import User
from wellness.audit.models import AuditEvent
from wellness.care.models import OverrideKind, PatientContraindication, SessionOverride
from wellness.catalog.kinds import Status
from wellness.catalog.models import PracticeSession

API = "/api/v1/collections"


def write(
    client: Client, method: str, path: str, body: Any = None, key: str = ""
) -> httpx.Response:
    headers = {"idempotency-key": key or uuid4().hex}
    return client.request(method, path, json=body, headers=headers)


def errors_of(response: httpx.Response) -> dict[str, str]:
    return {error["field"]: error["message"] for error in response.json()["errors"]}


def test_a_coordinator_creates_a_draft_and_a_retry_with_its_key_stores_one(
    as_coordinator: Client, library: dict[str, int]
) -> None:
    body = {
        "title": "First week: steadying",
        "description": "One a day.",
        "session_ids": [
            library["Body scan"],
            library["Slow breathing"],
            library["Unreleased draft"],
        ],
    }
    key = uuid4().hex

    first = write(as_coordinator, "POST", API, body, key)
    again = write(as_coordinator, "POST", API, body, key)

    assert first.status_code == 201, first.text
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    created = first.json()
    assert (created["title"], created["status"], created["url"]) == (
        "First week: steadying",
        "draft",
        f"/collections/{created['id']}",
    )
    assert [
        (item["title"], item["kind"], item["minutes"], item["status"])
        for item in created["sessions"]
    ] == [
        ("Body scan", "body_scan", 8, "published"),
        ("Slow breathing", "breathing", 6, "published"),
        ("Unreleased draft", "meditation", 10, "draft"),
    ]
    assert collections_state(as_coordinator) == [
        (
            "First week: steadying",
            "draft",
            "One a day.",
            [library["Body scan"], library["Slow breathing"], library["Unreleased draft"]],
        )
    ]
    rows = as_coordinator.run(lambda: AuditEvent.filter(action="collection_created"))
    assert [(row.target_type, row.target_id, row.detail) for row in rows] == [
        ("collection", str(created["id"]), "")
    ]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"session_ids": ["{slow}", 999_999, 999_998]},
            "session_ids",
            "No sessions have the ids 999999 and 999998.",
        ),
        ({"session_ids": ["{slow}", "{slow}"]}, "session_ids", "listed more than once"),
        ({"session_ids": ["{old}"]}, "session_ids", "“Older walk” is archived"),
        ({"session_ids": []}, "session_ids", "length >= 1"),
        ({"session_ids": list(range(1, 52))}, "session_ids", "length <= 50"),
        ({"title": "   "}, "title", "Enter a title."),
        ({"title": "x" * 121}, "title", "length <= 120"),
        ({"title": "EVENING wind-down"}, "title", "Another collection is called"),
        ({"description": "x" * 2001}, "description", "length <= 2000"),
        ({"status": "published"}, "status", "unknown field"),
    ],
)
def test_a_refused_body_is_a_422_naming_the_field_and_stores_nothing(
    as_coordinator: Client,
    library: dict[str, int],
    body: dict[str, Any],
    field: str,
    message: str,
) -> None:
    make_collection(as_coordinator, "Evening wind-down", [library["Body scan"]])
    before = collections_state(as_coordinator)
    fill = {"{slow}": library["Slow breathing"], "{old}": library["Older walk"]}
    sent = {"title": "New one", "session_ids": [library["Five senses"]], **body}
    sent["session_ids"] = [fill.get(item, item) for item in sent["session_ids"]]

    response = write(as_coordinator, "POST", API, sent)

    assert response.status_code == 422, response.text
    assert message in errors_of(response)[field]
    assert collections_state(as_coordinator) == before


def test_a_patch_reorders_renames_and_leaves_out_what_it_does_not_name(
    as_coordinator: Client, library: dict[str, int]
) -> None:
    collection = make_collection(
        as_coordinator,
        "Week",
        [library["Slow breathing"], library["Five senses"]],
        status=Status.DRAFT,
    )
    order = [library["Five senses"], library["Slow breathing"], library["Body scan"]]

    response = write(
        as_coordinator, "PATCH", f"{API}/{collection}", {"title": "Week one", "session_ids": order}
    )

    assert response.status_code == 200, response.text
    assert [item["id"] for item in response.json()["sessions"]] == order
    assert collections_state(as_coordinator) == [("Week one", "draft", "About Week.", order)]


def test_publishing_archiving_and_deleting_follow_the_sessions_rules(
    as_coordinator: Client, library: dict[str, int]
) -> None:
    drafts_only = make_collection(
        as_coordinator, "Drafts", [library["Unreleased draft"]], status=Status.DRAFT
    )
    week = make_collection(as_coordinator, "Week", [library["Body scan"]], status=Status.DRAFT)

    refused = write(as_coordinator, "POST", f"{API}/{drafts_only}/publish")
    published = write(as_coordinator, "POST", f"{API}/{week}/publish")
    not_deleted = write(as_coordinator, "DELETE", f"{API}/{week}")
    archived = write(as_coordinator, "POST", f"{API}/{week}/archive")
    deleted = write(as_coordinator, "DELETE", f"{API}/{drafts_only}")

    assert refused.status_code == 422
    assert "Publish at least one of its sessions first" in errors_of(refused)["status"]
    assert (published.status_code, published.json()["status"]) == (200, "published")
    assert not_deleted.status_code == 409
    assert not_deleted.json()["code"] == "collection_published"
    assert (archived.status_code, archived.json()["status"]) == (200, "archived")
    assert deleted.status_code == 204
    assert collections_state(as_coordinator) == [
        ("Week", "archived", "About Week.", [library["Body scan"]])
    ]
    assert count(as_coordinator, PracticeSession) == len(library)


def test_a_patient_sees_published_sessions_in_order_with_what_they_did_and_what_is_next(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    patient = personas["patient"]
    order = ["Unreleased draft", "Slow breathing", "Box breathing", "Five senses", "Body scan"]
    collection = make_collection(client, "Week", [library[title] for title in order])
    client.run(lambda: completed(patient.id, library["Slow breathing"]))
    client.run(
        lambda: SessionOverride.create(
            patient_id=patient.id,
            session_id=library["Five senses"],
            kind=OverrideKind.BAN,
            set_at=TEST_NOW,
        )
    )
    client.run(
        lambda: PatientContraindication.create(
            patient_id=patient.id, code="breath_hold", set_at=TEST_NOW
        )
    )
    client.login_as(PERSONAS["patient"])

    shown = client.get(f"{API}/{collection}")

    assert shown.status_code == 200, shown.text
    detail = shown.json()
    assert [
        (item["title"], item["completed"], item["is_next"], item["care_mark"])
        for item in detail["sessions"]
    ] == [
        ("Slow breathing", True, False, None),
        ("Box breathing", False, False, "skip"),
        ("Five senses", False, False, "skip"),
        ("Body scan", False, True, None),
    ]
    assert (detail["completed"], detail["next_session_id"], detail["minutes"]) == (
        1,
        library["Body scan"],
        24,
    )


def test_lists_show_each_viewer_what_they_may_see_a_page_at_a_time(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    make_collection(client, "Evening", [library["Body scan"]])
    make_collection(client, "Draft one", [library["Five senses"]], status=Status.DRAFT)
    make_collection(client, "Old one", [library["Five senses"]], status=Status.ARCHIVED)
    make_collection(client, "Only a draft inside", [library["Unreleased draft"]])
    make_collection(client, "Afternoon", [library["Five senses"], library["Unreleased draft"]])

    client.login_as(PERSONAS["therapist"])
    for_therapist = client.get(API, params={"per_page": 1, "page": 2}).json()
    client.login_as(PERSONAS["coordinator"])
    for_coordinator = client.get(API).json()
    drafts = client.get(API, params={"status": "draft"}).json()

    assert (for_therapist["total"], for_therapist["pages"], for_therapist["page"]) == (2, 2, 2)
    assert [(item["title"], item["sessions"]) for item in for_therapist["items"]] == [
        ("Evening", 1)
    ]
    assert [item["title"] for item in for_coordinator["items"]] == [
        "Afternoon",
        "Draft one",
        "Evening",
        "Old one",
        "Only a draft inside",
    ]
    assert for_coordinator["items"][0]["sessions"] == 2
    assert [item["title"] for item in drafts["items"]] == ["Draft one"]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.ARCHIVED])
@pytest.mark.parametrize("persona", ["patient", "therapist", "admin"])
def test_a_draft_or_archived_collection_is_a_404_for_all_but_coordinators(
    client: Client, personas: dict[str, User], library: dict[str, int], status: Status, persona: str
) -> None:
    hidden = make_collection(client, "Hidden", [library["Body scan"]], status=status)
    client.login_as(PERSONAS[persona])

    assert client.get(f"{API}/{hidden}").status_code == 404
    assert client.get(API).json()["items"] == []


@pytest.mark.parametrize("persona", ["patient", "therapist", "admin"])
def test_only_coordinators_write_and_a_refusal_changes_nothing(
    client: Client, personas: dict[str, User], library: dict[str, int], persona: str
) -> None:
    collection = make_collection(client, "Week", [library["Body scan"]], status=Status.DRAFT)
    before = collections_state(client)
    client.login_as(PERSONAS[persona])

    answers = [
        write(client, "POST", API, {"title": "Mine", "session_ids": [library["Body scan"]]}),
        write(client, "PATCH", f"{API}/{collection}", {"title": "Renamed"}),
        write(client, "POST", f"{API}/{collection}/publish"),
        write(client, "POST", f"{API}/{collection}/archive"),
        write(client, "DELETE", f"{API}/{collection}"),
    ]

    assert [answer.status_code for answer in answers] == [403] * 5
    assert collections_state(client) == before


async def completed(patient_id: int, session_id: int) -> None:
    """The patient played the session to its end."""
    await practised(patient_id, TEST_NOW, session=await PracticeSession.get(id=session_id))
