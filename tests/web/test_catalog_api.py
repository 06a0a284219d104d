"""The catalog JSON API: uploads, sessions, publishing, search, and who may do what."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PERSONAS, Client
from tests.media_fixtures import make_flac, make_mp3, make_raw_wav, make_wav, truncate, write_bytes
from wellness.accounts.models import User
from wellness.catalog.models import MediaAsset, PracticeSession, SessionTag
from wellness.settings import Settings


def upload(
    client: Client, path: Path, *, name: str | None = None, content_type: str = "audio/mpeg"
) -> Any:
    with path.open("rb") as handle:
        return client.post(
            "/api/v1/media", files={"file": (name or path.name, handle, content_type)}
        )


def counts(client: Client) -> tuple[int, int, int]:
    async def count() -> tuple[int, int, int]:
        return (
            await MediaAsset.all().count(),
            await PracticeSession.all().count(),
            await SessionTag.all().count(),
        )

    return client.run(count)


def stored_files(settings: Settings) -> list[str]:
    return sorted(path.name for path in settings.media_dir.rglob("*") if path.is_file())


@pytest.fixture
def asset_id(as_coordinator: Client, tmp_path: Path) -> int:
    response = upload(as_coordinator, make_wav(tmp_path, seconds=4.0, title="Slow breathing"))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


SESSION = {
    "title": "Six breaths a minute",
    "kind": "breathing",
    "description": "A gentle, paced breathing practice with a longer exhale.",
    "instructor": "Mira Okafor",
    "posture": "seated",
    "guidance": "guided",
    "transcript": "Breathe in for four counts, and out for six.",
    "anxiety_min": 5,
    "anxiety_max": 10,
    "contraindications": ["breath_hold"],
    "tags": ["Exhale", " calm ", "exhale"],
}


def create(client: Client, asset: int | None, **overrides: Any) -> Any:
    return client.post("/api/v1/sessions", json={**SESSION, "primary_asset_id": asset, **overrides})


def test_a_coordinator_uploads_media_and_gets_its_metadata(
    as_coordinator: Client, settings: Settings, tmp_path: Path
) -> None:
    path = make_wav(tmp_path, seconds=4.0, channels=2, title="Slow breathing")
    response = upload(
        as_coordinator, path, name="../../etc/passwd\x00\u202eevil.wav", content_type="text/html"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["container"] == "wav"
    assert body["mime_type"] == "audio/wav"
    assert body["channels"] == 2
    assert body["duration_seconds"] == pytest.approx(4.0, abs=0.05)
    assert body["title"] == "Slow breathing"
    kept_name = body["original_filename"]
    assert kept_name.endswith("evil.wav")
    assert not {"/", "\\", "\x00", "\u202e"} & set(kept_name)
    assert body["media_url"] == f"/media/{body['id']}"
    assert stored_files(settings) == [f"{body['sha256']}.wav"]


def test_uploading_the_same_bytes_twice_reuses_the_asset(
    as_coordinator: Client, settings: Settings, tmp_path: Path
) -> None:
    path = make_flac(tmp_path)
    first = upload(as_coordinator, path)
    second = upload(as_coordinator, path, name="copy.flac")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert second.json()["already_stored"] is True
    assert counts(as_coordinator)[0] == 1
    assert len(stored_files(settings)) == 1


@pytest.mark.parametrize(
    ("make", "status", "code"),
    [
        (lambda d: write_bytes(d, "empty.mp3", b""), 422, "empty"),
        (
            lambda d: write_bytes(d, "notes.mp3", b"just some text, not audio\n" * 20),
            415,
            "not_media",
        ),
        (
            lambda d: write_bytes(
                d, "page.mp3", b"<!doctype html><html><script>alert(1)</script></html>"
            ),
            415,
            "not_media",
        ),
        (lambda d: truncate(make_wav(d, seconds=4.0), 0.5), 422, "truncated"),
        (lambda d: truncate(make_mp3(d, seconds=4.0), 0.5), 422, "truncated"),
        (lambda d: make_raw_wav(d, format_tag=0x9999), 415, "unsupported_codec"),
        (lambda d: make_raw_wav(d, channels=0), 422, "unparseable"),
    ],
)
def test_a_rejected_upload_names_the_reason_and_leaves_nothing_behind(
    as_coordinator: Client, settings: Settings, tmp_path: Path, make: Any, status: int, code: str
) -> None:
    response = upload(as_coordinator, make(tmp_path))
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert counts(as_coordinator) == (0, 0, 0)
    assert stored_files(settings) == []


@pytest.mark.parametrize("second_name", ["tone.mp3", "other.mp3"])
def test_two_files_in_one_upload_are_refused_and_leave_nothing(
    as_coordinator: Client, settings: Settings, tmp_path: Path, second_name: str
) -> None:
    """Two parts with the same file name were once joined into one stored file."""
    audio = make_mp3(tmp_path, seconds=2.0).read_bytes()
    files = [
        ("file", ("tone.mp3", audio, "audio/mpeg")),
        ("file", (second_name, b"<html><script>alert(1)</script></html>", "audio/mpeg")),
    ]

    response = as_coordinator.post("/api/v1/media", files=files)

    assert response.status_code == 400
    assert response.json()["detail"] == "Send one file per upload."
    assert counts(as_coordinator) == (0, 0, 0)
    assert stored_files(settings) == []


def test_an_upload_without_a_file_field_is_refused(
    as_coordinator: Client, settings: Settings
) -> None:
    response = as_coordinator.post(
        "/api/v1/media", files={"other": ("x.mp3", b"abc", "audio/mpeg")}
    )
    assert response.status_code == 400
    assert "field 'file'" in response.json()["detail"]
    not_multipart = as_coordinator.post(
        "/api/v1/media", content=b"raw", headers={"content-type": "audio/mpeg"}
    )
    assert not_multipart.status_code == 415
    assert stored_files(settings) == []


@pytest.mark.parametrize("outsider", ["patient", "therapist", "admin"])
def test_only_coordinators_upload(
    client: Client, personas: dict[str, User], settings: Settings, tmp_path: Path, outsider: str
) -> None:
    client.login_as(PERSONAS[outsider])
    response = upload(client, make_wav(tmp_path))
    assert response.status_code == 403
    assert counts(client) == (0, 0, 0)
    assert stored_files(settings) == []


def test_anonymous_uploads_are_refused(client: Client, settings: Settings, tmp_path: Path) -> None:
    assert upload(client, make_wav(tmp_path)).status_code == 401
    assert stored_files(settings) == []


def test_a_coordinator_creates_a_draft_session(as_coordinator: Client, asset_id: int) -> None:
    response = create(as_coordinator, asset_id)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "draft"
    assert body["tags"] == ["calm", "exhale"]
    assert body["media_url"] == f"/media/{asset_id}"
    assert body["duration_seconds"] == pytest.approx(4.0, abs=0.05)
    assert body["contraindications"] == ["breath_hold"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "   "}, "title"),
        ({"kind": "karaoke"}, "kind"),
        ({"anxiety_min": 11}, "anxiety_min"),
        ({"anxiety_min": 8, "anxiety_max": 3}, "anxiety_min"),
        ({"contraindications": ["skydiving"]}, "contraindications"),
        ({"tags": ["<script>"]}, "tags"),
        ({"status": "published"}, "status"),
        ({"created_by_id": 1}, "created_by_id"),
        ({"primary_asset_id": 999999}, "primary_asset_id"),
        ({"language": "english please"}, "language"),
    ],
)
def test_bad_session_fields_are_a_4xx_naming_the_field_and_create_nothing(
    as_coordinator: Client, asset_id: int, change: dict[str, Any], field: str
) -> None:
    response = create(as_coordinator, asset_id, **change)
    assert response.status_code in {400, 422}
    assert field in response.text
    assert counts(as_coordinator)[1:] == (0, 0)


def test_publishing_needs_media_and_follows_the_lifecycle(
    as_coordinator: Client, asset_id: int
) -> None:
    bare = create(as_coordinator, None).json()
    refused = as_coordinator.post(f"/api/v1/sessions/{bare['id']}/publish")
    assert refused.status_code == 422
    assert "Attach a media file" in refused.json()["detail"]
    session = create(as_coordinator, asset_id).json()
    published = as_coordinator.post(f"/api/v1/sessions/{session['id']}/publish")
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert published.json()["published_at"] is not None
    archived = as_coordinator.post(f"/api/v1/sessions/{session['id']}/archive")
    assert archived.json()["status"] == "archived"


def test_a_coordinator_edits_a_session_partially(as_coordinator: Client, asset_id: int) -> None:
    session = create(as_coordinator, asset_id).json()
    response = as_coordinator.patch(
        f"/api/v1/sessions/{session['id']}", json={"title": "Longer exhale", "tags": ["sleep"]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Longer exhale"
    assert body["tags"] == ["sleep"]
    assert body["description"] == SESSION["description"]
    assert body["anxiety_min"] == 5


def test_catalog_writes_honour_the_idempotency_key(as_coordinator: Client, asset_id: int) -> None:
    key = {"Idempotency-Key": "new-session-1"}
    first = as_coordinator.post("/api/v1/sessions", json={**SESSION, "title": "Once"}, headers=key)
    retried = as_coordinator.post(
        "/api/v1/sessions", json={**SESSION, "title": "Once"}, headers=key
    )
    other = as_coordinator.post("/api/v1/sessions", json={**SESSION, "title": "Twice"}, headers=key)
    assert (first.status_code, retried.status_code, other.status_code) == (201, 201, 422)
    assert retried.headers["idempotent-replayed"] == "true"
    assert retried.json() == first.json()
    assert counts(as_coordinator)[1] == 1  # the retry made no second draft
    url = f"/api/v1/sessions/{first.json()['id']}"
    edit = {"Idempotency-Key": "edit-1"}
    renamed = as_coordinator.patch(url, json={"title": "Renamed"}, headers=edit)
    as_coordinator.patch(url, json={"title": "Renamed again"})
    replayed = as_coordinator.patch(url, json={"title": "Renamed"}, headers=edit)
    assert replayed.json() == renamed.json()
    assert replayed.headers["idempotent-replayed"] == "true"
    assert as_coordinator.get(url).json()["title"] == "Renamed again"  # the replay wrote nothing
    as_coordinator.patch(url, json={"primary_asset_id": asset_id})
    publish = {"Idempotency-Key": "publish-1"}
    published = as_coordinator.post(f"{url}/publish", headers=publish)
    as_coordinator.post(f"{url}/archive")
    republished = as_coordinator.post(f"{url}/publish", headers=publish)
    assert published.status_code == republished.status_code == 200
    assert republished.headers["idempotent-replayed"] == "true"
    assert as_coordinator.get(url).json()["status"] == "archived"


@pytest.mark.parametrize(
    ("method", "path", "statuses", "shape"),
    [
        ("post", "/api/v1/sessions", {"201"}, "SessionDetail"),
        ("patch", "/api/v1/sessions/{session_id}", {"200"}, "SessionDetail"),
        ("post", "/api/v1/sessions/{session_id}/publish", {"200"}, "PublishedSession"),
        ("post", "/api/v1/sessions/{session_id}/archive", {"200"}, "SessionDetail"),
        ("post", "/api/v1/practice/{practice_id}/progress", {"200"}, "PracticeOut"),
        ("patch", "/api/v1/assignments/{assignment_id}", {"200"}, "AssignmentOut"),
        ("put", "/api/v1/patients/{patient_id}/contraindications", {"200"}, "ContraindicationsOut"),
        ("post", "/api/v1/patients/{patient_id}/overrides", {"200", "201"}, "OverrideOut"),
        ("delete", "/api/v1/patients/{patient_id}/overrides/{session_id}", {"200"}, "OverrideOut"),
        ("post", "/api/v1/alerts/{alert_id}/acknowledge", {"200"}, "AlertOut"),
        ("post", "/api/v1/sessions/{session_id}/reviews", {"201"}, "ReviewOut"),
    ],
)
def test_openapi_documents_what_each_replayable_write_answers(
    client: Client, method: str, path: str, statuses: set[str], shape: str
) -> None:
    """These writes answer encoded bytes (a replay must answer the same bytes), so their
    schemas are declared by hand; each must name its Struct, not `string`."""
    responses = client.get("/schema/openapi.json").json()["paths"][path][method]["responses"]

    successes = {status for status in responses if status.startswith("2")}
    assert successes == statuses
    for status in statuses:
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": f"#/components/schemas/{shape}"}


def publish_session(client: Client, asset: int, **overrides: Any) -> int:
    session = create(client, asset, **overrides).json()
    assert client.post(f"/api/v1/sessions/{session['id']}/publish").status_code == 200
    return int(session["id"])


def test_patients_see_published_sessions_only(
    client: Client, personas: dict[str, User], tmp_path: Path
) -> None:
    client.login_as(PERSONAS["coordinator"])
    asset = upload(client, make_wav(tmp_path)).json()["id"]
    published = publish_session(client, asset)
    draft = create(client, asset, title="Draft body scan").json()["id"]
    archived = publish_session(client, asset, title="Old grounding")
    client.post(f"/api/v1/sessions/{archived}/archive")
    coordinator_view = {item["id"] for item in client.get("/api/v1/sessions").json()["items"]}
    assert coordinator_view == {published, draft, archived}
    client.login_as(PERSONAS["patient"])
    listing = client.get("/api/v1/sessions").json()
    assert [item["id"] for item in listing["items"]] == [published]
    assert listing["total"] == 1
    assert client.get(f"/api/v1/sessions/{published}").status_code == 200
    for hidden in (draft, archived):
        assert client.get(f"/api/v1/sessions/{hidden}").status_code == 404
    assert client.get("/api/v1/sessions", params={"status": "draft"}).json()["items"] == [
        listing["items"][0]
    ]


@pytest.mark.parametrize("outsider", ["patient", "therapist", "admin"])
def test_only_coordinators_change_sessions(
    client: Client, personas: dict[str, User], tmp_path: Path, outsider: str
) -> None:
    client.login_as(PERSONAS["coordinator"])
    asset = upload(client, make_wav(tmp_path)).json()["id"]
    session = create(client, asset).json()["id"]
    client.login_as(PERSONAS[outsider])
    assert client.post("/api/v1/sessions", json={**SESSION}).status_code == 403
    assert client.patch(f"/api/v1/sessions/{session}", json={"title": "Hacked"}).status_code == 403
    assert client.post(f"/api/v1/sessions/{session}/publish").status_code == 403
    assert client.post(f"/api/v1/sessions/{session}/archive").status_code == 403
    client.login_as(PERSONAS["coordinator"])
    after = client.get(f"/api/v1/sessions/{session}").json()
    assert (after["title"], after["status"]) == (SESSION["title"], "draft")
    assert counts(client)[1] == 1


def test_search_ranks_by_relevance_and_filters(
    client: Client, personas: dict[str, User], tmp_path: Path
) -> None:
    client.login_as(PERSONAS["coordinator"])
    asset = upload(client, make_wav(tmp_path)).json()["id"]
    title_hit = publish_session(
        client, asset, title="Evening body scan", kind="body_scan", transcript=""
    )
    transcript_hit = publish_session(
        client, asset, title="Rest", kind="sleep", transcript="a slow body scan for sleep"
    )
    publish_session(
        client, asset, title="Box breathing", kind="breathing", transcript="in, hold, out"
    )
    client.login_as(PERSONAS["patient"])
    found = client.get("/api/v1/sessions", params={"q": "body scan"}).json()
    assert [item["id"] for item in found["items"]] == [title_hit, transcript_hit]
    prefix = client.get("/api/v1/sessions", params={"q": "hol"}).json()
    assert [item["title"] for item in prefix["items"]] == ["Box breathing"]
    by_kind = client.get("/api/v1/sessions", params={"kind": "sleep"}).json()
    assert [item["id"] for item in by_kind["items"]] == [transcript_hit]
    assert client.get("/api/v1/sessions", params={"max_minutes": 1}).json()["total"] == 3
    assert client.get("/api/v1/sessions", params={"tag": "calm"}).json()["total"] == 3
    assert client.get("/api/v1/sessions", params={"q": "\"'*) OR 1=1 --"}).status_code == 200


def test_the_catalog_is_paginated(
    client: Client, personas: dict[str, User], tmp_path: Path
) -> None:
    client.login_as(PERSONAS["coordinator"])
    asset = upload(client, make_wav(tmp_path)).json()["id"]
    for number in range(5):
        publish_session(client, asset, title=f"Session {number}")
    first = client.get("/api/v1/sessions", params={"per_page": 2}).json()
    last = client.get("/api/v1/sessions", params={"per_page": 2, "page": 3}).json()
    assert (first["pages"], first["total"], len(first["items"])) == (3, 5, 2)
    assert len(last["items"]) == 1
    assert client.get("/api/v1/sessions", params={"page": 0}).status_code == 422
    assert client.get("/api/v1/sessions", params={"kind": "karaoke"}).status_code in {400, 422}


# NUL and other control characters in one-line text become spaces or are refused as the field's
# problem: PostgreSQL stores no NUL in text (a 500 there), and a line break breaks a title.
CONTROL = ["\x00", "\n", "\r", "\x1b", "\u2028", "\x7f"]


def stored_titles(client: Client) -> list[str]:
    async def read() -> list[str]:
        return [row.title for row in await PracticeSession.all()]

    return client.run(read)


@pytest.mark.parametrize("control", CONTROL)
def test_a_session_title_and_instructor_keep_their_words_not_the_control_character(
    as_coordinator: Client, asset_id: int, control: str
) -> None:
    body: dict[str, Any] = {
        **SESSION,
        "primary_asset_id": asset_id,
        "title": f"Slow{control}breathing",
        "instructor": f"Mara{control}Lind",
    }

    response = as_coordinator.post("/api/v1/sessions", json=body)

    assert response.status_code == 201, response.text
    assert response.json()["title"] == "Slow breathing"
    assert response.json()["instructor"] == "Mara Lind"
    assert stored_titles(as_coordinator) == ["Slow breathing"]


def test_a_session_title_cannot_be_made_to_read_reversed(
    as_coordinator: Client, asset_id: int
) -> None:
    body = {**SESSION, "primary_asset_id": asset_id, "title": "Slow \u202egnihtaerb\u202c"}

    response = as_coordinator.post("/api/v1/sessions", json=body)

    assert response.status_code == 201, response.text
    assert stored_titles(as_coordinator) == ["Slow gnihtaerb"]


def test_a_tag_keeps_its_words_not_the_control_character(
    as_coordinator: Client, asset_id: int
) -> None:
    body = {**SESSION, "primary_asset_id": asset_id, "tags": ["calm\x00", "slow\x00exhale"]}

    response = as_coordinator.post("/api/v1/sessions", json=body)

    assert response.status_code == 201, response.text
    assert response.json()["tags"] == ["calm", "slow exhale"]


@pytest.mark.parametrize("params", [{"q": "calm\x00"}, {"tag": "calm\x00"}])
@pytest.mark.parametrize("path", ["/api/v1/sessions", "/sessions"])
def test_searching_with_a_nul_finds_nothing_unusual(
    as_coordinator: Client, asset_id: int, params: dict[str, str], path: str
) -> None:
    response = as_coordinator.get(path, params=params)

    assert response.status_code == 200, response.text
