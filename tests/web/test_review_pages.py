"""Clinical review in the pages: therapists list drafts, preview one as patients would see it
(recording nothing) and review it; the coordinator sees the reviews on the edit page and in the
library; publishing asks, or refuses, as the clinic's setting says."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PERSONAS, Client, count, text_of
from tests.media_fixtures import make_wav
from tests.web.test_catalog_pages import create, upload
from tests.web.test_library_pages import audit_actions, stored_session
from wellness.accounts.models import User
from wellness.audit.models import AuditEvent
from wellness.catalog.kinds import Status
from wellness.practice.models import PracticeLog
from wellness.reviews.models import SessionReview
from wellness.settings import Settings

HOLDS = "Breath holds are not safe during benzodiazepine withdrawal: make them optional."


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The suite's settings; `indirect` True makes publishing need a therapist's approval."""
    needs: bool | None = getattr(request, "param", None)
    return settings.replace(publish_needs_review=True) if needs else settings


@pytest.fixture
def draft(client: Client, personas: dict[str, User], tmp_path: Path) -> int:
    """A draft with media, a description, a transcript and a contraindication."""
    client.login_as(PERSONAS["coordinator"])
    asset = upload(client, make_wav(tmp_path, seconds=4.0))
    made = create(
        client,
        asset,
        title="Box breathing with holds",
        description="In for four, hold for four.",
        transcript="Breathe in for four, hold gently for four.",
    )
    client.cookies.clear()
    return made


def reviews_stored(client: Client) -> list[tuple[str, str, str]]:
    async def load() -> list[tuple[str, str, str]]:
        rows = (
            await SessionReview.all()
            .order_by("id")
            .values_list("reviewer__display_name", "decision", "comment")
        )
        return [(str(name), str(decision), str(comment)) for name, decision, comment in rows]

    return client.run(load)


def review(client: Client, session: int, decision: str, comment: str = "", **more: str) -> Any:
    body = {"decision": decision, "comment": comment, **more}
    return client.submit(f"/reviews/drafts/{session}", body)


def as_role(client: Client, role: str) -> Client:
    client.login_as(PERSONAS[role])
    return client


# --- the therapist's list and preview ----------------------------------------------------------


def test_a_therapist_finds_drafts_to_review_from_the_menu_with_a_count(
    client: Client, draft: int
) -> None:
    home = as_role(client, "therapist").get("/therapist")
    assert home.status_code == 200
    assert re.search(
        r'href="/reviews/drafts">Drafts to review <span class="nav-count[^"]*">1<', home.text
    )

    listing = client.get("/reviews/drafts")

    assert listing.status_code == 200
    text = text_of(listing)
    assert "1 draft, most recently changed first." in text
    assert f'href="/reviews/drafts/{draft}">Box breathing with holds</a>' in text
    assert "Not reviewed" in text


def test_the_drafts_list_says_when_there_is_none_and_pages_a_long_list(
    client: Client, personas: dict[str, User]
) -> None:
    empty = as_role(client, "therapist").get("/reviews/drafts")
    assert empty.status_code == 200
    assert "No drafts to review." in text_of(empty)

    as_role(client, "coordinator")
    for number in range(21):
        create(client, None, title=f"Draft {number:02d}")
    as_role(client, "therapist")
    second = client.get("/reviews/drafts?page=2")
    assert second.status_code == 200
    text = text_of(second)
    assert "21 drafts, most recently changed first · page 2 of 2." in text
    # Most recently changed first: the oldest is last.
    assert "Draft 00" in text
    assert "Draft 20" not in text


def test_a_therapist_previews_a_draft_as_patients_would_see_it_and_nothing_is_recorded(
    client: Client, draft: int
) -> None:
    page = as_role(client, "therapist").get(f"/reviews/drafts/{draft}")

    assert page.status_code == 200
    assert count(client, PracticeLog) == 0
    [seen] = [row for row in audit_rows(client) if row.action == "draft_previewed"]
    assert (seen.target_type, seen.target_id, seen.detail) == ("session", str(draft), "")
    text = text_of(page)
    assert "<h1>Box breathing with holds</h1>" in text
    assert "Patients can't see this draft yet" in text
    assert "In for four, hold for four." in text
    assert "Breathe in for four, hold gently for four." in text
    assert "Avoid if" in text
    assert "breath hold" in text
    assert "data-player" in text
    assert "data-practice-session" not in text
    assert "practice.js" not in text
    assert "/practice/start" not in text
    media = client.get(re.search(r'src="(/media/\d+)"', text)[1])  # type: ignore[index]
    assert media.status_code == 200  # the draft's recording plays for its reviewer


@pytest.mark.parametrize("status", ["published", "archived"])
def test_only_drafts_have_a_preview(client: Client, draft: int, status: str) -> None:
    as_role(client, "coordinator").post(f"/api/v1/sessions/{draft}/publish")
    if status == "archived":
        client.post(f"/api/v1/sessions/{draft}/archive")
    response = as_role(client, "therapist").get(f"/reviews/drafts/{draft}")
    assert response.status_code == 404
    assert "Box breathing with holds" not in response.text


@pytest.mark.parametrize("role", ["patient", "coordinator", "admin"])
def test_only_therapists_open_the_review_pages(client: Client, draft: int, role: str) -> None:
    as_role(client, role)
    for path in ("/reviews/drafts", f"/reviews/drafts/{draft}"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Only therapists review the library's drafts." in text_of(response)
        assert "Box breathing with holds" not in response.text


# --- reviewing -------------------------------------------------------------------------------


def test_a_therapist_approves_a_draft(client: Client, draft: int) -> None:
    response = review(as_role(client, "therapist"), draft, "approved")

    assert response.status_code == 303
    assert response.headers["location"] == "/reviews/drafts"
    assert reviews_stored(client) == [("Bob Therapist", "approved", "")]
    [row] = [row for row in audit_rows(client) if row.action == "draft_reviewed"]
    assert row.target_id == str(draft)
    assert row.detail.endswith(";decision=approved")
    text = text_of(client.get("/reviews/drafts"))
    assert "“Box breathing with holds” is approved." in text
    assert "Approved by Bob Therapist" in text


def test_a_therapist_requests_changes_with_a_comment_kept_out_of_the_audit_trail(
    client: Client, draft: int
) -> None:
    response = review(as_role(client, "therapist"), draft, "changes_requested", f"  {HOLDS} ")

    assert response.status_code == 303
    assert reviews_stored(client) == [("Bob Therapist", "changes_requested", HOLDS)]
    assert all("benzodiazepine" not in row.detail for row in audit_rows(client))
    assert "Changes requested by Bob Therapist" in text_of(client.get("/reviews/drafts"))


@pytest.mark.parametrize(
    ("decision", "comment", "field", "message"),
    [
        ("changes_requested", "   ", "comment", "a request for changes needs it"),
        ("approved", "x" * 2001, "comment", "Keep the comment under 2,000 characters."),
        ("", "Looks fine", "decision", "Choose whether you approve this draft"),
        ("publish", "", "decision", "Choose whether you approve this draft"),
    ],
)
def test_a_refused_review_stores_nothing_and_says_why_on_the_preview(
    client: Client, draft: int, decision: str, comment: str, field: str, message: str
) -> None:
    response = review(as_role(client, "therapist"), draft, decision, comment)

    assert response.status_code == 422
    assert reviews_stored(client) == []
    assert "draft_reviewed" not in audit_actions(client)
    text = text_of(response)
    assert f'<a href="#{field}">' in text
    assert message in text
    assert "<title>Error: Review “Box breathing with holds”" in text


def test_the_same_review_form_sent_twice_stores_one_review(client: Client, draft: int) -> None:
    page = as_role(client, "therapist").get(f"/reviews/drafts/{draft}")
    key = re.search(r'name="form_key" value="([0-9a-f]{32})"', page.text)[1]  # type: ignore[index]

    first = review(client, draft, "changes_requested", HOLDS, form_key=key)
    again = review(client, draft, "changes_requested", HOLDS, form_key=key)

    assert (first.status_code, again.status_code) == (303, 303)
    assert len(reviews_stored(client)) == 1
    assert "That review was already saved" in text_of(client.get("/reviews/drafts"))


@pytest.mark.parametrize("role", ["coordinator", "admin", "patient"])
def test_nobody_but_a_therapist_reviews(client: Client, draft: int, role: str) -> None:
    response = review(as_role(client, role), draft, "approved")
    assert response.status_code == 403
    assert reviews_stored(client) == []


def test_a_draft_published_while_the_therapist_read_it_is_not_reviewed(
    client: Client, draft: int
) -> None:
    as_role(client, "coordinator").post(f"/api/v1/sessions/{draft}/publish")
    response = review(as_role(client, "therapist"), draft, "approved")

    assert response.status_code == 409
    assert reviews_stored(client) == []
    assert "is published now, and reviews are for drafts: nothing was saved." in text_of(response)


# --- the coordinator's side ------------------------------------------------------------------


def test_the_coordinator_sees_the_reviews_and_which_version_they_were_of(
    client: Client, draft: int
) -> None:
    review(as_role(client, "therapist"), draft, "changes_requested", HOLDS)
    coordinator = as_role(client, "coordinator")

    page = text_of(coordinator.get(f"/library/sessions/{draft}/edit"))
    assert "Clinical review" in page
    assert "Changes requested by Bob Therapist" in page
    assert HOLDS in page
    assert "Of this version." in page

    edited = coordinator.submit(
        f"/library/sessions/{draft}/edit",
        {"title": "Box breathing, holds optional", "kind": "breathing"},
    )
    assert edited.status_code == 303
    page = text_of(coordinator.get(f"/library/sessions/{draft}/edit"))
    assert "Of an earlier version: the draft has changed since, so it no longer counts." in page
    assert "Changed since its review" in page


def test_the_library_shows_each_drafts_review_status_to_coordinators(
    client: Client, draft: int
) -> None:
    coordinator = as_role(client, "coordinator")
    other = create(coordinator, None, title="Grounding, draft")
    assert "Not reviewed" in text_of(coordinator.get("/sessions"))
    review(as_role(client, "therapist"), draft, "approved")

    library = text_of(as_role(client, "coordinator").get("/sessions?status=draft"))

    assert "Approved by Bob Therapist" in library
    assert library.count("Not reviewed") == 1  # the other draft
    assert other


# --- publishing ------------------------------------------------------------------------------


def test_publishing_an_unreviewed_draft_asks_first_and_changes_nothing_until_confirmed(
    client: Client, draft: int
) -> None:
    coordinator = as_role(client, "coordinator")
    asked = coordinator.submit(f"/library/sessions/{draft}/publish")

    assert asked.status_code == 200
    assert stored_session(client, draft).status is Status.DRAFT
    assert "session_published" not in audit_actions(client)
    text = text_of(asked)
    assert "Publish without a therapist's approval?" in text
    assert 'name="confirm" value="not_reviewed"' in text

    done = coordinator.submit(f"/library/sessions/{draft}/publish", {"confirm": "not_reviewed"})
    assert done.status_code == 303
    assert stored_session(client, draft).status is Status.PUBLISHED
    [row] = [row for row in audit_rows(client) if row.action == "session_published"]
    assert row.detail == "review=not_reviewed"
    assert "published without a therapist's approval (Not reviewed)" in text_of(
        coordinator.get(done.headers["location"])
    )


def test_a_review_arriving_before_the_confirmation_is_shown_rather_than_overridden(
    client: Client, draft: int
) -> None:
    review(as_role(client, "therapist"), draft, "changes_requested", HOLDS)
    coordinator = as_role(client, "coordinator")

    asked = coordinator.submit(f"/library/sessions/{draft}/publish", {"confirm": "not_reviewed"})

    assert asked.status_code == 200
    assert stored_session(client, draft).status is Status.DRAFT
    assert 'name="confirm" value="changes_requested"' in asked.text
    assert "A therapist asked for changes to this version" in text_of(asked)


def test_an_approved_draft_is_published_without_a_question(client: Client, draft: int) -> None:
    review(as_role(client, "therapist"), draft, "approved")
    done = as_role(client, "coordinator").submit(f"/library/sessions/{draft}/publish")
    assert done.status_code == 303
    assert stored_session(client, draft).status is Status.PUBLISHED


@pytest.mark.parametrize("settings", [True], indirect=True)
def test_where_review_is_required_an_unapproved_draft_is_refused_with_the_edits_kept(
    client: Client, draft: int
) -> None:
    coordinator = as_role(client, "coordinator")
    form = {"title": "Box breathing, holds optional", "kind": "breathing", "then": "publish"}

    refused = coordinator.submit(
        f"/library/sessions/{draft}/edit", {**form, "confirm": "not_reviewed"}
    )

    assert refused.status_code == 409
    after = stored_session(client, draft)
    assert (after.status, after.title) == (Status.DRAFT, "Box breathing with holds")
    text = text_of(refused)
    assert "no therapist has reviewed it" in text
    assert 'value="Box breathing, holds optional"' in text
    assert "Your clinic publishes a draft only once a therapist has approved it as it is." in text


@pytest.mark.parametrize("settings", [True], indirect=True)
def test_where_review_is_required_an_approval_of_this_version_publishes(
    client: Client, draft: int
) -> None:
    review(as_role(client, "therapist"), draft, "changes_requested", HOLDS)
    coordinator = as_role(client, "coordinator")
    refused = coordinator.submit(f"/library/sessions/{draft}/publish")
    assert refused.status_code == 409
    assert "Bob Therapist asked for changes to this version." in text_of(refused)

    review(as_role(client, "therapist"), draft, "approved")
    done = as_role(client, "coordinator").submit(f"/library/sessions/{draft}/publish")
    assert done.status_code == 303
    assert stored_session(client, draft).status is Status.PUBLISHED


def audit_rows(client: Client) -> list[AuditEvent]:
    async def load() -> list[AuditEvent]:
        return list(await AuditEvent.all().order_by("id"))

    return client.run(load)
