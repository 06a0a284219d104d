"""The session player in Chromium: "Save and start" plays at once, a reload resumes the open
practice, and the player's own controls work by keyboard and from the lock screen."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo-wellness"
MEDIA = "[data-player-media]"
SHOTS = Path("/tmp/wellness-browser-artifacts")


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/patient$"))


def session_titled(context: BrowserContext, title: str) -> int:
    listing = context.request.get("/api/v1/sessions?per_page=50").json()
    return int(next(item["id"] for item in listing["items"] if item["title"] == title))


def media(page: Page, expression: str) -> Any:
    """A property of the page's media element (`currentTime`, `paused`, ...)."""
    return page.evaluate(f"() => document.querySelector('{MEDIA}').{expression}")


def wait_for_media(page: Page, condition: str) -> None:
    page.wait_for_function(
        f"() => {{ const m = document.querySelector('{MEDIA}'); return {condition}; }}"
    )


def latest_practice(context: BrowserContext, **expected: Any) -> dict[str, Any]:
    """The newest practice once the player's reports have reached the server."""
    deadline = time.monotonic() + 10
    while True:
        latest: dict[str, Any] = context.request.get("/api/v1/practice").json()["items"][0]
        if all(check(latest[key]) for key, check in expected.items()):
            return latest
        assert time.monotonic() < deadline, latest
        time.sleep(0.2)


def test_save_and_start_saves_the_rating_and_plays_without_reloading(
    context: BrowserContext, page: Page
) -> None:
    sign_in(page, "patient2@demo.wellness")
    session_id = session_titled(context, "Drifting towards sleep")
    page.goto(f"/sessions/{session_id}")
    page.evaluate(
        f"() => {{ window.notReloaded = true; document.querySelector('{MEDIA}').muted = true; }}"
    )
    expect(page.get_by_role("heading", name="After your practice")).to_be_hidden()

    page.get_by_role("group", name="Before you start").get_by_role(
        "radio", name="5", exact=True
    ).check()
    page.get_by_role("button", name="Save and start").click()

    wait_for_media(page, "!m.paused && m.currentTime > 1")
    assert page.evaluate("() => window.notReloaded === true")
    assert page.url.endswith(f"/sessions/{session_id}")
    practice = latest_practice(context, session_id=lambda value: value == session_id)
    assert practice["evidence"] == "observed_playback"
    before = context.request.get("/api/v1/checkins").json()["items"][0]
    assert (before["context"], before["level"], before["practice_id"]) == (
        "before_session",
        5,
        practice["id"],
    )
    expect(page.get_by_role("button", name="Save and start")).to_be_hidden()
    expect(page.get_by_role("heading", name="After your practice")).to_be_visible()
    expect(page.get_by_role("button", name="Pause")).to_be_focused()


def test_a_reload_in_the_middle_resumes_the_practice_with_its_after_rating(
    context: BrowserContext, page: Page
) -> None:
    sign_in(page, "patient2@demo.wellness")
    session_id = session_titled(context, "Sitting in silence, with bells")
    page.goto(f"/sessions/{session_id}")
    page.evaluate(f"() => {{ document.querySelector('{MEDIA}').muted = true; }}")
    page.get_by_role("button", name="Play", exact=True).click()
    wait_for_media(page, "!m.paused && m.currentTime > 3")
    practice = latest_practice(context, session_id=lambda value: value == session_id)
    page.get_by_role("button", name="Pause").click()
    position = media(page, "currentTime")

    page.reload()

    wait_for_media(page, "m.readyState >= 1 && m.currentTime > 0")
    assert media(page, "currentTime") == pytest.approx(position, abs=1.5)
    assert media(page, "paused") is True
    expect(page.get_by_role("heading", name="After your practice")).to_be_visible()
    expect(page.get_by_role("button", name="Save and start")).to_have_count(0)
    expect(page.locator("[data-player]")).to_have_attribute("data-practice-id", str(practice["id"]))
    expect(page.locator("[data-player-status]")).to_contain_text("Continuing where you left off")
    page.get_by_role("button", name="Play", exact=True).click()
    wait_for_media(page, f"!m.paused && m.currentTime > {position + 0.5}")
    page.get_by_role("button", name="Pause").click()
    stored = latest_practice(context, listened_seconds=lambda value: value >= int(position))
    assert stored["id"] == practice["id"]  # the same practice goes on: no second record


# Keeps what the page gives the Media Session, so the test can press the lock screen's buttons.
RECORD_MEDIA_SESSION = """
window.mediaSessionHandlers = {};
const register = navigator.mediaSession.setActionHandler.bind(navigator.mediaSession);
navigator.mediaSession.setActionHandler = (action, handler) => {
  window.mediaSessionHandlers[action] = handler;
  register(action, handler);
};
"""


def lock_screen(page: Page, action: str, details: str = "{}") -> None:
    page.evaluate(f"() => window.mediaSessionHandlers['{action}']({details})")


def test_the_players_own_controls_work_by_keyboard_and_from_the_lock_screen(
    context: BrowserContext, page: Page
) -> None:
    page.add_init_script(RECORD_MEDIA_SESSION)
    sign_in(page, "patient2@demo.wellness")
    page.goto(f"/sessions/{session_titled(context, 'Body scan, lying down')}")
    page.evaluate(f"() => {{ document.querySelector('{MEDIA}').muted = true; }}")
    assert media(page, "controls") is False  # the native bar only without JavaScript
    assert page.evaluate("() => navigator.mediaSession.metadata.title") == "Body scan, lying down"
    assert page.evaluate("() => navigator.mediaSession.metadata.artist") == "Ines Duarte"

    toggle = page.get_by_role("button", name="Play", exact=True)
    toggle.focus()
    page.keyboard.press("Space")
    wait_for_media(page, "!m.paused")
    expect(page.get_by_role("button", name="Pause")).to_be_focused()
    assert page.evaluate("() => navigator.mediaSession.playbackState") == "playing"
    page.keyboard.press("Space")
    wait_for_media(page, "m.paused")

    seek = page.get_by_role("slider", name="Position")
    seek.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    wait_for_media(page, "Math.abs(m.currentTime - 10) < 1.5")
    expect(seek).to_have_attribute(
        "aria-valuetext", re.compile(r"^10 seconds of 1 minute 30 seconds$")
    )
    page.get_by_role("button", name="Forward 10 seconds").focus()
    page.keyboard.press("Enter")
    wait_for_media(page, "Math.abs(m.currentTime - 20) < 1.5")
    page.get_by_role("button", name="Back 10 seconds").focus()
    page.keyboard.press("Space")
    wait_for_media(page, "Math.abs(m.currentTime - 10) < 1.5")
    expect(page.locator("[data-player-elapsed]")).to_have_text("0:10")
    expect(page.locator("[data-player-remaining]")).to_have_text("\u22121:20")  # a minus sign
    seek.focus()
    page.keyboard.press("End")
    wait_for_media(page, "m.currentTime > 85")
    page.keyboard.press("Home")
    wait_for_media(page, "m.currentTime < 1")

    page.get_by_label("Speed").select_option("1.25")
    assert media(page, "playbackRate") == 1.25

    handlers = page.evaluate("() => Object.keys(window.mediaSessionHandlers).sort()")
    assert handlers == ["pause", "play", "seekbackward", "seekforward", "seekto"]
    lock_screen(page, "seekto", "{ action: 'seekto', seekTime: 30 }")
    wait_for_media(page, "Math.abs(m.currentTime - 30) < 1")
    lock_screen(page, "seekforward", "{ action: 'seekforward' }")
    wait_for_media(page, "Math.abs(m.currentTime - 40) < 1")
    lock_screen(page, "seekbackward", "{ action: 'seekbackward', seekOffset: 25 }")
    wait_for_media(page, "Math.abs(m.currentTime - 15) < 1")
    lock_screen(page, "play")
    wait_for_media(page, "!m.paused")
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    lock_screen(page, "pause")
    wait_for_media(page, "m.paused")
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible()


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 900)])
def test_the_player_comes_first_on_the_session_page(
    context: BrowserContext, page: Page, width: int, height: int
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, "patient2@demo.wellness")
    page.goto(f"/sessions/{session_titled(context, 'Gentle chair yoga')}")

    play = page.get_by_role("button", name="Play", exact=True)
    expect(play).to_be_visible()
    box = play.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] < height  # in the first screen, above the rating form
    rating = page.get_by_role("group", name="Before you start").bounding_box()
    assert rating is not None
    assert box["y"] < rating["y"]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"session-page-{width}.png"), full_page=True)


def test_the_keyboard_hint_shows_with_a_mouse_and_hides_on_a_touch_screen(
    browser: Browser, live_server: LiveServer
) -> None:
    # Chromium's phone emulation reports `hover: none` and `pointer: coarse`, as a phone does.
    shown: dict[bool, bool] = {}
    for touch in (False, True):
        device = browser.new_context(
            base_url=live_server.url,
            viewport={"width": 390, "height": 844},
            is_mobile=touch,
            has_touch=touch,
        )
        try:
            page = device.new_page()
            sign_in(page, "patient2@demo.wellness")
            page.goto(f"/sessions/{session_titled(device, 'Seated body scan')}")
            expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible()
            shown[touch] = page.get_by_text("With the player selected").is_visible()
        finally:
            device.close()
    assert shown == {False: True, True: False}


def test_without_javascript_the_native_player_and_the_forms_still_work(
    browser: Browser, live_server: LiveServer
) -> None:
    plain = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = plain.new_page()
        sign_in(page, "patient2@demo.wellness")
        page.goto(f"/sessions/{session_titled(plain, 'Seated body scan')}")
        expect(page.locator(MEDIA)).to_have_attribute("controls", "")
        expect(page.get_by_role("button", name="Play", exact=True)).to_be_hidden()
        expect(page.get_by_role("heading", name="After your practice")).to_be_hidden()

        rating = page.get_by_role("group", name="Before you start")
        rating.get_by_role("radio", name="3", exact=True).check()
        page.get_by_role("button", name="Save and start").click()

        expect(page).to_have_url(re.compile(r"\?practice=\d+"))
        expect(page.get_by_role("heading", name="After your practice")).to_be_visible()
        page.get_by_role("group", name="How anxious do you feel now?").get_by_role(
            "radio", name="2", exact=True
        ).check()
        page.get_by_role("button", name="Save rating").click()
        expect(page).to_have_url(re.compile(r"/progress$"))
        expect(page.get_by_text("Thank you. Your rating is saved.")).to_be_visible()
    finally:
        plain.close()


def test_a_high_rating_before_shows_support_and_the_practice_waits(
    context: BrowserContext, page: Page
) -> None:
    sign_in(page, "patient2@demo.wellness")
    session_id = session_titled(context, "Five senses: grounding in the room")
    page.goto(f"/sessions/{session_id}")
    page.evaluate(f"() => {{ document.querySelector('{MEDIA}').muted = true; }}")

    rating = page.get_by_role("group", name="Before you start")
    rating.get_by_role("radio", name="9", exact=True).check()
    page.get_by_role("button", name="Save and start").click()

    expect(page).to_have_url(re.compile(r"/support$"))
    expect(page.get_by_role("heading", name="Thank you for telling us")).to_be_visible()
    practice = latest_practice(context, session_id=lambda value: value == session_id)
    page.get_by_role("link", name="Continue where you were").click()
    expect(page).to_have_url(re.compile(rf"/sessions/{session_id}$"))
    expect(page.locator("[data-player]")).to_have_attribute("data-practice-id", str(practice["id"]))
    expect(page.get_by_role("button", name="Save and start")).to_have_count(0)
