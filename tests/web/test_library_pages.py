"""Coordinator pages: upload without JavaScript, create, edit, publish, archive, replace media."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PERSONAS, Client, text_of
from tests.media_fixtures import make_raw_wav, make_wav, truncate, with_tags, write_bytes
from tests.web.test_catalog_api import counts, stored_files
from tests.web.test_catalog_pages import create, publish, upload
from wellness.accounts.models import User
from wellness.audit.models import AuditEvent
from wellness.catalog.kinds import Status
from wellness.catalog.models import MediaAsset, PracticeSession, SessionTag
from wellness.settings import Settings

FORM = {
    "title": "  Longer   exhale ",
    "kind": "breathing",
    "description": "Breathe out for longer than you breathe in.",
    "instructor": "Sam Rivera",
    "language": "en",
    "level": "beginner",
    "posture": "lying",
    "guidance": "silent",
    "transcript": "In for four.\r\n\r\nOut for six.",
    "anxiety_min": "4",
    "anxiety_max": "8",
    "contraindications": ["breath_hold", "long_silence"],
    "tags": "Exhale, sleep , exhale",
}


def stored_session(client: Client, session_id: int) -> PracticeSession:
    async def load() -> PracticeSession:
        return await PracticeSession.get(id=session_id)

    return client.run(load)


def audit_actions(client: Client) -> list[str]:
    async def actions() -> list[str]:
        return [event.action for event in await AuditEvent.all().order_by("id")]

    return client.run(actions)


def post_file(
    client: Client,
    path: str,
    file: Path,
    *,
    token: str | None = "from-cookie",
    headers: dict[str, str] | None = None,
) -> Any:
    """A multipart form post the way a browser without JavaScript sends it."""
    data = {"_csrf_token": client.csrf_token() if token == "from-cookie" else token}
    with file.open("rb") as handle:
        return client.post(
            path,
            data={key: value for key, value in data.items() if value is not None},
            files={"file": (file.name, handle, "application/octet-stream")},
            headers=headers or {},
            follow_redirects=False,
        )


@pytest.fixture
def asset(as_coordinator: Client, tmp_path: Path) -> int:
    path = make_wav(tmp_path, seconds=4.0, name="breath.wav")
    with_tags(path, container="wav", title="Slow breathing", artist="Mira Okafor")
    return upload(as_coordinator, path)


@pytest.fixture
def session(as_coordinator: Client, asset: int) -> int:
    return create(as_coordinator, asset)


# --- pages for each role -------------------------------------------------------------------------


def test_a_coordinator_opens_every_library_page(as_coordinator: Client, session: int) -> None:
    for path, heading in [
        ("/library/upload", "<h1>Upload media</h1>"),
        ("/library/sessions/new", "<h1>New session</h1>"),
        (f"/library/sessions/{session}/edit", "<h1>Six breaths a minute</h1>"),
    ]:
        page = as_coordinator.get(path)
        assert page.status_code == 200, path
        assert heading in page.text, path
        assert 'name="_csrf_token"' in page.text, path


def library_requests(session: int, asset: int) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("GET", "/library/upload", {}),
        ("GET", "/library/sessions/new", {}),
        ("GET", f"/library/sessions/new?asset={asset}", {}),
        ("GET", f"/library/sessions/{session}/edit", {}),
        ("POST", "/library/sessions/new", {"data": {**FORM, "title": "Outsider's"}}),
        ("POST", f"/library/sessions/{session}/edit", {"data": {**FORM, "title": "Hacked"}}),
        (
            "POST",
            f"/library/sessions/{session}/edit",
            {"data": {**FORM, "title": "Hacked", "then": "publish"}},
        ),
        ("POST", f"/library/sessions/{session}/publish", {"data": {}}),
        ("POST", f"/library/sessions/{session}/archive", {"data": {}}),
    ]


@pytest.mark.parametrize("outsider", ["patient", "therapist", "admin"])
def test_only_coordinators_use_the_library_pages(
    client: Client,
    session: int,
    asset: int,
    settings: Settings,
    tmp_path: Path,
    outsider: str,
) -> None:
    before = counts(client), stored_files(settings)
    client.login_as(PERSONAS[outsider])
    for method, path, options in library_requests(session, asset):
        response = client.get(path) if method == "GET" else client.submit(path, options["data"])
        assert response.status_code == 403, (method, path)
        assert "Slow breathing" not in response.text
    for path in ("/library/media", f"/library/sessions/{session}/media"):
        assert post_file(client, path, make_wav(tmp_path, seconds=2.0)).status_code == 403
    after = stored_session(client, session)
    assert (after.title, after.status) == ("Six breaths a minute", Status.DRAFT)
    assert (counts(client), stored_files(settings)) == before
    assert "access_denied" in audit_actions(client)


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, session: int, asset: int) -> None:
    client.cookies.clear()
    for method, path, options in library_requests(session, asset):
        response = client.request(method, path, follow_redirects=False, **options)
        if method == "POST":  # no session and no CSRF cookie: refused before anything else
            assert response.status_code in {303, 403}, path
        else:
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login?next=")


def test_an_unknown_session_is_a_404(as_coordinator: Client) -> None:
    assert as_coordinator.get("/library/sessions/999999/edit").status_code == 404
    assert as_coordinator.submit("/library/sessions/999999/edit", FORM).status_code == 404
    assert as_coordinator.submit("/library/sessions/999999/publish").status_code == 404
    assert as_coordinator.get("/library/sessions/new?asset=999999").status_code == 404


# --- CSRF -----------------------------------------------------------------------------------------


def test_every_form_needs_its_csrf_token(
    as_coordinator: Client, session: int, settings: Settings, tmp_path: Path
) -> None:
    before = counts(as_coordinator), stored_files(settings)
    for path, form in [
        ("/library/sessions/new", FORM),
        (f"/library/sessions/{session}/edit", {**FORM, "title": "Changed"}),
        (f"/library/sessions/{session}/publish", {}),
        (f"/library/sessions/{session}/archive", {}),
    ]:
        response = as_coordinator.post(path, data=form, follow_redirects=False)
        assert response.status_code == 403, path
    after = stored_session(as_coordinator, session)
    assert (after.title, after.status) == ("Six breaths a minute", Status.DRAFT)
    assert (counts(as_coordinator), stored_files(settings)) == before


@pytest.mark.parametrize(
    ("token", "headers"),
    [
        (None, {}),
        ("", {}),
        ("0" * 64 + "f" * 64, {}),  # the right shape, a forged signature
        ("\u00e9" * 130, {}),
        (None, {"x-csrftoken": "not-a-token"}),
        ("from-cookie", {"sec-fetch-site": "cross-site"}),
        ("from-cookie", {"origin": "https://evil.example"}),
    ],
)
@pytest.mark.parametrize("target", ["upload", "replace"])
def test_uploads_without_a_valid_token_or_from_another_site_store_nothing(
    as_coordinator: Client,
    session: int,
    settings: Settings,
    tmp_path: Path,
    token: str | None,
    headers: dict[str, str],
    target: str,
) -> None:
    before = counts(as_coordinator), stored_files(settings)
    path = "/library/media" if target == "upload" else f"/library/sessions/{session}/media"
    file = make_wav(tmp_path, seconds=3.0, name="other.wav")
    response = post_file(as_coordinator, path, file, token=token, headers=headers)
    assert response.status_code == 403
    assert (counts(as_coordinator), stored_files(settings)) == before
    assert not list((settings.media_dir / "incoming").glob("*"))


def test_another_users_token_is_refused(
    client: Client, personas: dict[str, User], settings: Settings, tmp_path: Path
) -> None:
    client.login_as(PERSONAS["patient"])
    foreign = client.csrf_token()
    client.login_as(PERSONAS["coordinator"])
    client.get("/library/upload")
    assert client.cookies["wellness_csrf"] != foreign
    response = post_file(client, "/library/media", make_wav(tmp_path), token=foreign)
    assert response.status_code == 403
    assert stored_files(settings) == []


def test_the_token_may_come_in_the_header_as_from_scripts(
    as_coordinator: Client, tmp_path: Path
) -> None:
    token = as_coordinator.csrf_token()
    response = post_file(
        as_coordinator,
        "/library/media",
        make_wav(tmp_path),
        token=None,
        headers={"x-csrftoken": token, "sec-fetch-site": "same-origin"},
    )
    assert response.status_code == 303


# --- uploading without JavaScript ----------------------------------------------------------------


def test_a_wav_uploaded_without_javascript_leads_to_a_new_session_form(
    as_coordinator: Client, settings: Settings, tmp_path: Path
) -> None:
    path = make_wav(tmp_path, seconds=4.0, name="evening.wav")
    with_tags(path, container="wav", title="Evening calm", artist="Jo Lindqvist")
    response = post_file(as_coordinator, "/library/media", path)
    assert response.status_code == 303

    async def stored() -> MediaAsset:
        return await MediaAsset.get()

    asset = as_coordinator.run(stored)
    assert response.headers["location"] == f"/library/sessions/new?asset={asset.id}"
    assert (asset.container, asset.original_filename) == ("wav", "evening.wav")
    assert stored_files(settings) == [f"{asset.sha256}.wav"]
    assert "media_uploaded" in audit_actions(as_coordinator)
    page = text_of(as_coordinator.get(response.headers["location"]))
    assert "evening.wav was uploaded." in page
    assert 'id="title" name="title" type="text" value="Evening calm"' in page
    assert 'id="instructor" name="instructor" type="text" value="Jo Lindqvist"' in page
    assert f'name="primary_asset_id" value="{asset.id}"' in page
    assert "0:04" in page
    assert "WAV" in page
    assert f'src="/media/{asset.id}"' in page


def test_uploading_the_same_file_again_reuses_it(
    as_coordinator: Client, settings: Settings, tmp_path: Path
) -> None:
    path = make_wav(tmp_path)
    first = post_file(as_coordinator, "/library/media", path)
    second = post_file(as_coordinator, "/library/media", path)
    assert first.headers["location"] == second.headers["location"]
    assert counts(as_coordinator)[0] == 1
    assert len(stored_files(settings)) == 1
    page = text_of(as_coordinator.get(second.headers["location"]))
    assert "That file was already in the library" in page


@pytest.mark.parametrize(
    ("make", "status", "message"),
    [
        (
            lambda d: write_bytes(d, "notes.mp3", b"just some text, not audio\n" * 20),
            415,
            "not audio or video",
        ),
        (lambda d: write_bytes(d, "empty.wav", b""), 422, "empty"),
        (lambda d: truncate(make_wav(d, seconds=4.0), 0.5), 422, "incomplete"),
        (lambda d: make_raw_wav(d, bits=0), 415, "browsers can't play"),
    ],
)
def test_a_refused_upload_shows_the_reason_and_stores_nothing(
    as_coordinator: Client,
    settings: Settings,
    tmp_path: Path,
    make: Any,
    status: int,
    message: str,
) -> None:
    response = post_file(as_coordinator, "/library/media", make(tmp_path))
    assert response.status_code == status
    text = text_of(response)
    assert "<h1>Upload media</h1>" in text
    assert "There is a problem" in text
    assert message in text.lower()
    assert 'aria-invalid="true"' in text
    assert 'name="_csrf_token" value="' + as_coordinator.cookies["wellness_csrf"] in text
    assert counts(as_coordinator) == (0, 0, 0)
    assert stored_files(settings) == []


def test_a_form_without_a_file_is_refused(as_coordinator: Client, settings: Settings) -> None:
    response = as_coordinator.post(
        "/library/media",
        data={"_csrf_token": as_coordinator.csrf_token()},
        files={"other": ("x.txt", b"abc", "text/plain")},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "No file was sent" in text_of(response)
    assert stored_files(settings) == []


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The suite's settings; a test may lower the upload cap with indirect parametrization."""
    cap: int | None = getattr(request, "param", None)
    return settings.replace(max_upload_mb=cap) if cap else settings


@pytest.mark.parametrize("settings", [1], indirect=True)
def test_an_upload_over_the_cap_is_a_413_page(
    as_coordinator: Client, settings: Settings, tmp_path: Path
) -> None:
    big = write_bytes(tmp_path, "big.wav", b"\0" * (3 * 1024 * 1024))
    response = post_file(as_coordinator, "/library/media", big)
    assert response.status_code == 413
    assert "The file is larger than the 1 MB limit." in text_of(response)
    assert stored_files(settings) == []


# --- creating -------------------------------------------------------------------------------------


def test_a_coordinator_creates_a_draft_from_the_form(as_coordinator: Client, asset: int) -> None:
    response = as_coordinator.submit(
        "/library/sessions/new", {**FORM, "primary_asset_id": str(asset)}
    )
    assert response.status_code == 303

    async def created() -> tuple[PracticeSession, list[str]]:
        session = await PracticeSession.get()
        tags = (
            await SessionTag.filter(session=session).order_by("tag").values_list("tag", flat=True)
        )
        return session, [str(tag) for tag in tags]

    session, tags = as_coordinator.run(created)
    assert response.headers["location"] == f"/library/sessions/{session.id}/edit"
    assert session.title == "Longer exhale"
    assert session.status is Status.DRAFT
    assert session.primary_asset_id == asset  # type: ignore[attr-defined]
    assert session.duration_seconds == pytest.approx(4.0, abs=0.05)
    assert (session.anxiety_min, session.anxiety_max) == (4, 8)
    assert session.contraindications == ["breath_hold", "long_silence"]
    assert session.transcript == "In for four.\n\nOut for six."
    assert tags == ["exhale", "sleep"]
    assert "session_created" in audit_actions(as_coordinator)
    page = text_of(as_coordinator.get(response.headers["location"]))
    assert "“Longer exhale” was saved as a draft." in page


def test_a_single_ticked_box_is_kept(as_coordinator: Client) -> None:
    form = {**FORM, "contraindications": "vigorous"}
    assert as_coordinator.submit("/library/sessions/new", form).status_code == 303

    async def created() -> PracticeSession:
        return await PracticeSession.get()

    assert as_coordinator.run(created).contraindications == ["vigorous"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "   "}, "Enter a title."),
        ({"title": "x" * 201}, "at most 200 characters"),
        ({"kind": ""}, "Choose what kind of practice this is."),
        ({"kind": "karaoke"}, "Choose one of the listed options."),
        ({"posture": "upside-down"}, "Choose one of the listed options."),
        ({"anxiety_min": "11"}, "Enter a whole number from 0 to 10."),
        ({"anxiety_max": "seven"}, "Enter a whole number from 0 to 10."),
        ({"anxiety_min": "9", "anxiety_max": "3"}, "must not exceed the highest"),
        ({"contraindications": ["skydiving"]}, "Choose from the listed features."),
        ({"tags": "calm, <script>"}, "tags use letters, digits, spaces and dashes"),
        ({"language": "english please"}, "Use a language code"),
        ({"primary_asset_id": "999999"}, "No uploaded media has that id."),
        ({"primary_asset_id": "abc"}, "No uploaded media has that id."),
        ({"transcript": "x" * 200_001}, "at most 200,000 characters"),
    ],
)
def test_bad_details_are_shown_beside_the_field_and_nothing_is_created(
    as_coordinator: Client, change: dict[str, Any], message: str
) -> None:
    response = as_coordinator.submit("/library/sessions/new", {**FORM, **change})
    assert response.status_code == 422
    text = text_of(response)
    assert "There is a problem" in text
    assert message in text
    assert 'class="field-error"' in text
    assert counts(as_coordinator)[1:] == (0, 0)


def test_every_problem_is_reported_at_once(as_coordinator: Client) -> None:
    form = {**FORM, "title": "", "anxiety_min": "12", "tags": "<b>", "description": "d" * 5_001}
    response = as_coordinator.submit("/library/sessions/new", form)
    text = text_of(response)
    assert '<a href="#title">Title: Enter a title.</a>' in text
    assert '<a href="#description">Description: Use at most 5,000 characters.</a>' in text
    assert '<a href="#anxiety_min">Lowest suitable anxiety: Enter a whole number' in text
    assert '<a href="#tags">Tags: “<b>”: tags use letters' in text
    assert 'id="tags" name="tags" type="text" value="&lt;b&gt;"' in response.text


def test_a_session_may_be_created_before_its_media(as_coordinator: Client) -> None:
    page = text_of(as_coordinator.get("/library/sessions/new"))
    assert "No media chosen." in page
    assert 'name="primary_asset_id"' not in page
    assert as_coordinator.submit("/library/sessions/new", FORM).status_code == 303
    assert counts(as_coordinator)[1] == 1


# --- editing, publishing, archiving -------------------------------------------------------------


def test_the_edit_form_shows_the_session_and_a_preview(
    as_coordinator: Client, session: int, asset: int
) -> None:
    page = text_of(as_coordinator.get(f"/library/sessions/{session}/edit"))
    assert 'id="title" name="title" type="text" value="Six breaths a minute"' in page
    assert '<option value="breathing" selected>' in page
    assert 'value="breath_hold" checked' in page
    assert 'value="calm, exhale"' in page
    assert 'id="anxiety_min" name="anxiety_min" type="number"' in page
    assert f'src="/media/{asset}"' in page
    assert f'action="/library/sessions/{session}/media" enctype="multipart/form-data"' in page
    # Publish sends the edit form's fields with it (saved, then published).
    assert f'action="/library/sessions/{session}/edit" class="form" id="session-form"' in page
    assert (
        '<button type="submit" class="button" form="session-form" name="then" value="publish">'
        "Save and publish</button>"
    ) in page
    assert f'action="/library/sessions/{session}/publish"' not in page
    assert '<script src="/static/js/unsaved.js" defer></script>' in page


def test_a_coordinator_edits_every_field(as_coordinator: Client, session: int) -> None:
    response = as_coordinator.submit(f"/library/sessions/{session}/edit", FORM)
    assert response.status_code == 303
    assert response.headers["location"] == f"/library/sessions/{session}/edit"
    after = stored_session(as_coordinator, session)
    assert (after.title, after.kind.value, after.posture.value) == (
        "Longer exhale",
        "breathing",
        "lying",
    )
    assert (after.guidance.value, after.instructor) == ("silent", "Sam Rivera")
    assert (after.anxiety_min, after.anxiety_max) == (4, 8)
    assert after.contraindications == ["breath_hold", "long_silence"]
    assert "session_updated" in audit_actions(as_coordinator)
    page = text_of(as_coordinator.get(response.headers["location"]))
    assert "Your changes were saved." in page
    assert 'value="exhale, sleep"' in page


def test_unticking_every_box_clears_the_contraindications(
    as_coordinator: Client, session: int
) -> None:
    form = {key: value for key, value in FORM.items() if key != "contraindications"}
    assert as_coordinator.submit(f"/library/sessions/{session}/edit", form).status_code == 303
    assert stored_session(as_coordinator, session).contraindications == []


def test_a_bad_edit_keeps_what_was_typed_and_changes_nothing(
    as_coordinator: Client, session: int
) -> None:
    form = {**FORM, "title": "Kept while fixing", "anxiety_max": "15"}
    response = as_coordinator.submit(f"/library/sessions/{session}/edit", form)
    assert response.status_code == 422
    text = text_of(response)
    assert 'value="Kept while fixing"' in text
    assert (
        '<p class="field-error" id="anxiety_max-error"><span class="visually-hidden">Error: '
        "</span>Enter a whole number from 0 to 10.</p>"
    ) in text
    assert stored_session(as_coordinator, session).title == "Six breaths a minute"


def test_publishing_then_archiving_from_the_pages(as_coordinator: Client, session: int) -> None:
    asked = as_coordinator.submit(f"/library/sessions/{session}/publish")
    assert asked.status_code == 200  # no therapist reviewed it: the coordinator confirms first
    assert stored_session(as_coordinator, session).status is Status.DRAFT
    assert "Publish without a therapist's approval?" in text_of(asked)
    published = as_coordinator.submit(
        f"/library/sessions/{session}/publish", {"confirm": "not_reviewed"}
    )
    assert published.status_code == 303
    assert published.headers["location"] == f"/sessions/{session}"
    assert stored_session(as_coordinator, session).status is Status.PUBLISHED
    assert "is published: patients can find it now." in text_of(
        as_coordinator.get(published.headers["location"])
    )
    archived = as_coordinator.submit(f"/library/sessions/{session}/archive")
    assert archived.status_code == 303
    assert stored_session(as_coordinator, session).status is Status.ARCHIVED
    assert {"session_published", "session_archived"} <= set(audit_actions(as_coordinator))


def test_publish_on_the_edit_page_saves_the_edits_then_publishes(
    as_coordinator: Client, session: int
) -> None:
    form = {**FORM, "title": "Edited just before publishing", "then": "publish"}
    asked = as_coordinator.submit(f"/library/sessions/{session}/edit", form)
    assert asked.status_code == 200  # not reviewed: confirmed first, and nothing saved yet
    assert stored_session(as_coordinator, session).title == "Six breaths a minute"
    assert 'value="Edited just before publishing"' in text_of(asked)
    form["confirm"] = "not_reviewed"
    response = as_coordinator.submit(f"/library/sessions/{session}/edit", form)
    assert response.status_code == 303
    assert response.headers["location"] == f"/sessions/{session}"
    after = stored_session(as_coordinator, session)
    assert (after.title, after.status) == ("Edited just before publishing", Status.PUBLISHED)
    assert after.anxiety_max == 8
    assert {"session_updated", "session_published"} <= set(audit_actions(as_coordinator))
    page = text_of(as_coordinator.get(response.headers["location"]))
    assert "“Edited just before publishing” is published: patients can find it now." in page


def test_publish_with_a_bad_edit_neither_saves_nor_publishes(
    as_coordinator: Client, session: int
) -> None:
    form = {**FORM, "title": "Kept while fixing", "anxiety_max": "15", "then": "publish"}
    response = as_coordinator.submit(f"/library/sessions/{session}/edit", form)
    assert response.status_code == 422
    after = stored_session(as_coordinator, session)
    assert (after.title, after.status) == ("Six breaths a minute", Status.DRAFT)
    text = text_of(response)
    assert 'value="Kept while fixing"' in text
    assert "Enter a whole number from 0 to 10." in text


def test_publish_without_media_keeps_the_edits_on_screen_and_stores_nothing(
    as_coordinator: Client,
) -> None:
    bare = create(as_coordinator, None)
    form = {**FORM, "title": "Not yet", "then": "publish"}
    response = as_coordinator.submit(f"/library/sessions/{bare}/edit", form)
    assert response.status_code == 422
    after = stored_session(as_coordinator, bare)
    assert (after.title, after.status) == ("Six breaths a minute", Status.DRAFT)
    text = text_of(response)
    assert '<a href="#status">Status: Attach a media file before publishing.</a>' in text
    assert 'value="Not yet"' in text
    assert "session_updated" not in audit_actions(as_coordinator)


def test_publishing_without_media_is_refused_on_the_edit_page(as_coordinator: Client) -> None:
    bare = create(as_coordinator, None)
    response = as_coordinator.submit(f"/library/sessions/{bare}/publish")
    assert response.status_code == 422
    assert "Attach a media file before publishing." in text_of(response)
    assert stored_session(as_coordinator, bare).status is Status.DRAFT


def test_publishing_a_published_session_again_changes_nothing(
    as_coordinator: Client, asset: int
) -> None:
    session = publish(as_coordinator, asset)
    before = stored_session(as_coordinator, session).published_at
    assert as_coordinator.submit(f"/library/sessions/{session}/publish").status_code == 303
    assert stored_session(as_coordinator, session).published_at == before


# --- replacing media ----------------------------------------------------------------------------


def test_replacing_media_without_javascript_makes_the_new_file_primary(
    as_coordinator: Client, session: int, asset: int, tmp_path: Path
) -> None:
    longer = make_wav(tmp_path, seconds=9.0, name="longer.wav")
    response = post_file(as_coordinator, f"/library/sessions/{session}/media", longer)
    assert response.status_code == 303
    assert response.headers["location"] == f"/library/sessions/{session}/edit"
    after = stored_session(as_coordinator, session)
    new_asset = after.primary_asset_id  # type: ignore[attr-defined]
    assert new_asset != asset
    assert after.duration_seconds == pytest.approx(9.0, abs=0.05)
    assert after.title == "Six breaths a minute"
    page = text_of(as_coordinator.get(response.headers["location"]))
    assert "The new media file now plays for this session." in page
    assert f'src="/media/{new_asset}"' in page


def test_a_shorter_replacement_names_the_transcript_stamps_it_leaves_behind(
    as_coordinator: Client, session: int, tmp_path: Path
) -> None:
    timed = "[0:00] Breathe in.\n\n[0:03] And out, slowly."
    as_coordinator.run(lambda: PracticeSession.filter(id=session).update(transcript=timed))
    shorter = make_wav(tmp_path, seconds=2.0, name="shorter.wav")

    response = post_file(as_coordinator, f"/library/sessions/{session}/media", shorter)

    assert response.status_code == 303
    after = stored_session(as_coordinator, session)
    assert after.duration_seconds == pytest.approx(2.0, abs=0.05)
    assert after.transcript == timed  # kept, to correct
    page = text_of(as_coordinator.get(response.headers["location"]))
    assert "The new media file now plays for this session." in page
    assert (
        "Check the transcript's time stamps: [0:03] comes after the end of the recording (0:02)."
        in page
    )


def test_a_refused_replacement_keeps_the_old_media(
    as_coordinator: Client, session: int, asset: int, tmp_path: Path, settings: Settings
) -> None:
    files_before = stored_files(settings)
    text = write_bytes(tmp_path, "notes.wav", b"not audio at all\n" * 50)
    response = post_file(as_coordinator, f"/library/sessions/{session}/media", text)
    assert response.status_code == 415
    page = text_of(response)
    assert '<a href="#file">Media file: ' in page
    assert "not audio or video" in page
    assert stored_session(as_coordinator, session).primary_asset_id == asset  # type: ignore[attr-defined]
    assert stored_files(settings) == files_before


# --- error summaries ------------------------------------------------------------------------------


def summary_links(response: Any) -> list[str]:
    summary = text_of(response).split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'<a href="#([a-z_]+)">', summary)


BAD_EVERYWHERE = {
    **FORM,
    "title": " ",
    "kind": "",
    "language": "not a language!",
    "anxiety_min": "eleven",
    "contraindications": ["bogus"],
    "tags": "fine, <b>not fine</b>",
}
IN_FIELD_ORDER = ["title", "kind", "language", "anxiety_min", "contraindications", "tags"]


def test_the_new_session_form_lists_its_errors_in_field_order(as_coordinator: Client) -> None:
    response = as_coordinator.submit("/library/sessions/new", BAD_EVERYWHERE)
    assert response.status_code == 422
    assert counts(as_coordinator)[1] == 0
    assert summary_links(response) == IN_FIELD_ORDER


def test_the_edit_form_lists_its_errors_in_field_order(
    as_coordinator: Client, session: int
) -> None:
    response = as_coordinator.submit(f"/library/sessions/{session}/edit", BAD_EVERYWHERE)
    assert response.status_code == 422
    assert stored_session(as_coordinator, session).title == "Six breaths a minute"
    assert summary_links(response) == IN_FIELD_ORDER
