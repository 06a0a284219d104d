"""Timed transcripts on the web: the editor and the API refuse bad stamps, the session page
follows them, and a video gets captions at `/sessions/{id}/captions.vtt` for whoever may open
its page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PERSONAS, Client, text_of
from tests.media_fixtures import make_mp4_video, make_wav
from tests.web.test_catalog_pages import create, publish, upload
from tests.web.test_library_pages import FORM, stored_session
from wellness.catalog.models import MediaAsset
from wellness.catalog.transcripts import vtt_time

TIMED = (
    "[0:00] A bell. Find somewhere to sit.\n\n"
    "[0:04] Breathe in gently & slowly.\n\n"
    "Let the out-breath be longer.\n\n"
    "[0:08] Notice the <floor> --> under your feet."
)
UNTIMED = "Breathe in for four counts, and out for six.\n\nRest your hands."
VTT = "text/vtt; charset=utf-8"


def asset_seconds(client: Client, asset: int) -> float:
    async def load() -> float:
        return (await MediaAsset.get(id=asset)).duration_seconds

    return client.run(load)


def captions_of(session: int) -> str:
    return f"/sessions/{session}/captions.vtt"


@pytest.fixture
def ten_seconds(as_coordinator: Client, tmp_path: Path) -> int:
    """A WAV of exactly ten seconds."""
    return upload(as_coordinator, make_wav(tmp_path, seconds=10.0, name="ten.wav"))


@pytest.fixture
def video(as_coordinator: Client, tmp_path: Path) -> int:
    return upload(as_coordinator, make_mp4_video(tmp_path, 12.0, name="yoga.mp4"))


@pytest.fixture
def timed_video(as_coordinator: Client, video: int) -> int:
    """A published video session with a timed transcript."""
    return publish(as_coordinator, video, title="Chair yoga", kind="yoga", transcript=TIMED)


# --- refusing bad stamps -------------------------------------------------------------------------

BAD_STAMPS = [
    ("[0:00] Begin.\n\n[1:75] Then.", "[1:75] is not a time: seconds run from 00 to 59."),
    (
        "[0:06] Begin.\n\n[0:03] Then.",
        "[0:03] comes before [0:06] above it: keep the stamps in order.",
    ),
    ("[0:00] Begin.\n\n[0:12] Then.", "[0:12] comes after the end of the recording (0:10)."),
]


@pytest.mark.parametrize(("transcript", "message"), BAD_STAMPS)
def test_the_edit_form_refuses_a_bad_stamp_and_keeps_the_stored_transcript(
    as_coordinator: Client, ten_seconds: int, transcript: str, message: str
) -> None:
    session = create(as_coordinator, ten_seconds, transcript=UNTIMED)

    response = as_coordinator.submit(
        f"/library/sessions/{session}/edit", {**FORM, "transcript": transcript}
    )

    assert response.status_code == 422
    assert stored_session(as_coordinator, session).transcript == UNTIMED
    text = text_of(response)
    assert f'<a href="#transcript">Transcript: {message}</a>' in text
    assert (
        '<p class="field-error" id="transcript-error"><span class="visually-hidden">Error: '
        f"</span>{message}</p>"
    ) in text
    assert 'aria-describedby="transcript-hint transcript-error" aria-invalid="true"' in text
    assert transcript in text  # what was typed stays in the field to be fixed


def test_save_and_publish_with_a_bad_stamp_neither_saves_nor_publishes(
    as_coordinator: Client, ten_seconds: int
) -> None:
    session = create(as_coordinator, ten_seconds, transcript=UNTIMED)
    form = {**FORM, "transcript": "[0:30] Too late.", "then": "publish"}

    response = as_coordinator.submit(f"/library/sessions/{session}/edit", form)

    assert response.status_code == 422
    stored = stored_session(as_coordinator, session)
    assert (stored.transcript, stored.status.value) == (UNTIMED, "draft")
    assert "[0:30] comes after the end of the recording (0:10)." in text_of(response)


@pytest.mark.parametrize(("transcript", "message"), BAD_STAMPS)
def test_the_api_refuses_a_bad_stamp_naming_the_field_and_keeps_the_stored_transcript(
    as_coordinator: Client, ten_seconds: int, transcript: str, message: str
) -> None:
    session = create(as_coordinator, ten_seconds, transcript=UNTIMED)

    response = as_coordinator.patch(f"/api/v1/sessions/{session}", json={"transcript": transcript})

    assert response.status_code == 422
    assert stored_session(as_coordinator, session).transcript == UNTIMED
    body = response.json()
    assert body["errors"] == [{"field": "transcript", "message": message}]
    assert body["detail"] == message


def test_a_new_session_with_a_stamp_past_its_recording_is_not_created(
    as_coordinator: Client, ten_seconds: int
) -> None:
    response = as_coordinator.post(
        "/api/v1/sessions",
        json={
            "title": "Late",
            "kind": "breathing",
            "primary_asset_id": ten_seconds,
            "transcript": "[0:00] One.\n\n[2:00] Two.",
        },
    )

    assert response.status_code == 422
    assert as_coordinator.get("/api/v1/sessions?status=draft").json()["total"] == 0
    assert response.json()["errors"] == [
        {"field": "transcript", "message": "[2:00] comes after the end of the recording (0:10)."}
    ]


def test_stamps_are_checked_against_the_new_recording_when_both_change(
    as_coordinator: Client, ten_seconds: int, tmp_path: Path
) -> None:
    longer = upload(as_coordinator, make_wav(tmp_path, seconds=40.0, name="forty.wav"))
    session = create(as_coordinator, ten_seconds, transcript=UNTIMED)
    change = {"transcript": "[0:00] One.\n\n[0:30] Two.", "primary_asset_id": longer}

    response = as_coordinator.patch(f"/api/v1/sessions/{session}", json=change)

    assert response.status_code == 200, response.text
    assert stored_session(as_coordinator, session).transcript == change["transcript"]


def test_without_a_recording_only_the_form_and_order_of_stamps_are_checked(
    as_coordinator: Client,
) -> None:
    session = create(as_coordinator, None, transcript="[0:00] One.\n\n[45:00] Much later.")

    assert stored_session(as_coordinator, session).transcript.endswith("[45:00] Much later.")


def test_the_transcript_hint_explains_the_stamps(as_coordinator: Client, ten_seconds: int) -> None:
    session = create(as_coordinator, ten_seconds)

    page = text_of(as_coordinator.get(f"/library/sessions/{session}/edit"))

    hint = re.search(r'<p class="hint" id="transcript-hint">([^<]*)</p>', page)
    assert hint is not None
    assert "begin a paragraph with the moment it is said, such as [1:30]" in hint[1]
    assert "a paragraph without one belongs to the one above it" in hint[1]
    assert (
        '<textarea id="transcript" name="transcript" rows="10" aria-describedby="transcript-hint">'
        in page
    )


# --- the session page ----------------------------------------------------------------------------


def test_a_timed_transcript_is_shown_by_moment_with_its_times(
    client: Client, as_coordinator: Client, ten_seconds: int
) -> None:
    session = publish(as_coordinator, ten_seconds, transcript=TIMED)
    client.login_as(PERSONAS["patient"])

    page = client.get(f"/sessions/{session}")

    assert page.status_code == 200
    text = page.text
    assert 'class="transcript__text transcript__text--timed"' in text
    assert " data-transcript>" in text
    assert text.count('class="transcript__cue"') == 3
    assert (
        '<p><time class="transcript__stamp" datetime="PT4S" data-transcript-at="4">0:04</time> '
        "Breathe in gently &amp; slowly.</p><p>Let the out-breath be longer.</p>"
    ) in text
    assert '<div class="transcript__cue" data-transcript-cue="8">' in text
    assert "Notice the &lt;floor&gt; --&gt; under your feet." in text
    assert "[0:04]" not in text  # the stamp is shown as a time, not as typed
    # "Follow along" waits for the script, which turns the times into buttons.
    assert '<div class="transcript__tools" data-transcript-tools hidden>' in text
    assert '<label for="transcript-follow">Follow along</label>' in text
    assert '<script src="/static/js/transcript.js" defer></script>' in text
    assert "<track" not in text  # audio: the transcript is beside it


def test_an_untimed_transcript_is_shown_as_before(
    client: Client, as_coordinator: Client, ten_seconds: int
) -> None:
    session = publish(as_coordinator, ten_seconds, transcript=UNTIMED)
    client.login_as(PERSONAS["patient"])

    text = client.get(f"/sessions/{session}").text

    assert (
        '<div class="transcript__text" tabindex="0" role="region" '
        'aria-labelledby="transcript-heading transcript-region-name" lang="en">\n      \n      '
        "<p>Breathe in for four counts, and out for six.</p><p>Rest your hands.</p>"
    ) in text
    assert "data-transcript" not in text
    assert "Follow along" not in text
    assert "transcript.js" not in text


def test_a_video_with_a_timed_transcript_has_a_captions_track(
    client: Client, timed_video: int
) -> None:
    client.login_as(PERSONAS["patient"])

    text = client.get(f"/sessions/{timed_video}").text

    assert (
        f'<track kind="captions" src="/sessions/{timed_video}/captions.vtt" srclang="en" '
        'label="English" default>'
    ) in text
    assert '<label for="player-captions">Captions</label>' in text


# --- captions ------------------------------------------------------------------------------------


def test_it_serves_captions_for_a_published_video(
    client: Client, timed_video: int, video: int
) -> None:
    end = vtt_time(asset_seconds(client, video))
    client.login_as(PERSONAS["patient"])

    response = client.get(captions_of(timed_video))

    assert response.status_code == 200
    assert response.headers["content-type"] == VTT
    assert response.text == (
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:03.999\nA bell. Find somewhere to sit.\n\n"
        "00:00:04.000 --> 00:00:07.999\nBreathe in gently &amp; slowly.\n"
        "Let the out-breath be longer.\n\n"
        f"00:00:08.000 --> {end}\nNotice the &lt;floor&gt; --&gt; under your feet.\n"
    )


def test_captions_follow_an_edited_transcript(
    client: Client, as_coordinator: Client, timed_video: int
) -> None:
    changed = as_coordinator.patch(
        f"/api/v1/sessions/{timed_video}", json={"transcript": "[0:02] Only this."}
    )
    assert changed.status_code == 200

    response = client.get(captions_of(timed_video))

    assert response.status_code == 200
    assert response.text.startswith("WEBVTT\n\n00:00:02.000 --> ")
    assert "A bell" not in response.text


def test_an_untimed_transcript_has_no_captions(
    client: Client, as_coordinator: Client, video: int
) -> None:
    session = publish(as_coordinator, video, title="Chair yoga", kind="yoga", transcript=UNTIMED)
    client.login_as(PERSONAS["patient"])

    response = client.get(captions_of(session))

    assert response.status_code == 404
    assert "Breathe in" not in response.text
    assert "<track" not in client.get(f"/sessions/{session}").text


def hidden_sessions(client: Client, video: int) -> dict[str, int]:
    """A draft and an archived video session, both with timed transcripts."""
    draft = create(client, video, title="Draft yoga", kind="yoga", transcript=TIMED)
    archived = publish(client, video, title="Old yoga", kind="yoga", transcript=TIMED)
    assert client.post(f"/api/v1/sessions/{archived}/archive").status_code == 200
    return {"draft": draft, "archived": archived}


@pytest.mark.parametrize("role", ["patient", "other_patient", "admin"])
def test_outsiders_get_the_session_pages_404_for_drafts_and_archived_captions(
    client: Client, as_coordinator: Client, video: int, role: str
) -> None:
    hidden = hidden_sessions(as_coordinator, video)
    client.login_as(PERSONAS[role])

    for status, session in hidden.items():
        page = client.get(f"/sessions/{session}")
        captions = client.get(captions_of(session))

        assert (page.status_code, captions.status_code) == (404, 404), status
        assert "A bell" not in captions.text
        assert captions.headers["content-type"] == page.headers["content-type"]


def test_a_therapist_reads_a_drafts_captions_for_its_review_but_not_an_archived_ones(
    client: Client, as_coordinator: Client, video: int
) -> None:
    hidden = hidden_sessions(as_coordinator, video)
    client.login_as(PERSONAS["therapist"])

    draft = client.get(captions_of(hidden["draft"]))
    archived = client.get(captions_of(hidden["archived"]))

    assert (draft.status_code, archived.status_code) == (200, 404)
    assert "A bell. Find somewhere to sit." in draft.text
    assert "A bell" not in archived.text
    assert client.get(f"/sessions/{hidden['draft']}").status_code == 404  # its preview only


def test_a_coordinator_reads_the_captions_of_a_draft(as_coordinator: Client, video: int) -> None:
    hidden = hidden_sessions(as_coordinator, video)

    response = as_coordinator.get(captions_of(hidden["draft"]))

    assert response.status_code == 200
    assert "A bell. Find somewhere to sit." in response.text


@pytest.mark.parametrize("which", ["published", "draft", "missing"])
def test_anonymous_visitors_get_what_the_session_page_gives_them(
    client: Client, as_coordinator: Client, video: int, timed_video: int, which: str
) -> None:
    sessions = {**hidden_sessions(as_coordinator, video), "published": timed_video}
    session = sessions.get(which, 999_999)
    client.login_as(None)

    page = client.get(f"/sessions/{session}", follow_redirects=False)
    captions = client.get(captions_of(session), follow_redirects=False)

    assert (page.status_code, captions.status_code) == (303, 303)
    assert page.headers["location"] == f"/login?next=%2Fsessions%2F{session}"
    assert captions.headers["location"].startswith("/login?next=")
    assert "WEBVTT" not in captions.text


def test_an_unknown_session_has_no_captions(client: Client, personas: dict[str, Any]) -> None:
    client.login_as(PERSONAS["coordinator"])

    assert client.get(captions_of(999_999)).status_code == 404
