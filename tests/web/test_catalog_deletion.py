"""Coordinators delete what was never used: a draft never published that nothing refers to
(the edit page's "Delete this draft", `DELETE /api/v1/sessions/{id}`), and an upload no session
plays (the upload page's list, `DELETE /api/v1/media/{id}`). Everything else is refused with a
409 that says what to do instead, and nothing changes. Each test asserts the answer, then the
stored rows and files, then what people see."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.caseload_fixtures import person
from tests.cli.test_cli import run
from tests.conftest import (
    BASE_URL,
    PERSONAS,
    TEST_NOW,
    Client,
    _on_postgres,
    create_personas,
    text_of,
)
from tests.media_fixtures import make_flac, png_bytes, with_tags
from tests.services.test_catalog_deletion import refer
from wellness.accounts.roles import Role
from wellness.app import create_app
from wellness.audit.models import AuditEvent
from wellness.catalog import removal
from wellness.catalog.ingest import ingest
from wellness.catalog.kinds import Status
from wellness.catalog.models import MediaAsset, PracticeSession, SessionTag
from wellness.catalog.storage import LocalMediaStore
from wellness.db import sqlite_path
from wellness.lib.clock import FixedClock
from wellness.settings import Settings

OUTSIDERS = ["patient", "other_patient", "therapist", "other_therapist", "admin"]
SESSION = {"title": "Mistaken breathing draft", "kind": "breathing", "tags": ["exhale"]}


def upload(client: Client, directory: Path, name: str, *, cover: bool = True) -> int:
    """A FLAC (with a cover picture) through the API, as the coordinator."""
    flac = make_flac(directory, seconds=2.0, name=name)
    if cover:
        with_tags(flac, container="flac", title=name.removesuffix(".flac"), cover=png_bytes(9, 9))
    response = client.post("/api/v1/media", files={"file": (name, flac.read_bytes(), "audio/flac")})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def create(client: Client, asset: int | None, **fields: Any) -> int:
    response = client.post(
        "/api/v1/sessions", json={**SESSION, "primary_asset_id": asset, **fields}
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


@pytest.fixture
def asset(as_coordinator: Client, tmp_path: Path) -> int:
    return upload(as_coordinator, tmp_path, "mistake.flac")


@pytest.fixture
def draft(as_coordinator: Client, asset: int) -> int:
    return create(as_coordinator, asset)


def files(settings: Settings) -> list[str]:
    """The stored files (recordings and covers), by name."""
    return sorted(path.name for path in settings.media_dir.glob("objects/*/*"))


def keys_of(client: Client, asset_id: int) -> list[str]:
    """The asset's stored files: its recording, then its cover picture if it has one."""

    async def read() -> list[str]:
        stored = await MediaAsset.get(id=asset_id)
        return [key for key in (stored.storage_key, stored.cover_key) if key]

    return client.run(read)


def state(client: Client, settings: Settings) -> dict[str, Any]:
    """Sessions, tags and media rows, and the stored files: what a refusal must leave alone."""

    async def read() -> dict[str, Any]:
        return {
            "sessions": sorted(await PracticeSession.all().values_list("id", "title", "status")),
            "tags": await SessionTag.all().count(),
            "assets": sorted(await MediaAsset.all().values_list("id", flat=True)),
        }

    return {**client.run(read), "files": files(settings)}


def audit_rows(client: Client, *actions: str) -> list[tuple[str, str, str, str]]:
    async def read() -> list[tuple[str, str, str, str]]:
        rows = await AuditEvent.filter(action__in=actions).order_by("id")
        return [(row.action, row.target_type, row.target_id, row.detail) for row in rows]

    return client.run(read)


def exists(client: Client, model: type[PracticeSession] | type[MediaAsset], row_id: int) -> bool:
    return client.run(lambda: model.filter(id=row_id).exists())


# --- deleting a draft -----------------------------------------------------------------------------


def test_an_unused_draft_is_deleted_through_the_api_and_its_media_kept(
    as_coordinator: Client, settings: Settings, asset: int, draft: int
) -> None:
    stored = files(settings)
    listed = as_coordinator.get("/api/v1/sessions", params={"q": "mistaken"}).json()
    assert [row["id"] for row in listed["items"]] == [draft]  # read once, so it is cached

    response = as_coordinator.delete(f"/api/v1/sessions/{draft}")

    assert response.status_code == 204
    assert response.content == b""
    assert not exists(as_coordinator, PracticeSession, draft)
    assert as_coordinator.run(lambda: SessionTag.all().count()) == 0
    assert exists(as_coordinator, MediaAsset, asset)
    assert files(settings) == stored
    assert audit_rows(as_coordinator, "session_deleted", "media_deleted") == [
        ("session_deleted", "session", str(draft), "")
    ]
    assert as_coordinator.get("/api/v1/sessions", params={"q": "mistaken"}).json()["items"] == []
    assert "Mistaken breathing draft" not in as_coordinator.get("/sessions").text
    assert as_coordinator.get(f"/api/v1/sessions/{draft}").status_code == 404


def test_a_draft_is_deleted_with_its_media_when_asked(
    as_coordinator: Client, settings: Settings, asset: int, draft: int
) -> None:
    keys = keys_of(as_coordinator, asset)
    assert len(keys) == 2  # the recording and its cover

    response = as_coordinator.delete(f"/api/v1/sessions/{draft}", params={"with_media": "true"})

    assert response.status_code == 204
    assert not exists(as_coordinator, PracticeSession, draft)
    assert not exists(as_coordinator, MediaAsset, asset)
    assert not set(keys) & set(files(settings))
    assert audit_rows(as_coordinator, "session_deleted", "media_deleted") == [
        ("session_deleted", "session", str(draft), ""),
        ("media_deleted", "media", str(asset), "with its session"),
    ]
    assert as_coordinator.get(f"/media/{asset}").status_code == 404


def test_the_edit_page_offers_to_delete_a_draft_and_its_unshared_media(
    as_coordinator: Client, draft: int
) -> None:
    page = as_coordinator.get(f"/library/sessions/{draft}/edit")

    assert page.status_code == 200
    text = text_of(page)
    assert "Delete this draft" in text
    assert f'action="/library/sessions/{draft}/delete"' in text
    assert 'name="delete_media"' in text
    assert "Also delete its media file, “mistake”. No other session uses it." in text


def test_a_draft_is_deleted_from_its_edit_page_with_its_media(
    as_coordinator: Client, settings: Settings, asset: int, draft: int
) -> None:
    keys = keys_of(as_coordinator, asset)

    response = as_coordinator.submit(f"/library/sessions/{draft}/delete", {"delete_media": "yes"})

    assert response.status_code == 303
    assert response.headers["location"] == "/sessions"
    assert not exists(as_coordinator, PracticeSession, draft)
    assert not exists(as_coordinator, MediaAsset, asset)
    assert not set(keys) & set(files(settings))
    assert [row[0] for row in audit_rows(as_coordinator, "session_deleted", "media_deleted")] == [
        "session_deleted",
        "media_deleted",
    ]
    library = text_of(as_coordinator.get("/sessions"))
    assert "“Mistaken breathing draft” and its media file were deleted." in library
    assert "Mistaken breathing draft" not in library.replace("“Mistaken breathing draft” and", "")


def test_a_draft_deleted_alone_leaves_its_media_among_the_unused_uploads(
    as_coordinator: Client, settings: Settings, asset: int, draft: int
) -> None:
    stored = files(settings)

    response = as_coordinator.submit(f"/library/sessions/{draft}/delete")

    assert response.status_code == 303
    assert not exists(as_coordinator, PracticeSession, draft)
    assert exists(as_coordinator, MediaAsset, asset)
    assert files(settings) == stored
    library = text_of(as_coordinator.get("/sessions"))
    assert "“Mistaken breathing draft” was deleted. Its media file is kept with the uploads" in (
        library
    )
    uploads = text_of(as_coordinator.get("/library/upload"))
    assert "Uploads no session uses" in uploads
    assert f'action="/library/media/{asset}/delete"' in uploads


def test_the_edit_page_keeps_media_another_session_plays(
    as_coordinator: Client, asset: int, draft: int
) -> None:
    create(as_coordinator, asset, title="Evening calm")

    text = text_of(as_coordinator.get(f"/library/sessions/{draft}/edit"))

    assert "Its media file stays: “Evening calm” uses it too." in text
    assert 'name="delete_media"' not in text


def test_a_draft_with_media_shared_meanwhile_is_refused_whole_on_its_page(
    as_coordinator: Client, settings: Settings, asset: int, draft: int
) -> None:
    create(as_coordinator, asset, title="Evening calm")  # after the edit page was shown
    before = state(as_coordinator, settings)

    response = as_coordinator.submit(f"/library/sessions/{draft}/delete", {"delete_media": "yes"})

    assert response.status_code == 409
    assert state(as_coordinator, settings) == before
    text = text_of(response)
    assert "Nothing was deleted: “Evening calm” uses this draft's media file too." in text
    assert '<details class="confirm-end" open>' in text
    assert audit_rows(as_coordinator, "session_deleted", "media_deleted") == []


def refuse_through_api_and_page(client: Client, settings: Settings, session: int) -> list[str]:
    """Ask to delete `session` both ways; both refused with a 409 and nothing changed; the
    messages (the API's, then the page's)."""
    before = state(client, settings)
    api = client.delete(f"/api/v1/sessions/{session}", params={"with_media": "true"})
    page = client.submit(f"/library/sessions/{session}/delete", {"delete_media": "yes"})
    assert (api.status_code, page.status_code) == (409, 409), (api.text, page.text[:300])
    assert state(client, settings) == before
    assert audit_rows(client, "session_deleted", "media_deleted") == []
    return [api.json()["detail"], text_of(page)]


@pytest.mark.parametrize("status", ["published", "archived"])
def test_a_published_or_archived_session_is_refused_with_a_409_saying_to_archive(
    as_coordinator: Client, settings: Settings, draft: int, status: str
) -> None:
    as_coordinator.post(f"/api/v1/sessions/{draft}/publish")
    if status == "archived":
        as_coordinator.post(f"/api/v1/sessions/{draft}/archive")

    api, page = refuse_through_api_and_page(as_coordinator, settings, draft)

    assert api.startswith("Only a draft that was never published can be deleted.")
    assert api in page
    body = as_coordinator.delete(f"/api/v1/sessions/{draft}").json()
    assert body["code"] == "session_published"
    if status == "published":
        assert "Archive it instead" in api
    else:
        assert "is archived" in api
    # The edit page of a session once published offers no deletion.
    assert "Delete this draft" not in as_coordinator.get(f"/library/sessions/{draft}/edit").text


@pytest.mark.parametrize("kind", ["practice", "assignment", "pin", "suggestion_list"])
def test_a_draft_something_refers_to_is_refused_and_kept(
    as_coordinator: Client, settings: Settings, draft: int, kind: str
) -> None:
    async def make() -> None:
        await refer(kind, draft, await person("ref.patient", Role.PATIENT))

    as_coordinator.run(make)

    api, page = refuse_through_api_and_page(as_coordinator, settings, draft)

    assert api.startswith("“Mistaken breathing draft” can't be deleted: 1 ")
    assert "Archive it instead" in api
    assert api in page
    assert as_coordinator.delete(f"/api/v1/sessions/{draft}").json()["code"] == "session_in_use"


# --- deleting an upload -----------------------------------------------------------------------


def test_an_unused_upload_is_listed_and_deleted_from_the_upload_page(
    as_coordinator: Client, settings: Settings, asset: int, tmp_path: Path
) -> None:
    used = upload(as_coordinator, tmp_path, "in-use.flac")  # the same cover picture
    create(as_coordinator, used, title="Uses a file")
    recording, cover = keys_of(as_coordinator, asset)
    assert cover in keys_of(as_coordinator, used)
    listing = text_of(as_coordinator.get("/library/upload"))
    assert f'action="/library/media/{asset}/delete"' in listing
    assert f'action="/library/media/{used}/delete"' not in listing

    response = as_coordinator.submit(f"/library/media/{asset}/delete")

    assert response.status_code == 303
    assert response.headers["location"] == "/library/upload#unused"
    assert not exists(as_coordinator, MediaAsset, asset)
    assert recording not in files(settings)
    assert set(keys_of(as_coordinator, used)) <= set(files(settings))  # the cover stays for it
    assert audit_rows(as_coordinator, "media_deleted") == [
        ("media_deleted", "media", str(asset), "")
    ]
    after = text_of(as_coordinator.get("/library/upload"))
    assert "“mistake” was deleted." in after
    assert "Every upload is in a session." in after


def test_an_upload_is_deleted_through_the_api(
    as_coordinator: Client, settings: Settings, asset: int
) -> None:
    keys = keys_of(as_coordinator, asset)

    response = as_coordinator.delete(f"/api/v1/media/{asset}")

    assert response.status_code == 204
    assert not exists(as_coordinator, MediaAsset, asset)
    assert not set(keys) & set(files(settings))
    assert as_coordinator.get(f"/api/v1/media/{asset}").status_code == 404


def test_the_new_session_page_offers_to_delete_an_upload_only_while_no_session_plays_it(
    as_coordinator: Client, asset: int
) -> None:
    offered = text_of(as_coordinator.get(f"/library/sessions/new?asset={asset}"))
    create(as_coordinator, asset)
    used = text_of(as_coordinator.get(f"/library/sessions/new?asset={asset}"))

    assert "Wrong file? Delete it" in offered
    assert f'action="/library/media/{asset}/delete"' in offered
    assert f'action="/library/media/{asset}/delete"' not in used


@pytest.mark.parametrize("status", list(Status))
def test_an_upload_a_session_plays_is_refused_naming_it_whatever_its_status(
    as_coordinator: Client, settings: Settings, asset: int, status: Status
) -> None:
    session = create(as_coordinator, asset, title="Evening calm")
    if status is not Status.DRAFT:
        as_coordinator.post(f"/api/v1/sessions/{session}/publish")
    if status is Status.ARCHIVED:
        as_coordinator.post(f"/api/v1/sessions/{session}/archive")
    before = state(as_coordinator, settings)

    api = as_coordinator.delete(f"/api/v1/media/{asset}")
    page = as_coordinator.submit(f"/library/media/{asset}/delete")

    assert (api.status_code, page.status_code) == (409, 409)
    assert state(as_coordinator, settings) == before
    assert api.json()["code"] == "media_in_use"
    message = "This media file can't be deleted: the session “Evening calm” uses it."
    assert api.json()["detail"].startswith(message)
    assert message in text_of(page)
    assert "Give it other media first" in text_of(page)
    assert "<title>Error: Upload media" in page.text
    assert f'<a href="/library/sessions/{session}/edit">Edit “Evening calm”</a>' in text_of(page)
    assert audit_rows(as_coordinator, "media_deleted") == []


# --- the files go only after the rows ---------------------------------------------------------


def committed_rows(database_url: str, sql: str) -> int:
    """What another connection sees: only what has been committed."""
    if database_url.startswith("sqlite"):
        with closing(sqlite3.connect(sqlite_path(database_url))) as connection:
            return int(connection.execute(sql).fetchone()[0])

    async def count(connection: Any) -> int:
        return int(await connection.fetchval(sql))

    return _on_postgres(database_url, count)


@pytest.mark.parametrize(("route", "key"), [("api", None), ("api", "retry-1"), ("page", None)])
def test_each_file_is_removed_only_once_its_rows_deletion_is_committed(
    as_coordinator: Client,
    settings: Settings,
    asset: int,
    draft: int,
    monkeypatch: pytest.MonkeyPatch,
    route: str,
    key: str | None,
) -> None:
    seen: list[tuple[str, int, int]] = []
    withdraw = LocalMediaStore.withdraw

    def watched(store: LocalMediaStore, stored_key: str) -> Path | None:
        url = settings.database_url
        # The ids are the test's own integers.
        rows = committed_rows(url, f"SELECT COUNT(*) FROM media_assets WHERE id = {asset:d}")  # noqa: S608
        draft_rows = committed_rows(
            url,
            f"SELECT COUNT(*) FROM practice_sessions WHERE id = {draft:d}",  # noqa: S608
        )
        seen.append((stored_key, rows, draft_rows))
        return withdraw(store, stored_key)

    monkeypatch.setattr(LocalMediaStore, "withdraw", watched)
    keys = keys_of(as_coordinator, asset)

    if route == "api":
        headers = {"idempotency-key": key} if key else {}
        url = f"/api/v1/sessions/{draft}"
        response = as_coordinator.delete(url, params={"with_media": "true"}, headers=headers)
        assert response.status_code == 204
    else:
        response = as_coordinator.submit(
            f"/library/sessions/{draft}/delete", {"delete_media": "yes"}
        )
        assert response.status_code == 303

    assert sorted(seen) == [(stored_key, 0, 0) for stored_key in sorted(keys)]
    assert not set(keys) & set(files(settings))


def test_the_same_recording_uploaded_while_its_deletion_finishes_stays_playable(
    as_coordinator: Client, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between the deletion's commit and the removal of its files, the same bytes arrive again
    (another coordinator, another worker): the new upload keeps its file and its cover."""
    first = upload(as_coordinator, tmp_path, "mistake.flac")
    data = (tmp_path / "mistake.flac").read_bytes()
    delete = removal.delete_unused_asset
    again: list[int] = []

    async def then_uploaded_again(asset_id: int) -> removal.Removed | None:
        removed = await delete(asset_id)
        store = LocalMediaStore(settings.media_dir)
        incoming = store.new_incoming()
        incoming.write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        ingested = await ingest(
            store,
            incoming,
            sha256=digest,
            original_filename="again.flac",
            uploader=None,
            now=TEST_NOW,
        )
        again.append(ingested.asset.id)
        return removed

    monkeypatch.setattr(removal, "delete_unused_asset", then_uploaded_again)

    response = as_coordinator.delete(f"/api/v1/media/{first}")

    assert response.status_code == 204
    [second] = again
    assert not exists(as_coordinator, MediaAsset, first)
    assert exists(as_coordinator, MediaAsset, second)
    assert set(keys_of(as_coordinator, second)) <= set(files(settings))
    played = as_coordinator.get(f"/media/{second}")
    assert played.status_code == 200
    assert played.content == data
    page = text_of(as_coordinator.get("/library/upload"))
    assert "could not be removed" not in page


def test_a_retried_deletion_answers_the_same_and_deletes_nothing_more(
    as_coordinator: Client, draft: int
) -> None:
    headers = {"idempotency-key": "delete-draft-1"}

    first = as_coordinator.delete(f"/api/v1/sessions/{draft}", headers=headers)
    again = as_coordinator.delete(f"/api/v1/sessions/{draft}", headers=headers)
    other_options = as_coordinator.delete(
        f"/api/v1/sessions/{draft}", params={"with_media": "true"}, headers=headers
    )
    fresh = as_coordinator.delete(f"/api/v1/sessions/{draft}")

    assert (first.status_code, again.status_code) == (204, 204)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == b""
    assert other_options.status_code == 422  # the same key for another request
    assert fresh.status_code == 404
    assert len(audit_rows(as_coordinator, "session_deleted")) == 1


@pytest.fixture
def failing_unlink(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Removing a stored media file fails (as on a read-only or broken disk): moving it out of
    its place, the first step; the paths tried."""
    objects = settings.media_dir / "objects"
    rename = Path.rename
    tried: list[Path] = []

    def failing(path: Path, target: Path) -> Path:
        if path.is_relative_to(objects):
            tried.append(path)
            raise PermissionError(13, "Permission denied", str(path))
        return rename(path, target)

    monkeypatch.setattr(Path, "rename", failing)
    return tried


def test_a_file_that_cannot_be_removed_leaves_no_row_and_the_page_says_so(
    as_coordinator: Client,
    settings: Settings,
    asset: int,
    failing_unlink: list[Path],
    caplog: pytest.LogCaptureFixture,
) -> None:
    keys = keys_of(as_coordinator, asset)

    response = as_coordinator.submit(f"/library/media/{asset}/delete")

    assert response.status_code == 303
    assert not exists(as_coordinator, MediaAsset, asset)
    assert sorted(path.name for path in failing_unlink) == sorted(keys)
    assert set(keys) <= set(files(settings))
    assert "could not remove the deleted media file" in caplog.text
    page = text_of(as_coordinator.get("/library/upload"))
    assert "“mistake” was deleted. Its file could not be removed from the server's disk" in page
    assert "wellness media check" in page


def test_a_file_left_by_a_failed_unlink_is_reported_by_media_check(
    settings: Settings, tmp_path: Path, failing_unlink: list[Path]
) -> None:
    with Client(create_app(settings, clock=FixedClock(TEST_NOW)), base_url=BASE_URL) as client:
        client.run(lambda: create_personas(TEST_NOW))
        client.login_as(PERSONAS["coordinator"])
        asset = upload(client, tmp_path, "mistake.flac")
        keys = keys_of(client, asset)

        response = client.delete(f"/api/v1/media/{asset}")

        assert response.status_code == 204
        assert not exists(client, MediaAsset, asset)
    assert set(keys) <= set(files(settings))
    environment = {
        "WELLNESS_DATA_DIR": str(settings.data_dir),
        "WELLNESS_DATABASE_URL": settings.database_url,
        "WELLNESS_MEDIA_DIR": str(settings.media_dir),
    }

    checked = run(environment, "media", "check")

    assert checked.exit_code == 0, checked.output  # an orphan is reported, not a failure
    assert "Every stored asset is intact." in checked.output
    for stored_key in keys:
        assert f"no asset refers to {stored_key}" in checked.output
    assert "2 file(s) no asset refers to" in checked.output
    assert set(keys) <= set(files(settings))  # the checker changes nothing


# --- who may -----------------------------------------------------------------------------------


def deletions(session: int, asset: int) -> list[tuple[str, str]]:
    return [
        ("DELETE", f"/api/v1/sessions/{session}?with_media=true"),
        ("DELETE", f"/api/v1/media/{asset}"),
        ("POST", f"/library/sessions/{session}/delete"),
        ("POST", f"/library/media/{asset}/delete"),
    ]


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_everyone_but_coordinators_is_refused_and_nothing_is_deleted(
    as_coordinator: Client,
    settings: Settings,
    asset: int,
    draft: int,
    tmp_path: Path,
    outsider: str,
) -> None:
    spare = upload(as_coordinator, tmp_path, "spare.flac", cover=False)
    before = state(as_coordinator, settings)
    as_coordinator.login_as(PERSONAS[outsider])
    client = as_coordinator

    for method, path in [*deletions(draft, asset), *deletions(draft, spare)]:
        if method == "POST":
            response = client.submit(path, {"delete_media": "yes"})
        else:
            response = client.delete(path, headers={"x-csrftoken": client.csrf_token()})
        assert response.status_code == 403, (method, path, response.status_code)
        assert "Mistaken breathing draft" not in response.text

    assert state(client, settings) == before
    assert audit_rows(client, "session_deleted", "media_deleted") == []
    assert len(audit_rows(client, "access_denied")) == 8


def test_anonymous_requests_are_refused_and_nothing_is_deleted(
    as_coordinator: Client, settings: Settings, asset: int, draft: int
) -> None:
    before = state(as_coordinator, settings)
    token = as_coordinator.csrf_token()
    as_coordinator.login_as(None)

    for method, path in deletions(draft, asset):
        response = as_coordinator.request(
            method,
            path,
            data={"_csrf_token": token} if method == "POST" else None,
            headers={"x-csrftoken": token},
            follow_redirects=False,
        )
        if path.startswith("/api/"):
            assert response.status_code == 401, path
        else:
            assert response.status_code in {303, 403}, path
            assert response.headers.get("location", "/login").startswith("/login")

    assert state(as_coordinator, settings) == before


def test_the_page_forms_need_their_csrf_token(
    as_coordinator: Client, settings: Settings, asset: int, draft: int
) -> None:
    before = state(as_coordinator, settings)

    for path in (f"/library/sessions/{draft}/delete", f"/library/media/{asset}/delete"):
        response = as_coordinator.post(path, data={"delete_media": "yes"}, follow_redirects=False)
        assert response.status_code == 403, path

    assert state(as_coordinator, settings) == before


def test_the_openapi_document_describes_both_deletions(client: Client) -> None:
    paths = client.get("/schema/openapi.json").json()["paths"]

    for path in ("/api/v1/sessions/{session_id}", "/api/v1/media/{asset_id}"):
        responses = paths[path]["delete"]["responses"]
        assert {"204", "401", "403", "404", "409", "422"} <= set(responses), path
        assert "content" not in responses["204"], path
    parameters = paths["/api/v1/sessions/{session_id}"]["delete"]["parameters"]
    assert {"name": "with_media", "in": "query"}.items() <= next(
        parameter for parameter in parameters if parameter["name"] == "with_media"
    ).items()
