"""A timed transcript in Chromium: its times move the player there (by mouse and keyboard), the
part being said is marked while it plays, and "Follow along" scrolls the transcript's own box.

Signed in as the demo coordinator, who sees the same session page without practice tracking:
playing here starts no practice record that other browser tests would see.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import AXE_SOURCE, describe, violations_on
from tests.browser.test_player import DEMO_PASSWORD, MEDIA, session_titled, wait_for_media
from tests.media_fixtures import make_mp4_video

pytestmark = pytest.mark.browser

TITLE = "Body scan, lying down"  # 15 minutes of cues a minute apart; a tenth of it in the tests
TRANSCRIPT = "[data-transcript]"
CURRENT = '[data-transcript-cue][aria-current="true"]'


@pytest.fixture(scope="module")
def axe_script() -> str:
    """axe-core, as test_accessibility.py reads it (which says how to install it)."""
    if not AXE_SOURCE.is_file():
        pytest.skip(f"{AXE_SOURCE} is missing: see tests/browser/test_accessibility.py")
    return AXE_SOURCE.read_text(encoding="utf-8")


def sign_in_as_coordinator(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill("coordinator@demo.wellness")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/coordinator$"))


def open_session(context: BrowserContext, page: Page) -> None:
    sign_in_as_coordinator(page)
    page.goto(f"/sessions/{session_titled(context, TITLE)}")
    page.evaluate(f"() => {{ document.querySelector('{MEDIA}').muted = true; }}")
    wait_for_media(page, "m.readyState >= 1")


def current_cue(page: Page) -> Any:
    return page.evaluate(
        f"() => {{ const c = document.querySelectorAll('{CURRENT}');"
        " return c.length === 1 ? Number(c[0].dataset.transcriptCue) : c.length ? 'many' : null; }"
    )


def wait_for_current(page: Page, start: int) -> None:
    """Until the part starting at `start` is the one marked, and the only one (the mark
    follows the media's `seeked` and `timeupdate` events, a moment after the move)."""
    page.wait_for_function(
        f"() => {{ const c = document.querySelectorAll('{CURRENT}');"
        f" return c.length === 1 && c[0].dataset.transcriptCue === '{start}'; }}"
    )


def test_a_time_in_the_transcript_moves_the_player_there(
    context: BrowserContext, page: Page
) -> None:
    open_session(context, page)
    assert current_cue(page) is None  # nothing is marked before playback or a move

    page.get_by_role("button", name="Go to 0:30").click()

    wait_for_media(page, "Math.abs(m.currentTime - 30) < 0.5")
    assert page.evaluate(f"() => document.querySelector('{MEDIA}').paused") is True
    expect(page.locator("[data-player-elapsed]")).to_have_text("0:30")
    wait_for_current(page, 30)
    expect(page.locator(CURRENT)).to_contain_text("The thighs, heavy and supported.")

    by_keyboard = page.get_by_role("button", name="Go to 0:12")
    by_keyboard.focus()
    page.keyboard.press("Enter")
    wait_for_media(page, "Math.abs(m.currentTime - 12) < 0.5")
    expect(by_keyboard).to_be_focused()
    wait_for_current(page, 12)
    page.keyboard.press("Tab")  # the next time in the transcript
    expect(page.get_by_role("button", name="Go to 0:18")).to_be_focused()
    page.keyboard.press("Space")  # a button: Space moves too, and does not play
    wait_for_media(page, "Math.abs(m.currentTime - 18) < 0.5")
    wait_for_current(page, 18)
    assert page.evaluate(f"() => document.querySelector('{MEDIA}').paused") is True


def test_playing_marks_the_part_being_said(context: BrowserContext, page: Page) -> None:
    open_session(context, page)
    page.evaluate(f"() => {{ document.querySelector('{MEDIA}').currentTime = 17.2; }}")
    wait_for_current(page, 12)

    page.get_by_role("button", name="Play", exact=True).click()

    wait_for_media(page, "!m.paused && m.currentTime > 18.3")
    wait_for_current(page, 18)  # one part at a time
    expect(page.locator(CURRENT)).to_contain_text("The ankles, heels and the tops of the feet.")
    page.get_by_role("button", name="Pause").click()
    wait_for_media(page, "m.paused")


def test_follow_along_scrolls_the_transcript_not_the_page_and_is_remembered(
    context: BrowserContext, page: Page
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.emulate_media(reduced_motion="reduce")
    open_session(context, page)
    follow = page.get_by_label("Follow along")
    expect(follow).not_to_be_checked()  # off until chosen
    follow.check()
    page_scroll = page.evaluate("() => window.scrollY")
    assert page.evaluate(f"() => document.querySelector('{TRANSCRIPT}').scrollTop") == 0

    page.evaluate(f"() => {{ document.querySelector('{MEDIA}').currentTime = 86.5; }}")

    page.wait_for_function(f"() => document.querySelector('{TRANSCRIPT}').scrollTop > 0")
    wait_for_current(page, 86)
    in_view = page.evaluate(
        f"""() => {{
          const box = document.querySelector('{TRANSCRIPT}').getBoundingClientRect();
          const cue = document.querySelector('{CURRENT}').getBoundingClientRect();
          return cue.top >= box.top && cue.bottom <= box.bottom;
        }}"""
    )
    assert in_view is True
    assert page.evaluate("() => window.scrollY") == page_scroll

    page.reload()
    expect(page.get_by_label("Follow along")).to_be_checked()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_marked_transcript_has_no_axe_violations(
    context: BrowserContext, page: Page, axe_script: str, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 844})
    open_session(context, page)
    page.get_by_label("Follow along").check()
    page.get_by_role("button", name="Go to 0:42").click()
    page.wait_for_function(f"() => document.querySelector('{CURRENT}') !== null")

    found = violations_on(page, axe_script)

    assert not found, describe({f"session page at {width} px": found})


def test_without_javascript_the_times_are_text_and_the_page_is_whole(
    browser: Browser, live_server: LiveServer
) -> None:
    plain = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = plain.new_page()
        sign_in_as_coordinator(page)
        page.goto(f"/sessions/{session_titled(plain, TITLE)}")
        expect(page.locator(MEDIA)).to_have_attribute("controls", "")
        expect(page.get_by_role("button", name=re.compile(r"^Go to"))).to_have_count(0)
        expect(page.get_by_label("Follow along")).to_be_hidden()
        transcript = page.get_by_role("region", name="Transcript text")
        expect(transcript).to_contain_text("0:30 The thighs, heavy and supported.")
        expect(page.get_by_role("heading", name="For the care team")).to_be_visible()
    finally:
        plain.close()


VIDEO_TRANSCRIPT = (
    "[0:00] Sit tall, feet flat on the floor.\n\n"
    "[0:04] Raise the arms slowly & breathe in.\n\n"
    "Lower them as you breathe out.\n\n"
    "[0:08] Rest your hands on your <knees>."
)
TRACK = "document.querySelector('video').textTracks[0]"


def draft_video_session(context: BrowserContext, directory: Path) -> int:
    """A draft (no patient sees it) video session with a timed transcript, made through the
    JSON API with the signed-in coordinator's cookies."""
    video = make_mp4_video(directory, 12.0, name="chair-yoga.mp4")
    upload = context.request.post(
        "/api/v1/media",
        multipart={
            "file": {"name": video.name, "mimeType": "video/mp4", "buffer": video.read_bytes()}
        },
    )
    assert upload.ok, upload.text()
    body = {
        "title": "Chair yoga on video (transcript test)",
        "kind": "yoga",
        "primary_asset_id": upload.json()["id"],
        "transcript": VIDEO_TRANSCRIPT,
    }
    created = context.request.post("/api/v1/sessions", data=body)
    assert created.ok, created.text()
    return int(created.json()["id"])


def test_a_video_shows_one_caption_at_a_time_from_its_transcript(
    context: BrowserContext, page: Page, tmp_path: Path
) -> None:
    sign_in_as_coordinator(page)
    session = draft_video_session(context, tmp_path)
    page.goto(f"/sessions/{session}")
    page.wait_for_function(f"() => {TRACK}?.cues?.length === 3")
    assert page.evaluate(f"() => [{TRACK}.kind, {TRACK}.language, {TRACK}.mode]") == [
        "captions",
        "en",
        "showing",
    ]

    page.get_by_role("button", name="Go to 0:04").click()

    page.wait_for_function(f"() => {TRACK}.activeCues?.length > 0")
    active = page.evaluate(
        f"() => Array.from({TRACK}.activeCues, (cue) => cue.getCueAsHTML().textContent)"
    )
    assert active == ["Raise the arms slowly & breathe in.\nLower them as you breathe out."]
    page.get_by_label("Captions").uncheck()
    assert page.evaluate(f"() => {TRACK}.mode") == "hidden"
