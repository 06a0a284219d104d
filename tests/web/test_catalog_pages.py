"""The library pages everyone signed in uses: browse, search and play sessions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PERSONAS, Client, text_of
from tests.media_fixtures import make_mp3, make_mp4_video, make_wav, png_bytes, with_tags
from wellness.accounts.models import User
from wellness.catalog.models import MediaAsset

SESSION: dict[str, Any] = {
    "title": "Six breaths a minute",
    "kind": "breathing",
    "description": "A gentle, paced breathing practice with a longer exhale.",
    "instructor": "Mira Okafor",
    "posture": "seated",
    "guidance": "guided",
    "transcript": "Breathe in for four counts, and out for six.\n\nRest your hands.",
    "anxiety_min": 5,
    "anxiety_max": 10,
    "contraindications": ["breath_hold"],
    "tags": ["exhale", "calm"],
}


def upload(client: Client, path: Path) -> int:
    with path.open("rb") as handle:
        response = client.post("/api/v1/media", files={"file": (path.name, handle, "audio/wav")})
    assert response.status_code in {200, 201}, response.text
    return int(response.json()["id"])


def create(client: Client, asset: int | None, **overrides: Any) -> int:
    response = client.post(
        "/api/v1/sessions", json={**SESSION, "primary_asset_id": asset, **overrides}
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def publish(client: Client, asset: int, **overrides: Any) -> int:
    session = create(client, asset, **overrides)
    assert client.post(f"/api/v1/sessions/{session}/publish").status_code == 200
    return session


@pytest.fixture
def library(client: Client, personas: dict[str, User], tmp_path: Path) -> dict[str, int]:
    """A published, a draft and an archived session, made by the coordinator."""
    client.login_as(PERSONAS["coordinator"])
    asset = upload(client, make_wav(tmp_path, seconds=4.0))
    published = publish(client, asset)
    draft = create(client, asset, title="Draft body scan", kind="body_scan")
    archived = publish(client, asset, title="Old grounding", kind="grounding")
    assert client.post(f"/api/v1/sessions/{archived}/archive").status_code == 200
    client.cookies.clear()
    return {"asset": asset, "published": published, "draft": draft, "archived": archived}


# --- browse ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["patient", "therapist", "admin"])
def test_everyone_signed_in_browses_published_sessions_only(
    client: Client, library: dict[str, int], role: str
) -> None:
    client.login_as(PERSONAS[role])
    page = client.get("/sessions")
    assert page.status_code == 200
    text = text_of(page)
    assert "Six breaths a minute" in text
    assert f'href="/sessions/{library["published"]}"' in text
    assert "Draft body scan" not in text
    assert "Old grounding" not in text
    assert "1 session." in text
    assert 'name="status"' not in text


def test_a_patient_cannot_ask_for_drafts_through_the_status_filter(
    client: Client, library: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])
    for status in ("draft", "archived"):
        page = client.get("/sessions", params={"status": status})
        assert page.status_code == 200
        assert "Draft body scan" not in page.text
        assert "Old grounding" not in page.text


def test_a_coordinator_sees_every_status_with_a_badge_and_can_filter_by_it(
    client: Client, library: dict[str, int]
) -> None:
    client.login_as(PERSONAS["coordinator"])
    page = text_of(client.get("/sessions"))
    for title in ("Six breaths a minute", "Draft body scan", "Old grounding"):
        assert title in page
    assert 'class="status status--draft">Draft<' in page
    assert 'class="status status--archived">Archived<' in page
    drafts = text_of(client.get("/sessions", params={"status": "draft"}))
    assert "Draft body scan" in drafts
    assert "Six breaths a minute" not in drafts
    assert '<option value="draft" selected>' in drafts


def test_search_finds_words_in_titles_before_transcripts(
    client: Client, personas: dict[str, User], tmp_path: Path
) -> None:
    client.login_as(PERSONAS["coordinator"])
    asset = upload(client, make_wav(tmp_path))
    publish(client, asset, title="Rest", kind="sleep", transcript="a slow body scan for sleep")
    publish(client, asset, title="Evening body scan", kind="body_scan", transcript="")
    publish(client, asset, title="Box breathing", transcript="in, hold, out")
    client.login_as(PERSONAS["patient"])
    page = text_of(client.get("/sessions", params={"q": "body scan"}))
    assert "2 sessions matching “body scan”, best matches first." in page
    assert page.index("Evening body scan") < page.index(">Rest<")
    assert "Box breathing" not in page
    assert 'value="body scan"' in page


def test_search_finds_sessions_by_their_tags_until_the_tags_change(
    client: Client, personas: dict[str, User], tmp_path: Path
) -> None:
    client.login_as(PERSONAS["coordinator"])
    asset = upload(client, make_wav(tmp_path))
    tagged = publish(
        client, asset, title="Drifting off", kind="sleep", tags=["insomnia", "acute distress"]
    )
    publish(client, asset, title="Box breathing", tags=["focus"])
    client.login_as(PERSONAS["patient"])
    for query in ("acute distress", "insom"):
        page = text_of(client.get("/sessions", params={"q": query}))
        assert f"1 session matching “{query}”, best matches first." in page
        assert "Drifting off" in page
        assert "Box breathing" not in page

    client.login_as(PERSONAS["coordinator"])
    changed = client.patch(f"/api/v1/sessions/{tagged}", json={"tags": ["bedtime"]})
    assert changed.status_code == 200, changed.text
    client.login_as(PERSONAS["patient"])
    assert "No sessions match" in text_of(client.get("/sessions", params={"q": "insomnia"}))
    assert "Drifting off" in text_of(client.get("/sessions", params={"q": "bedtime"}))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "sleep"}, {"Rest"}),
        ({"posture": "lying"}, {"Rest"}),
        ({"guidance": "silent"}, {"Box breathing"}),
        ({"tag": "night"}, {"Rest"}),
        ({"length": "5"}, {"Rest", "Box breathing"}),
        ({"kind": "breathing", "guidance": "guided"}, set()),
    ],
)
def test_filters_narrow_the_list(
    client: Client,
    personas: dict[str, User],
    tmp_path: Path,
    params: dict[str, str],
    expected: set[str],
) -> None:
    client.login_as(PERSONAS["coordinator"])
    asset = upload(client, make_wav(tmp_path))
    publish(client, asset, title="Rest", kind="sleep", posture="lying", tags=["night"])
    publish(client, asset, title="Box breathing", guidance="silent", tags=["calm"])
    client.login_as(PERSONAS["patient"])
    page = client.get("/sessions", params=params)
    assert page.status_code == 200
    titles = set(re.findall(r'<a href="/sessions/\d+">([^<]+)</a>', page.text))
    assert titles == expected
    if not expected:
        assert "No sessions match" in page.text
        assert '<a href="/sessions">clear filters</a>' in page.text


def test_the_list_pages_by_24_and_keeps_filters_in_its_links(
    client: Client, personas: dict[str, User], tmp_path: Path
) -> None:
    client.login_as(PERSONAS["coordinator"])
    asset = upload(client, make_wav(tmp_path))
    for number in range(30):
        publish(client, asset, title=f"Calm practice {number:02}", tags=[])
    client.login_as(PERSONAS["patient"])
    first = client.get("/sessions", params={"q": "calm", "kind": "breathing"})
    second = client.get("/sessions", params={"q": "calm", "kind": "breathing", "page": "2"})
    on_first = set(re.findall(r"Calm practice (\d\d)", first.text))
    on_second = set(re.findall(r"Calm practice (\d\d)", second.text))
    assert (len(on_first), len(on_second)) == (24, 6)
    assert not on_first & on_second
    assert 'href="/sessions?q=calm&amp;kind=breathing&amp;page=2" rel="next"' in first.text
    assert 'aria-label="Pages of sessions"' in first.text
    assert 'href="/sessions?q=calm&amp;kind=breathing&amp;page=2" aria-current="page"' in (
        second.text
    )
    assert 'href="/sessions?q=calm&amp;kind=breathing" rel="prev"' in second.text
    assert "page 2 of 2" in second.text


def test_a_patient_sees_a_coordinators_edit_at_once_on_pages_already_seen(
    client: Client, library: dict[str, int]
) -> None:
    """Result pages are cached until the catalog changes: an edit shows on the next request."""
    session = library["published"]
    client.login_as(PERSONAS["patient"])
    for params in ({}, {"q": "breaths"}):
        assert "Six breaths a minute" in text_of(client.get("/sessions", params=params))
    client.login_as(PERSONAS["coordinator"])
    assert "Six breaths a minute" in text_of(client.get("/sessions", params={"q": "breaths"}))
    edited = client.patch(f"/api/v1/sessions/{session}", json={"title": "Seven breaths"})
    assert edited.status_code == 200
    client.login_as(PERSONAS["patient"])
    for params in ({}, {"q": "breaths"}):
        page = text_of(client.get("/sessions", params=params))
        assert "Seven breaths" in page
        assert "Six breaths a minute" not in page
        assert "Draft body scan" not in page
    assert client.post(f"/api/v1/sessions/{session}/archive").status_code == 403
    client.login_as(PERSONAS["coordinator"])
    assert client.post(f"/api/v1/sessions/{session}/archive").status_code == 200
    client.login_as(PERSONAS["patient"])
    assert "Seven breaths" not in text_of(client.get("/sessions", params={"q": "breaths"}))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kind": "karaoke"}, "Kind: Choose one of the listed options."),
        ({"length": "7"}, "Length: Choose one of the listed lengths."),
        ({"posture": "<script>"}, "Posture: Choose one of the listed options."),
        ({"page": "0"}, "Page: That page number doesn't exist."),
        ({"page": "abc"}, "Page: That page number doesn't exist."),
        ({"page": "9" * 30}, "Page: That page number doesn't exist."),
        ({"q": "x" * 201}, "Search: Use at most 200 characters."),
        ({"tag": "t" * 49}, "Tag: That tag is too long."),
    ],
)
def test_unreadable_filters_get_a_friendly_400_page(
    client: Client, library: dict[str, int], params: dict[str, str], message: str
) -> None:
    client.login_as(PERSONAS["patient"])
    page = client.get("/sessions", params=params)
    assert page.status_code == 400
    text = text_of(page)
    assert "Those filters could not be used" in text
    assert message in text
    assert '<a href="/sessions">Clear filters and show every session</a>' in text
    assert "<script>" not in text.split("</header>", 1)[1]


def test_a_bad_filters_message_stands_beside_its_field_and_links_only_to_a_field_shown(
    client: Client, library: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])
    page = client.get("/sessions", params={"length": "7", "tag": "t" * 49}).text
    client.login_as(PERSONAS["coordinator"])
    staff = client.get("/sessions", params={"status": "gone", "tag": "t" * 49}).text

    assert '<a href="#filter-length">Length: Choose one of the listed lengths.</a>' in page
    assert 'aria-invalid="true" aria-describedby="filter-length-error"' in page
    assert "<li>Tag: That tag is too long.</li>" in page  # a patient's form has no tag field
    assert 'id="filter-tag"' not in page
    assert '<a href="#filter-tag">Tag: That tag is too long.</a>' in staff
    assert 'id="filter-status" name="status" aria-invalid="true"' in staff


def test_an_empty_library_says_so(client: Client, personas: dict[str, User]) -> None:
    client.login_as(PERSONAS["patient"])
    page = client.get("/sessions")
    assert page.status_code == 200
    assert "No sessions yet." in page.text
    client.login_as(PERSONAS["coordinator"])
    assert 'href="/library/upload">Upload a recording</a>' in client.get("/sessions").text


def test_cards_show_the_cover_picture_or_a_placeholder_for_the_kind(
    client: Client, personas: dict[str, User], tmp_path: Path
) -> None:
    client.login_as(PERSONAS["coordinator"])
    covered = make_mp3(tmp_path, seconds=2.0, name="covered.mp3")
    with_tags(covered, container="mp3", title="Scan", cover=png_bytes(16, 9))
    with_cover = upload(client, covered)
    plain = upload(client, make_wav(tmp_path))
    publish(client, with_cover, title="With a cover")
    publish(client, plain, title="Without a cover", kind="yoga")

    async def cover_key() -> str | None:
        return (await MediaAsset.get(id=with_cover)).cover_key

    key = client.run(cover_key)
    client.login_as(PERSONAS["patient"])
    page = client.get("/sessions").text
    assert f'src="/media/covers/{key}" alt="Cover picture for With a cover"' in page
    assert 'class="cover-placeholder cover-placeholder--yoga" aria-hidden="true"' in page


def test_tags_on_cards_link_to_the_tag_filter(client: Client, library: dict[str, int]) -> None:
    client.login_as(PERSONAS["patient"])
    page = client.get("/sessions").text
    assert 'href="/sessions?tag=calm"' in page
    tagged = text_of(client.get("/sessions", params={"tag": "calm"}))
    assert "Six breaths a minute" in tagged
    assert 'type="hidden" name="tag" value="calm"' in tagged
    assert "Remove this tag" in tagged


def test_the_library_is_in_everyones_navigation(client: Client, library: dict[str, int]) -> None:
    for role in ("patient", "therapist", "coordinator"):
        client.login_as(PERSONAS[role])
        page = client.get(f"/sessions/{library['published']}").text
        assert '<a href="/sessions" aria-current="page">Library</a>' in page, role
    assert '<a href="/library/upload">Upload</a>' in page


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, library: dict[str, int]) -> None:
    for path in ("/sessions", f"/sessions/{library['published']}"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")


# --- one session -------------------------------------------------------------------------------


def test_the_session_page_plays_the_recording_with_its_transcript(
    client: Client, library: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])
    page = client.get(f"/sessions/{library['published']}")
    assert page.status_code == 200
    text = text_of(page)
    assert "<h1>Six breaths a minute</h1>" in text
    assert "With Mira Okafor" in text
    assert "A gentle, paced breathing practice with a longer exhale." in text
    assert (
        f'<audio class="player__media" controls preload="metadata" '
        f'src="/media/{library["asset"]}" data-player-media>'
    ) in text
    assert '<h2 id="transcript-heading">Transcript</h2>' in text
    assert "<p>Breathe in for four counts, and out for six.</p>" in text
    assert "<p>Rest your hands.</p>" in text
    for rate in ("0.75", "1", "1.25", "1.5"):
        assert f'<option value="{rate}"' in text
    assert '<script src="/static/js/player.js" defer></script>' in text
    assert '<script src="/static/js/volume.js" defer></script>' in text
    assert '<script src="/static/js/practice.js" defer></script>' in text
    assert "<video" not in text


def test_the_session_page_names_the_language_instead_of_its_code(
    client: Client, library: dict[str, int]
) -> None:
    client.login_as(PERSONAS["coordinator"])
    brazilian = publish(client, library["asset"], title="Respiração lenta", language="pt-BR")
    client.login_as(PERSONAS["patient"])

    english = client.get(f"/sessions/{library['published']}")
    portuguese = client.get(f"/sessions/{brazilian}")

    assert (english.status_code, portuguese.status_code) == (200, 200)
    assert "<dt>Language</dt><dd>English</dd>" in text_of(english)
    assert "<dt>Language</dt><dd>Portuguese (Brazil)</dd>" in text_of(portuguese)
    assert 'lang="pt-BR"' in portuguese.text  # the transcript is still marked up in its language


def test_a_video_session_gets_a_video_player(
    client: Client, personas: dict[str, User], tmp_path: Path
) -> None:
    client.login_as(PERSONAS["coordinator"])
    video = upload(client, make_mp4_video(tmp_path))
    session = publish(client, video, title="Chair yoga", kind="yoga")
    client.login_as(PERSONAS["patient"])
    page = client.get(f"/sessions/{session}").text
    assert f'preload="metadata" playsinline src="/media/{video}"' in page
    assert "<video" in page
    assert "<audio" not in page


@pytest.mark.parametrize(("role", "shown"), [("patient", False), ("therapist", True)])
def test_clinical_notes_are_for_the_care_team(
    client: Client, library: dict[str, int], role: str, shown: bool
) -> None:
    client.login_as(PERSONAS[role])
    text = text_of(client.get(f"/sessions/{library['published']}"))
    assert ("Anxiety 5\u201310 of 10" in text) is shown
    assert ("breath hold" in text) is shown
    assert ('class="tag" href="/sessions?tag=exhale"' in text) is shown
    assert "/library/sessions/" not in text
    assert "/publish" not in text


def test_a_coordinator_gets_edit_publish_and_archive_buttons(
    client: Client, library: dict[str, int]
) -> None:
    client.login_as(PERSONAS["coordinator"])
    draft = text_of(client.get(f"/sessions/{library['draft']}"))
    assert f'href="/library/sessions/{library["draft"]}/edit"' in draft
    assert f'action="/library/sessions/{library["draft"]}/publish"' in draft
    assert f'action="/library/sessions/{library["draft"]}/archive"' in draft
    assert "Anxiety 5\u201310 of 10" in draft
    published = text_of(client.get(f"/sessions/{library['published']}"))
    assert "/publish" not in published
    assert f'action="/library/sessions/{library["published"]}/archive"' in published


@pytest.mark.parametrize("role", ["patient", "therapist", "admin"])
def test_hidden_and_unknown_sessions_are_404(
    client: Client, library: dict[str, int], role: str
) -> None:
    client.login_as(PERSONAS[role])
    for session in (library["draft"], library["archived"], 999_999):
        page = client.get(f"/sessions/{session}")
        assert page.status_code == 404, session
        assert "Draft body scan" not in page.text
        assert "Old grounding" not in page.text


def test_a_coordinator_opens_drafts_and_sessions_without_media(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["coordinator"])
    bare = create(client, None, title="Not recorded yet")
    page = text_of(client.get(f"/sessions/{bare}"))
    assert "No recording yet." in page
    assert "<audio" not in page
    assert f'href="/library/sessions/{bare}/edit#media-heading">Attach a media file' in page
