"""Clinical review in the JSON API: therapists list and review drafts, staff read a session's
reviews, and publishing answers where the reviews stood (or 409 where review is required)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from tests.conftest import PERSONAS, Client
from tests.media_fixtures import make_wav
from tests.web.test_catalog_pages import create, upload
from tests.web.test_library_pages import stored_session
from tests.web.test_review_pages import HOLDS, as_role, reviews_stored
from tests.web.test_review_pages import settings as settings  # the fixture, for this module
from wellness.accounts.models import User
from wellness.catalog.kinds import Status


@pytest.fixture
def draft(client: Client, personas: dict[str, User], tmp_path: Path) -> int:
    client.login_as(PERSONAS["coordinator"])
    made = create(client, upload(client, make_wav(tmp_path, seconds=4.0)), title="Box breathing")
    client.cookies.clear()
    return made


def post_review(client: Client, session: int, body: Any, key: str | None = None) -> Any:
    headers = {"idempotency-key": key} if key else {}
    return client.post(f"/api/v1/sessions/{session}/reviews", json=body, headers=headers)


def test_a_therapist_lists_drafts_with_where_each_stands(client: Client, draft: int) -> None:
    post_review(as_role(client, "therapist"), draft, {"decision": "approved"})

    response = client.get("/api/v1/reviews/drafts")

    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["page"], body["pages"]) == (1, 1, 1)
    [item] = body["items"]
    assert (item["id"], item["title"], item["url"]) == (
        draft,
        "Box breathing",
        f"/reviews/drafts/{draft}",
    )
    assert item["standing"]["review_status"] == "approved"
    assert item["standing"]["approved_by"] == ["Bob Therapist"]


@pytest.mark.parametrize("role", ["coordinator", "admin", "patient"])
def test_only_therapists_list_drafts_to_review(client: Client, draft: int, role: str) -> None:
    response = as_role(client, role).get("/api/v1/reviews/drafts")
    assert response.status_code == 403
    assert "Box breathing" not in response.text


def test_a_therapist_reviews_a_draft_once_per_idempotency_key(client: Client, draft: int) -> None:
    therapist = as_role(client, "therapist")
    key = uuid4().hex
    body = {"decision": "changes_requested", "comment": f"  {HOLDS}  "}

    first = post_review(therapist, draft, body, key)
    again = post_review(therapist, draft, body, key)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert reviews_stored(client) == [("Bob Therapist", "changes_requested", HOLDS)]
    made = first.json()
    assert (made["decision"], made["comment"], made["current_version"], made["counts"]) == (
        "changes_requested",
        HOLDS,
        True,
        True,
    )
    assert len(made["version"]) == 64


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "changes_requested"}, "comment"),
        ({"decision": "changes_requested", "comment": "  "}, "comment"),
        ({"decision": "approved", "comment": "x" * 2001}, "comment"),
        ({"decision": "approve"}, "decision"),
        ({"comment": "fine"}, "decision"),
        ({"decision": "approved", "version": "abc"}, "version"),
        ({"decision": "approved", "reviewer_id": 1}, "reviewer_id"),
    ],
)
def test_a_refused_review_names_the_field_and_stores_nothing(
    client: Client, draft: int, body: dict[str, Any], field: str
) -> None:
    response = post_review(as_role(client, "therapist"), draft, body)

    assert response.status_code == 422
    assert reviews_stored(client) == []
    assert field in {error["field"] for error in response.json()["errors"]}


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_staff_who_are_not_clinicians_cannot_review(client: Client, draft: int, role: str) -> None:
    response = post_review(as_role(client, role), draft, {"decision": "approved"})
    assert response.status_code == 403
    assert reviews_stored(client) == []


@pytest.mark.parametrize("status", ["published", "archived"])
def test_a_session_that_is_not_a_draft_is_a_409(client: Client, draft: int, status: str) -> None:
    coordinator = as_role(client, "coordinator")
    coordinator.post(f"/api/v1/sessions/{draft}/publish")
    if status == "archived":
        coordinator.post(f"/api/v1/sessions/{draft}/archive")

    response = post_review(as_role(client, "therapist"), draft, {"decision": "approved"})

    assert response.status_code == 409
    assert response.json()["code"] == "not_a_draft"
    assert reviews_stored(client) == []


@pytest.mark.parametrize("role", ["therapist", "coordinator", "admin"])
def test_staff_read_a_sessions_reviews_newest_first(client: Client, draft: int, role: str) -> None:
    therapist = as_role(client, "therapist")
    post_review(therapist, draft, {"decision": "changes_requested", "comment": HOLDS})
    as_role(client, "coordinator").patch(f"/api/v1/sessions/{draft}", json={"title": "Box, v2"})
    post_review(as_role(client, "therapist"), draft, {"decision": "approved"})

    response = as_role(client, role).get(f"/api/v1/sessions/{draft}/reviews")

    assert response.status_code == 200
    body = response.json()
    assert body["standing"]["review_status"] == "approved"
    assert [(item["decision"], item["current_version"]) for item in body["reviews"]] == [
        ("approved", True),
        ("changes_requested", False),
    ]
    assert body["reviews"][1]["comment"] == HOLDS


def test_patients_never_see_reviews(client: Client, draft: int) -> None:
    post_review(
        as_role(client, "therapist"), draft, {"decision": "changes_requested", "comment": HOLDS}
    )
    patient = as_role(client, "patient")

    reviews = patient.get(f"/api/v1/sessions/{draft}/reviews")
    posted = post_review(patient, draft, {"decision": "approved"})

    assert (reviews.status_code, posted.status_code) == (404, 403)
    assert "benzodiazepine" not in reviews.text + posted.text
    assert len(reviews_stored(client)) == 1


# --- publishing ------------------------------------------------------------------------------


def test_publishing_says_where_the_reviews_stood(client: Client, draft: int) -> None:
    post_review(
        as_role(client, "therapist"), draft, {"decision": "changes_requested", "comment": HOLDS}
    )

    response = as_role(client, "coordinator").post(f"/api/v1/sessions/{draft}/publish")

    assert response.status_code == 200
    assert stored_session(client, draft).status is Status.PUBLISHED
    body = response.json()
    assert (body["status"], body["review_status"]) == ("published", "changes_requested")
    assert body["review"]["changes_requested_by"] == ["Bob Therapist"]
    assert body["title"] == "Box breathing"  # the session's detail, as before


@pytest.mark.parametrize("settings", [True], indirect=True)
def test_where_review_is_required_publishing_an_unapproved_draft_is_a_409(
    client: Client, draft: int
) -> None:
    coordinator = as_role(client, "coordinator")
    unreviewed = coordinator.post(f"/api/v1/sessions/{draft}/publish")
    post_review(
        as_role(client, "therapist"), draft, {"decision": "changes_requested", "comment": HOLDS}
    )
    objected = as_role(client, "coordinator").post(f"/api/v1/sessions/{draft}/publish")

    assert (unreviewed.status_code, objected.status_code) == (409, 409)
    assert stored_session(client, draft).status is Status.DRAFT
    assert (unreviewed.json()["code"], objected.json()["code"]) == (
        "review_required",
        "changes_requested",
    )
    assert "Bob Therapist asked for changes" in objected.json()["detail"]

    post_review(as_role(client, "therapist"), draft, {"decision": "approved"})
    approved = as_role(client, "coordinator").post(f"/api/v1/sessions/{draft}/publish")
    assert approved.status_code == 200
    assert approved.json()["review_status"] == "approved"
