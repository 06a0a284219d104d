"""Playing stored media: byte ranges, validators, HEAD, fixed headers, and who may fetch what."""

from __future__ import annotations

import hashlib
import io
import logging
import math
import os
import struct
import wave
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar

from tests.conftest import PERSONAS, Client
from wellness.accounts.models import User
from wellness.app import behind_media_fast_path
from wellness.catalog import services as catalog_services
from wellness.catalog.kinds import Kind, Status
from wellness.catalog.models import MediaAsset, PracticeSession
from wellness.catalog.storage import LocalMediaStore
from wellness.lib.http_ranges import http_date
from wellness.settings import Settings, SettingsError, load_settings
from wellness.web.media import MediaPlugin, QuietGrantedRanges, fast_path
from wellness.web.media.fast_path import ANSWERING_FROM_GRANT
from wellness.web.media.files import CHUNK, MediaChanged, OpenFiles, read_exact
from wellness.web.media.grants import GRANT_SECONDS, RENEW_AT, MediaGrants
from wellness.web.media.representation import MediaFile
from wellness.web.security import CONTENT_SECURITY_POLICY

UPLOADED_AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def wav_bytes(seconds: float, frequency: float, *, rate: int = 8000) -> bytes:
    """A mono 16-bit sine tone made with the standard library."""
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * frequency * n / rate)))
        for n in range(int(seconds * rate))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


def png_bytes() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + hashlib.sha256(b"cover").digest() * 4


@dataclass(frozen=True)
class Stored:
    asset_id: int
    data: bytes
    sha256: str
    path: Path

    @property
    def url(self) -> str:
        return f"/media/{self.asset_id}"

    @property
    def etag(self) -> str:
        return f'"{self.sha256}"'


@dataclass(frozen=True)
class Library:
    published: Stored
    draft: Stored
    archived: Stored
    orphan: Stored
    big: Stored
    mp3: Stored
    cover_key: str
    draft_cover_key: str
    orphan_cover_key: str


def store_asset(
    client: Client,
    store: LocalMediaStore,
    data: bytes,
    *,
    mime_type: str = "audio/wav",
    extension: str = "wav",
    status: Status | None = Status.PUBLISHED,
    cover: bytes | None = None,
    author: User | None = None,
) -> tuple[Stored, str | None]:
    sha256 = hashlib.sha256(data).hexdigest()
    store.put_bytes(data, f"{sha256}.{extension}")
    cover_sha = hashlib.sha256(cover).hexdigest() if cover is not None else None
    if cover is not None:
        store.put_bytes(cover, f"{cover_sha}.png")

    async def create() -> int:
        asset = await MediaAsset.create(
            sha256=sha256,
            size_bytes=len(data),
            container=extension,
            mime_type=mime_type,
            extension=extension,
            duration_seconds=len(data) / 16000,
            cover_sha256=cover_sha,
            cover_mime_type="image/png" if cover is not None else None,
            original_filename="<script>evil</script>.html",
            uploaded_at=UPLOADED_AT,
        )
        if status is not None:
            await PracticeSession.create(
                title=f"A {status.value} session",
                kind=Kind.MEDITATION,
                status=status,
                primary_asset=asset,
                created_by=author,
                created_at=UPLOADED_AT,
                updated_at=UPLOADED_AT,
            )
        return asset.id

    asset_id = client.run(create)
    path = store.local_path(f"{sha256}.{extension}")
    return Stored(asset_id, data, sha256, path), f"{cover_sha}.png" if cover_sha else None


@pytest.fixture
def library(client: Client, personas: dict[str, User], settings: Settings) -> Library:
    store = LocalMediaStore(settings.media_dir)
    author = personas["coordinator"]
    published, cover_key = store_asset(
        client, store, wav_bytes(1.5, 440), cover=png_bytes(), author=author
    )
    draft, draft_cover_key = store_asset(
        client, store, wav_bytes(1.0, 330), status=Status.DRAFT, cover=png_bytes() + b"draft"
    )
    archived, _ = store_asset(client, store, wav_bytes(1.0, 220), status=Status.ARCHIVED)
    orphan, orphan_cover_key = store_asset(
        client, store, wav_bytes(1.0, 550), status=None, cover=png_bytes() + b"orphan"
    )
    # Larger than one read on the event loop and than one chunk: exercises the streamed path.
    big, _ = store_asset(client, store, os.urandom(CHUNK * 2 + 12_345))
    mp3, _ = store_asset(
        client, store, b"\xff\xfb\x90\x00" * 1000, mime_type="audio/mpeg", extension="mp3"
    )
    assert cover_key
    assert draft_cover_key
    assert orphan_cover_key
    return Library(
        published, draft, archived, orphan, big, mp3, cover_key, draft_cover_key, orphan_cover_key
    )


def sign_in(client: Client, persona: str) -> Client:
    """Signed in, with every cookie a browser would hold, so the Cookie header stays the same."""
    client.login_as(PERSONAS[persona])
    client.csrf_token()
    return client


@pytest.fixture
def as_patient(client: Client, library: Library) -> Client:
    return sign_in(client, "patient")


@pytest.fixture
def as_coordinator(client: Client, library: Library) -> Client:
    return sign_in(client, "coordinator")


def reread(client: Client, asset_id: int) -> MediaAsset | None:
    async def load() -> MediaAsset | None:
        return await MediaAsset.get_or_none(id=asset_id)

    return client.run(load)


# --- whole bodies and fixed headers -----------------------------------------------------


def test_it_sends_the_whole_file_with_its_validators(as_patient: Client, library: Library) -> None:
    stored = library.published
    response = as_patient.get(stored.url)
    assert response.status_code == 200
    assert response.content == stored.data
    assert response.headers["content-length"] == str(len(stored.data))
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["etag"] == stored.etag
    assert response.headers["last-modified"] == http_date(UPLOADED_AT)
    assert response.headers["cache-control"] == "private, no-cache"
    assert "content-range" not in response.headers


def test_content_type_is_the_stored_one_and_never_sniffed(
    as_patient: Client, library: Library
) -> None:
    wav = as_patient.get(library.published.url + "?name=page.html")
    mp3 = as_patient.get(library.mp3.url, headers={"accept": "text/html"})
    assert wav.headers["content-type"] == "audio/wav"
    assert mp3.headers["content-type"] == "audio/mpeg"
    assert wav.headers["x-content-type-options"] == "nosniff"
    assert mp3.headers["x-content-type-options"] == "nosniff"


def test_content_disposition_is_a_server_made_name(as_patient: Client, library: Library) -> None:
    response = as_patient.get(library.mp3.url)
    expected = f'inline; filename="session-{library.mp3.asset_id}.mp3"'
    assert response.headers["content-disposition"] == expected
    assert "evil" not in response.headers["content-disposition"]


def test_security_headers_are_sent_with_media(as_patient: Client, library: Library) -> None:
    response = as_patient.get(library.published.url)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


# --- ranges -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=1000-1999", 1000, 1999),
        ("bytes=-500", -500, -1),
    ],
)
def test_a_single_range_is_answered_with_206(
    as_patient: Client, library: Library, header: str, first: int, last: int
) -> None:
    data = library.published.data
    size = len(data)
    start, end = first % size, last % size
    response = as_patient.get(library.published.url, headers={"range": header})
    assert response.status_code == 206
    assert response.content == data[start : end + 1]
    assert response.headers["content-range"] == f"bytes {start}-{end}/{size}"
    assert response.headers["content-length"] == str(end - start + 1)
    assert response.headers["content-type"] == "audio/wav"
    assert response.headers["etag"] == library.published.etag


def test_an_open_ended_range_runs_to_the_end(as_patient: Client, library: Library) -> None:
    data = library.published.data
    start = len(data) - 300
    response = as_patient.get(library.published.url, headers={"range": f"bytes={start}-"})
    assert response.status_code == 206
    assert response.content == data[start:]
    assert response.headers["content-range"] == f"bytes {start}-{len(data) - 1}/{len(data)}"


def test_a_range_past_the_end_is_cut_to_the_file(as_patient: Client, library: Library) -> None:
    data = library.published.data
    response = as_patient.get(
        library.published.url, headers={"range": f"bytes=10-{len(data) + 5000}"}
    )
    assert response.status_code == 206
    assert response.content == data[10:]


@pytest.mark.parametrize("header", ["bytes={size}-", "bytes={size}-{beyond}", "bytes=-0"])
def test_a_range_beyond_the_end_is_416_with_the_size(
    as_patient: Client, library: Library, header: str
) -> None:
    size = len(library.published.data)
    response = as_patient.get(
        library.published.url, headers={"range": header.format(size=size, beyond=size + 10)}
    )
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{size}"
    assert response.content == b""


@pytest.mark.parametrize(
    "header", ["bytes=abc", "bytes=20-10", "bytes=", "pages=0-10", "bytes=1-2-3", "bytes 0-10"]
)
def test_a_malformed_range_is_ignored_and_the_whole_file_sent(
    as_patient: Client, library: Library, header: str
) -> None:
    response = as_patient.get(library.published.url, headers={"range": header})
    assert response.status_code == 200
    assert response.content == library.published.data


def test_several_ranges_get_the_whole_file(as_patient: Client, library: Library) -> None:
    response = as_patient.get(library.published.url, headers={"range": "bytes=0-9,100-109"})
    assert response.status_code == 200
    assert response.content == library.published.data


def test_a_large_file_streams_whole_and_in_ranges(as_patient: Client, library: Library) -> None:
    data = library.big.data
    whole = as_patient.get(library.big.url)
    start = CHUNK - 7
    tail = as_patient.get(library.big.url, headers={"range": f"bytes={start}-"})
    assert whole.status_code == 200
    assert whole.content == data
    assert tail.status_code == 206
    assert tail.content == data[start:]


# --- validators -------------------------------------------------------------------------


def test_if_range_with_the_current_etag_gets_the_range(
    as_patient: Client, library: Library
) -> None:
    stored = library.published
    response = as_patient.get(stored.url, headers={"range": "bytes=0-9", "if-range": stored.etag})
    assert response.status_code == 206
    assert response.content == stored.data[:10]


def test_if_range_with_another_etag_gets_the_whole_file(
    as_patient: Client, library: Library
) -> None:
    stored = library.published
    response = as_patient.get(stored.url, headers={"range": "bytes=0-9", "if-range": '"stale"'})
    assert response.status_code == 200
    assert response.content == stored.data


def test_if_range_with_a_weak_etag_gets_the_whole_file(
    as_patient: Client, library: Library
) -> None:
    stored = library.published
    weak = f"W/{stored.etag}"
    response = as_patient.get(stored.url, headers={"range": "bytes=0-9", "if-range": weak})
    assert response.status_code == 200


def test_if_range_with_the_last_modified_date_gets_the_range(
    as_patient: Client, library: Library
) -> None:
    stored = library.published
    same = as_patient.get(
        stored.url, headers={"range": "bytes=5-9", "if-range": http_date(UPLOADED_AT)}
    )
    older = as_patient.get(
        stored.url,
        headers={"range": "bytes=5-9", "if-range": http_date(UPLOADED_AT - timedelta(days=1))},
    )
    assert same.status_code == 206
    assert same.content == stored.data[5:10]
    assert older.status_code == 200


@pytest.mark.parametrize("form", ["{etag}", "W/{etag}", '"other", {etag}', "*"])
def test_if_none_match_with_the_etag_is_304_without_a_body(
    as_patient: Client, library: Library, form: str
) -> None:
    stored = library.published
    response = as_patient.get(
        stored.url, headers={"if-none-match": form.format(etag=stored.etag), "range": "bytes=0-9"}
    )
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == stored.etag
    assert response.headers["cache-control"] == "private, no-cache"


def test_if_none_match_with_another_etag_sends_the_file(
    as_patient: Client, library: Library
) -> None:
    response = as_patient.get(library.published.url, headers={"if-none-match": '"other"'})
    assert response.status_code == 200
    assert response.content == library.published.data


# --- HEAD -------------------------------------------------------------------------------


def test_head_has_the_headers_of_get_and_no_body(as_patient: Client, library: Library) -> None:
    stored = library.published
    head = as_patient.head(stored.url)
    get = as_patient.get(stored.url)
    assert head.status_code == 200
    assert head.content == b""
    for name in ("content-length", "content-type", "etag", "last-modified", "accept-ranges"):
        assert head.headers[name] == get.headers[name], name
    assert head.headers["content-disposition"] == get.headers["content-disposition"]


def test_head_ignores_range_and_describes_the_whole_file(
    as_patient: Client, library: Library
) -> None:
    stored = library.published
    response = as_patient.head(stored.url, headers={"range": "bytes=0-9"})
    assert response.status_code == 200
    assert response.headers["content-length"] == str(len(stored.data))
    assert response.content == b""


def test_head_with_a_matching_etag_is_304(as_patient: Client, library: Library) -> None:
    stored = library.published
    response = as_patient.head(stored.url, headers={"if-none-match": stored.etag})
    assert response.status_code == 304


# --- who may fetch what -----------------------------------------------------------------


def test_anonymous_visitors_are_refused_with_401(client: Client, library: Library) -> None:
    client.login_as(None)
    for url in (library.published.url, f"/media/covers/{library.cover_key}"):
        response = client.get(url, follow_redirects=False)
        head = client.head(url, follow_redirects=False)
        assert response.status_code == 401, url
        assert head.status_code == 401, url
        assert response.content != library.published.data
        assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("which", ["draft", "archived", "orphan"])
def test_a_patient_gets_404_for_media_of_no_published_session(
    as_patient: Client, library: Library, which: str
) -> None:
    stored: Stored = getattr(library, which)
    response = as_patient.get(stored.url, headers={"range": "bytes=0-9"})
    head = as_patient.head(stored.url)
    assert response.status_code == 404
    assert head.status_code == 404
    assert stored.data[:10] not in response.content
    assert reread(as_patient, stored.asset_id) is not None
    assert stored.path.read_bytes() == stored.data


def test_unknown_media_is_404_like_forbidden_media(as_patient: Client, library: Library) -> None:
    unknown = as_patient.get("/media/999999")
    forbidden = as_patient.get(library.draft.url)
    assert unknown.status_code == forbidden.status_code == 404
    assert unknown.text == forbidden.text


@pytest.mark.parametrize("persona", ["patient", "other_patient", "therapist", "admin"])
def test_anyone_signed_in_can_play_a_published_session(
    client: Client, library: Library, persona: str
) -> None:
    client.login_as(PERSONAS[persona])
    response = client.get(library.published.url, headers={"range": "bytes=0-3"})
    assert response.status_code == 206
    assert response.content == library.published.data[:4]


@pytest.mark.parametrize("which", ["published", "draft", "archived", "orphan"])
def test_a_coordinator_can_play_any_media(
    as_coordinator: Client, library: Library, which: str
) -> None:
    stored: Stored = getattr(library, which)
    response = as_coordinator.get(stored.url)
    assert response.status_code == 200
    assert response.content == stored.data


def test_serving_changes_neither_the_file_nor_its_row(as_patient: Client, library: Library) -> None:
    stored = library.published
    before = reread(as_patient, stored.asset_id)
    as_patient.get(stored.url, headers={"range": "bytes=0-99"})
    as_patient.head(stored.url)
    as_patient.get(stored.url)
    after = reread(as_patient, stored.asset_id)
    assert before is not None
    assert after is not None
    assert (after.sha256, after.size_bytes, after.uploaded_at) == (
        before.sha256,
        before.size_bytes,
        before.uploaded_at,
    )
    assert hashlib.sha256(stored.path.read_bytes()).hexdigest() == stored.sha256


def test_a_missing_file_is_404_not_a_crash(
    as_coordinator: Client, library: Library, caplog: pytest.LogCaptureFixture
) -> None:
    library.orphan.path.unlink()
    response = as_coordinator.get(library.orphan.url)
    assert response.status_code == 404
    assert "is missing" in caplog.text


def test_a_file_of_the_wrong_size_is_not_served(as_coordinator: Client, library: Library) -> None:
    library.orphan.path.write_bytes(library.orphan.data[:-1])
    response = as_coordinator.get(library.orphan.url)
    assert response.status_code == 404


# --- covers -----------------------------------------------------------------------------


def test_a_patient_sees_the_cover_of_a_published_session(
    as_patient: Client, library: Library
) -> None:
    response = as_patient.get(f"/media/covers/{library.cover_key}")
    assert response.status_code == 200
    assert response.content == png_bytes()
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["etag"] == f'"{library.cover_key.split(".")[0]}"'


def test_a_cover_answers_ranges_too(as_patient: Client, library: Library) -> None:
    response = as_patient.get(f"/media/covers/{library.cover_key}", headers={"range": "bytes=0-7"})
    assert response.status_code == 206
    assert response.content == png_bytes()[:8]


@pytest.mark.parametrize("which", ["draft_cover_key", "orphan_cover_key"])
def test_a_patient_gets_404_for_covers_of_unpublished_media(
    as_patient: Client, library: Library, which: str
) -> None:
    response = as_patient.get(f"/media/covers/{getattr(library, which)}")
    assert response.status_code == 404


@pytest.mark.parametrize("which", ["cover_key", "draft_cover_key", "orphan_cover_key"])
def test_a_coordinator_sees_every_cover(
    as_coordinator: Client, library: Library, which: str
) -> None:
    response = as_coordinator.get(f"/media/covers/{getattr(library, which)}")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "key",
    [
        "..%2F..%2Fwellness.sqlite3",
        "not-a-key",
        "{sha}.html",
        "{sha}.PNG",
        "{sha}.jpg",  # a real hash with the wrong kind of picture
        "{sha}",
        "a" * 64 + ".png",
    ],
)
def test_a_bad_or_unknown_cover_key_is_404(
    as_coordinator: Client, library: Library, key: str
) -> None:
    sha = library.cover_key.split(".")[0]
    response = as_coordinator.get(f"/media/covers/{key.format(sha=sha)}")
    assert response.status_code == 404


def test_media_keys_are_not_served_as_covers(as_coordinator: Client, library: Library) -> None:
    key = f"{library.published.sha256}.wav"
    response = as_coordinator.get(f"/media/covers/{key}")
    assert response.status_code == 404


# --- open descriptors -------------------------------------------------------------------


def test_open_files_keeps_a_few_descriptors_and_evicts_the_oldest(tmp_path: Path) -> None:
    paths = [tmp_path / f"f{n}" for n in range(3)]
    for n, path in enumerate(paths):
        path.write_bytes(bytes([n]) * (n + 1))
    files = OpenFiles(capacity=2)
    sizes = [files.size_of(path) for path in paths]
    assert sizes == [1, 2, 3]
    assert len(files) == 2
    files.close_all()
    assert len(files) == 0


def test_an_evicted_descriptor_stays_open_while_a_response_reads_it(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.write_bytes(b"first bytes")
    second.write_bytes(b"second")
    files = OpenFiles(capacity=1)
    with files.borrow(first) as handle:
        files.size_of(second)  # evicts `first` from the cache while it is borrowed
        assert os.pread(handle.fd, 5, 0) == b"first"
    with pytest.raises(OSError, match="Bad file descriptor"):
        os.fstat(handle.fd)
    files.close_all()


def test_a_file_that_shrinks_mid_read_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "short"
    path.write_bytes(b"abc")
    files = OpenFiles()
    with files.borrow(path) as handle, pytest.raises(MediaChanged):
        read_exact(handle.fd, 0, 10)
    files.close_all()


# --- the fast path: answering again without asking again ---------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def grant_clock(app: Litestar) -> FakeClock:
    """The media grants' own monotonic timer (not the app's clock: grants measure seconds)."""
    fake = FakeClock()
    app.plugins.get(MediaPlugin).grants.clock = fake
    return fake


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the controller's permission checks (each one is a database query or two)."""
    calls: list[int] = []
    real = catalog_services.asset_for_viewer

    async def counted(viewer: User, asset_id: int) -> MediaAsset | None:
        calls.append(asset_id)
        return await real(viewer, asset_id)

    monkeypatch.setattr(catalog_services, "asset_for_viewer", counted)
    return calls


def set_status(client: Client, asset_id: int, status: Status) -> None:
    async def change() -> None:
        await PracticeSession.filter(primary_asset_id=asset_id).update(status=status)

    client.run(change)


def test_a_repeated_request_is_answered_without_checking_again(
    as_patient: Client, library: Library, grant_clock: FakeClock, lookups: list[int]
) -> None:
    url = library.published.url
    answers = [as_patient.get(url, headers={"range": f"bytes={n}-{n + 9}"}) for n in (0, 10, 20)]
    assert [answer.status_code for answer in answers] == [206, 206, 206]
    assert answers[2].content == library.published.data[20:30]
    assert lookups == [library.published.asset_id]


def test_archiving_a_session_stops_playback_when_the_grant_expires(
    as_patient: Client, library: Library, grant_clock: FakeClock
) -> None:
    url = library.published.url
    assert as_patient.get(url, headers={"range": "bytes=0-9"}).status_code == 206
    set_status(as_patient, library.published.asset_id, Status.ARCHIVED)
    within = as_patient.get(url, headers={"range": "bytes=0-9"})
    grant_clock.now += GRANT_SECONDS
    after = as_patient.get(url, headers={"range": "bytes=0-9"})
    assert within.status_code == 206
    assert after.status_code == 404


def test_signing_out_stops_playback_when_the_grant_expires(
    as_patient: Client, library: Library, grant_clock: FakeClock
) -> None:
    url = library.published.url
    assert as_patient.get(url).status_code == 200
    old_cookies = dict(as_patient.cookies)
    assert as_patient.post("/api/v1/auth/logout").status_code == 204
    as_patient.cookies.clear()
    as_patient.cookies.update(old_cookies)  # a copy of the cookie that was signed out
    grant_clock.now += GRANT_SECONDS
    response = as_patient.get(url)
    assert response.status_code == 401
    assert response.content != library.published.data


def test_a_grant_belongs_to_one_browser_session(
    client: Client, library: Library, grant_clock: FakeClock
) -> None:
    sign_in(client, "coordinator")
    assert client.get(library.draft.url).status_code == 200
    sign_in(client, "patient")
    response = client.get(library.draft.url)
    assert response.status_code == 404


def test_a_refusal_ends_the_grant_at_once(
    as_patient: Client, library: Library, grant_clock: FakeClock
) -> None:
    url = library.published.url
    assert as_patient.get(url).status_code == 200
    set_status(as_patient, library.published.asset_id, Status.ARCHIVED)
    grant_clock.now += GRANT_SECONDS * RENEW_AT  # the next request is sent to renew the grant...
    renewal = as_patient.get(url)
    later = as_patient.get(url)  # ...was refused, and nothing is served from the grant after
    assert renewal.status_code == 404
    assert later.status_code == 404


def test_the_fast_path_answers_exactly_like_the_controller(
    as_patient: Client, library: Library, app: Litestar
) -> None:
    grants = app.plugins.get(MediaPlugin).grants
    url = library.published.url
    etag = library.published.etag
    cases: list[tuple[str, dict[str, str]]] = [
        ("GET", {}),
        ("GET", {"range": "bytes=100-199"}),
        ("GET", {"range": "bytes=-10"}),
        ("GET", {"range": "bytes=999999-"}),
        ("GET", {"range": "bytes=0-9", "if-range": '"old"'}),
        ("GET", {"if-none-match": etag}),
        ("HEAD", {"range": "bytes=0-9"}),
    ]
    ignored = {"date", "set-cookie"}
    for method, headers in cases:
        grants._grants.clear()
        checked = as_patient.request(method, url, headers=headers)
        assert len(grants) == 1
        fast = as_patient.request(method, url, headers=headers)
        assert fast.headers.get("set-cookie") is None  # served before the session middleware
        assert (fast.status_code, fast.content) == (checked.status_code, checked.content)
        assert {k: v for k, v in fast.headers.items() if k not in ignored} == {
            k: v for k, v in checked.headers.items() if k not in ignored
        }, (method, headers)


def grant_scope(path: str, cookie: bytes | None) -> Any:
    headers = [(b"cookie", cookie)] if cookie is not None else []
    return {"type": "http", "method": "GET", "path": path, "headers": headers}


def a_media_file(tmp_path: Path) -> MediaFile:
    return MediaFile(
        path=tmp_path / "x",
        size=1,
        mime_type="audio/wav",
        etag='"x"',
        last_modified=UPLOADED_AT,
        filename="session-1.wav",
    )


def test_requests_without_cookies_are_never_granted(tmp_path: Path) -> None:
    grants = MediaGrants()
    grants.allow(grant_scope("/media/1", None), a_media_file(tmp_path))
    assert len(grants) == 0
    assert grants.find(grant_scope("/media/1", None)) is None


def test_a_grant_is_for_one_path_and_one_cookie_header(tmp_path: Path) -> None:
    grants = MediaGrants()
    media = a_media_file(tmp_path)
    grants.allow(grant_scope("/media/1", b"s=a"), media)
    assert grants.find(grant_scope("/media/1", b"s=a")) is media
    assert grants.find(grant_scope("/media/2", b"s=a")) is None
    assert grants.find(grant_scope("/media/1", b"s=b")) is None
    assert grants.find(grant_scope("/media/1", b"s=a; other=1")) is None


def test_one_request_renews_a_grant_near_its_end_while_the_rest_are_served(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    grants = MediaGrants(seconds=2.0, clock=clock)
    scope = grant_scope("/media/1", b"s=a")
    media = a_media_file(tmp_path)
    grants.allow(scope, media)
    clock.now += 1.6
    assert grants.find(scope) is None  # this one goes through the full checks
    assert grants.find(scope) is media  # the others are still served meanwhile
    clock.now += 0.4
    assert grants.find(scope) is None  # not renewed in time: expired
    assert len(grants) == 0


def test_grants_are_bounded_and_the_oldest_go_first(tmp_path: Path) -> None:
    grants = MediaGrants(capacity=2)
    media = a_media_file(tmp_path)
    for n in range(3):
        grants.allow(grant_scope(f"/media/{n}", b"s=a"), media)
    assert len(grants) == 2
    assert grants.find(grant_scope("/media/0", b"s=a")) is None
    assert grants.find(grant_scope("/media/2", b"s=a")) is media


# --- X-Accel-Redirect: nginx sends the bytes ---------------------------------------------


@pytest.fixture
def accel(app: Litestar) -> str:
    prefix = "/_media/"
    app.plugins.get(MediaPlugin).accel_prefix = prefix
    return prefix


def test_with_an_accel_prefix_nginx_is_told_which_file_to_send(
    accel: str, as_patient: Client, library: Library, settings: Settings
) -> None:
    stored = library.published
    location = accel + stored.path.relative_to(settings.media_dir).as_posix()
    for headers in ({}, {"range": "bytes=0-9"}):
        response = as_patient.get(stored.url, headers=headers)
        assert response.status_code == 200
        assert response.content == b""
        assert response.headers["x-accel-redirect"] == location
        assert response.headers["content-type"] == "audio/wav"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "private, no-cache"
        expected = f'inline; filename="session-{stored.asset_id}.wav"'
        assert response.headers["content-disposition"] == expected


def test_with_an_accel_prefix_refusals_name_no_file(
    accel: str, as_patient: Client, library: Library
) -> None:
    response = as_patient.get(library.draft.url)
    assert response.status_code == 404
    assert "x-accel-redirect" not in response.headers


ACCEL_VARIABLE = "WELLNESS_MEDIA_ACCEL_PREFIX"


def accel_prefix(value: str | None, tmp_path: Path) -> str | None:
    environ = {"WELLNESS_DATA_DIR": str(tmp_path)}
    if value is not None:
        environ[ACCEL_VARIABLE] = value
    return load_settings(environ).media_accel_prefix


@pytest.mark.parametrize("value", ["/_media/", "/internal/media/", " /m/ "])
def test_the_accel_prefix_accepts_a_location_path(tmp_path: Path, value: str) -> None:
    assert accel_prefix(value, tmp_path) == value.strip()


def test_no_accel_prefix_means_the_app_sends_the_bytes(tmp_path: Path) -> None:
    assert accel_prefix(None, tmp_path) is None
    assert accel_prefix("  ", tmp_path) is None


@pytest.mark.parametrize("value", ["_media/", "/_media", "/../", "/a/./", "/a b/", "/a?b/", "//"])
def test_a_bad_accel_prefix_stops_start_up(tmp_path: Path, value: str) -> None:
    with pytest.raises(SettingsError, match=ACCEL_VARIABLE):
        accel_prefix(value, tmp_path)


# --- GET /media/{id}/access: nginx's auth_request (docs/nginx-media.conf) ------------------


def access_url(stored: Stored) -> str:
    return f"{stored.url}/access"


def test_the_access_check_names_the_file_and_its_headers_for_nginx(
    as_patient: Client, library: Library, settings: Settings
) -> None:
    for stored, mime_type, extension in (
        (library.published, "audio/wav", "wav"),
        (library.mp3, "audio/mpeg", "mp3"),
    ):
        response = as_patient.get(access_url(stored), headers={"range": "bytes=0-9"})
        assert response.status_code == 204
        assert response.content == b""
        path = stored.path.relative_to(settings.media_dir).as_posix()
        assert path == f"objects/{stored.sha256[:2]}/{stored.sha256}.{extension}"
        assert response.headers["x-media-path"] == path
        assert response.headers["x-media-type"] == mime_type
        expected = f'inline; filename="session-{stored.asset_id}.{extension}"'
        assert response.headers["x-media-disposition"] == expected
        assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("which", ["draft", "archived", "orphan"])
def test_the_access_check_refuses_a_patient_media_of_no_published_session(
    as_patient: Client, library: Library, which: str
) -> None:
    stored: Stored = getattr(library, which)
    response = as_patient.get(access_url(stored))
    assert response.status_code == 403
    assert response.content == b""
    assert not any(name.startswith("x-media-") for name in response.headers)
    # nginx answers the browser 404, as the app itself does for the same URL.
    assert as_patient.get(stored.url).status_code == 404


def test_the_access_check_refuses_unknown_media_like_forbidden_media(
    as_patient: Client, library: Library
) -> None:
    unknown = as_patient.get("/media/999999/access")
    forbidden = as_patient.get(access_url(library.draft))
    assert unknown.status_code == forbidden.status_code == 403
    assert unknown.headers.get("content-length") == forbidden.headers.get("content-length")
    assert unknown.content == forbidden.content == b""


def test_the_access_check_refuses_anonymous_visitors_with_401(
    client: Client, library: Library
) -> None:
    client.login_as(None)
    response = client.get(access_url(library.published))
    assert response.status_code == 401
    assert not any(name.startswith("x-media-") for name in response.headers)
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("which", ["published", "draft", "archived", "orphan"])
def test_the_access_check_allows_a_coordinator_any_media(
    as_coordinator: Client, library: Library, which: str
) -> None:
    stored: Stored = getattr(library, which)
    response = as_coordinator.get(access_url(stored))
    assert response.status_code == 204
    assert response.headers["x-media-path"].endswith(f"{stored.sha256}.wav")


def test_the_access_check_follows_the_session_status_at_once(
    as_patient: Client, library: Library, grant_clock: FakeClock
) -> None:
    """Unlike a player's repeated ranges, every access check is answered afresh: nginx caches."""
    stored = library.published
    assert as_patient.get(access_url(stored)).status_code == 204
    set_status(as_patient, stored.asset_id, Status.ARCHIVED)
    assert as_patient.get(access_url(stored)).status_code == 403
    set_status(as_patient, stored.asset_id, Status.PUBLISHED)
    assert as_patient.get(access_url(stored)).status_code == 204


def test_the_access_check_refuses_a_missing_or_altered_file(
    as_coordinator: Client, library: Library
) -> None:
    library.orphan.path.write_bytes(library.orphan.data[:-1])
    assert as_coordinator.get(access_url(library.orphan)).status_code == 403
    library.orphan.path.unlink()
    assert as_coordinator.get(access_url(library.orphan)).status_code == 403


def test_the_access_check_answers_get_only(as_patient: Client, library: Library) -> None:
    token = as_patient.csrf_token()
    response = as_patient.post(access_url(library.published), headers={"x-csrftoken": token})
    assert response.status_code == 405


# --- the fast path in front of the whole app, as `wellness serve` runs it ----------------------


class UvicornLikeCycle:
    """What `skip_access_log` expects of uvicorn: `send` bound to an object with `access_log`."""

    def __init__(self) -> None:
        self.access_log = True
        self.sent: list[dict[str, Any]] = []

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)


async def call_asgi(
    server: Any,
    path: str,
    cookie: str,
    *,
    range_header: str | bytes = "bytes=0-99",
    cycle: UvicornLikeCycle | None = None,
) -> tuple[int, dict[str, str], bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver.local"),
            (b"cookie", cookie.encode()),
            (b"range", range_header if isinstance(range_header, bytes) else range_header.encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver.local", 80),
        "state": {},
    }
    sent: list[dict[str, Any]] = []
    requested = False

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if requested:
            return {"type": "http.disconnect"}
        requested = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await server(scope, receive, cycle.send if cycle is not None else send)
    if cycle is not None:
        sent = cycle.sent
    start = next(message for message in sent if message["type"] == "http.response.start")
    headers = {name.decode().lower(): value.decode() for name, value in start["headers"]}
    body = b"".join(
        message.get("body", b"") for message in sent if message["type"] == "http.response.body"
    )
    return start["status"], headers, body


def cookie_header(client: Client) -> str:
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def test_granted_ranges_are_answered_in_front_of_the_app_with_security_headers(
    as_patient: Client, library: Library, app: Litestar, settings: Settings, grant_clock: FakeClock
) -> None:
    server = behind_media_fast_path(app, settings)
    cookie = cookie_header(as_patient)
    url = library.published.url

    first = as_patient.run(lambda: call_asgi(server, url, cookie))
    assert first[0] == 206
    assert first[2] == library.published.data[:100]
    # Withdrawn from patients: a grant still answers within its short life, then never again.
    set_status(as_patient, library.published.asset_id, Status.ARCHIVED)
    grant_clock.now += GRANT_SECONDS / 4
    status, headers, body = as_patient.run(
        lambda: call_asgi(server, url, cookie, range_header="bytes=100-199")
    )
    assert status == 206
    assert body == library.published.data[100:200]
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-range"] == f"bytes 100-199/{len(library.published.data)}"
    grant_clock.now += GRANT_SECONDS
    assert as_patient.run(lambda: call_asgi(server, url, cookie))[0] == 404


ODD_RANGES = [
    b"bytes=\xb2-5",  # a superscript two, as a server decodes the header (latin-1)
    b"bytes=0-\xb9",
    "bytes=\u0669-".encode(),
    "bytes=-\uff19".encode(),
    f"bytes={2**70}-".encode(),
    f"bytes=0-{2**70}".encode(),
    b"bytes=" + b"9" * 990 + b"-",
    b"bytes=0-" + b"1" * 5000,
]


def assert_secured(headers: dict[str, str]) -> None:
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"]


@pytest.mark.parametrize("range_header", ODD_RANGES)
def test_odd_ranges_within_a_grant_are_answered_with_the_security_headers(
    as_patient: Client, library: Library, app: Litestar, settings: Settings, range_header: bytes
) -> None:
    server = behind_media_fast_path(app, settings)
    cookie = cookie_header(as_patient)
    url = library.published.url
    assert as_patient.run(lambda: call_asgi(server, url, cookie))[0] == 206  # granted

    for _ in range(2):  # answered from the grant, then again
        status, headers, _ = as_patient.run(
            lambda: call_asgi(server, url, cookie, range_header=range_header)
        )
        assert status in {200, 206, 416}
        assert_secured(headers)
    assert len(app.plugins.get(MediaPlugin).grants) == 1


def test_a_granted_answer_that_fails_is_left_to_the_app(
    as_patient: Client,
    library: Library,
    app: Litestar,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    lookups: list[int],
) -> None:
    server = behind_media_fast_path(app, settings)
    cookie = cookie_header(as_patient)
    url = library.published.url
    assert as_patient.run(lambda: call_asgi(server, url, cookie))[0] == 206

    def broken(*_: Any) -> Any:
        raise OSError("the disk went away")

    monkeypatch.setattr(fast_path, "quick_range", broken)
    monkeypatch.setattr(fast_path, "plan", broken)
    status, headers, body = as_patient.run(lambda: call_asgi(server, url, cookie))
    assert status == 206  # the controller's full checks answered
    assert body == library.published.data[:100]
    assert lookups == [library.published.asset_id] * 2
    assert_secured(headers)

    monkeypatch.setattr("wellness.web.media.response.plan", broken)  # the controller fails too
    status, headers, body = as_patient.run(lambda: call_asgi(server, url, cookie))
    assert status == 500
    assert_secured(headers)
    assert headers["cache-control"] == "no-store"
    assert b"Something went wrong on our side" in body


def test_a_failure_in_the_apps_own_fast_path_is_left_to_the_controller(
    as_patient: Client, library: Library, monkeypatch: pytest.MonkeyPatch, lookups: list[int]
) -> None:
    url = library.published.url
    assert as_patient.get(url, headers={"range": "bytes=0-9"}).status_code == 206

    def broken(*_: Any) -> Any:
        raise OSError("the disk went away")

    monkeypatch.setattr(fast_path, "plan", broken)
    response = as_patient.get(url, headers={"range": "bytes=10-19"})
    assert response.status_code == 206
    assert response.content == library.published.data[10:20]
    assert lookups == [library.published.asset_id] * 2


def test_another_cookie_gets_no_grant(
    as_patient: Client, library: Library, app: Litestar, settings: Settings
) -> None:
    server = behind_media_fast_path(app, settings)
    url = library.published.url
    assert as_patient.run(lambda: call_asgi(server, url, cookie_header(as_patient)))[0] == 206
    assert as_patient.run(lambda: call_asgi(server, url, "wellness_session=forged"))[0] == 401


def test_only_successful_answers_from_a_grant_leave_the_access_log() -> None:
    quiet = QuietGrantedRanges()

    def record(status: int) -> logging.LogRecord:
        args = ("127.0.0.1:5000", "GET", "/media/1", "1.1", status)
        return logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, "%s", args, None)

    assert quiet.filter(record(206)) is True  # a normal request is always logged
    token = ANSWERING_FROM_GRANT.set(True)
    try:
        assert quiet.filter(record(206)) is False
        assert quiet.filter(record(404)) is True
    finally:
        ANSWERING_FROM_GRANT.reset(token)


def test_granted_plain_ranges_skip_uvicorns_access_log_and_nothing_else_does(
    as_patient: Client, library: Library, app: Litestar, settings: Settings
) -> None:
    server = behind_media_fast_path(app, settings)
    cookie, url = cookie_header(as_patient), library.published.url

    def fetch(cookie: str, cycle: UvicornLikeCycle, range_header: str = "bytes=0-99") -> int:
        answer = call_asgi(server, url, cookie, range_header=range_header, cycle=cycle)
        return as_patient.run(lambda: answer)[0]

    first, again, refused, suffix = (UvicornLikeCycle() for _ in range(4))
    assert fetch(cookie, first) == 206
    assert first.access_log is True  # the full checks ran: logged
    assert fetch(cookie, again, "bytes=100-199") == 206
    assert again.access_log is False
    assert fetch("wellness_session=forged", refused) == 401
    assert refused.access_log is True
    assert fetch(cookie, suffix, "bytes=-100") == 206  # answered by the general rules
    assert suffix.access_log is True  # and left to QuietGrantedRanges


def test_uvicorn_still_reads_the_access_log_flag_skip_access_log_clears() -> None:
    import inspect

    from uvicorn.protocols.http import h11_impl, httptools_impl

    for module in (httptools_impl, h11_impl):
        assert "if self.access_log:" in inspect.getsource(module.RequestResponseCycle.send)
