"""A patient's day in Chromium: rate anxiety, play a session to the end, rate again, and see the
streak and the new before/after point on the progress chart; a high rating brings up support."""

from __future__ import annotations

import re
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

from tests.browser.conftest import SERVER_START, LiveServer

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo-wellness"
# Kai has no demo history, so the first completed session starts a streak of one day.
PATIENT = "patient4@demo.wellness"
# Thursday 4 December, 02:30 in Tokyo (17:30 UTC): still Kai's practice day of the 3rd, two days
# after the caseload journey's Tuesday, so neither test sees the other's practice.
TOKYO_AT_2_30 = datetime(2026, 12, 4, 2, 30, tzinfo=ZoneInfo("Asia/Tokyo"))

# The player sets the listener's chosen rate again on `loadedmetadata` (some browsers reset it
# when a source loads), so the test's faster rate is set once playback has begun, when the
# metadata is surely in: set before, it could be undone, and a one-minute session then played
# at 1x against the old 60 s limit.
PLAY_TO_THE_END = """
async () => {
  const media = document.querySelector("[data-player-media]");
  media.muted = true;
  const ended = new Promise((resolve, reject) => {
    media.addEventListener("ended", resolve, { once: true });
    setTimeout(() => reject(new Error(`not ended within 90 s at ${media.playbackRate}x`)), 90000);
  });
  await media.play();
  media.playbackRate = 2;
  await ended;
  return media.duration;
}
"""


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/patient$"))


def rate(page: Page, question: str, level: int) -> None:
    scale = page.get_by_role("group", name=question)
    scale.get_by_role("radio", name=str(level), exact=True).check()


def latest_practice_id(context: BrowserContext) -> int:
    """By id, not by the list's order: tests set the server's clock back and forth."""
    items = context.request.get("/api/v1/practice?per_page=100").json()["items"]
    return max((int(item["id"]) for item in items), default=0)


def latest_practice_when_completed(context: BrowserContext, after: int = 0) -> dict[str, Any]:
    """The patient's latest practice (newer than `after`) once completed. The practice record
    and the player's final progress report may land after the media has ended; give them a
    moment."""
    deadline = time.monotonic() + 10
    while True:
        items = context.request.get("/api/v1/practice?per_page=100").json()["items"]
        newer = [item for item in items if item["id"] > after]
        latest = max(newer, key=lambda item: int(item["id"])) if newer else None
        if (latest and latest["completed"]) or time.monotonic() > deadline:
            assert latest is not None, f"no practice newer than {after}: {items[:1]}"
            assert latest["completed"], latest
            return dict(latest)
        time.sleep(0.2)


def shortest_breathing_session(context: BrowserContext) -> int:
    listing = context.request.get("/api/v1/sessions?kind=breathing&per_page=50").json()
    playable = [item for item in listing["items"] if item["duration_seconds"] > 0]
    return int(min(playable, key=lambda item: item["duration_seconds"])["id"])


def test_rate_play_rate_again_and_see_progress(
    context: BrowserContext, page: Page, live_server: LiveServer
) -> None:
    # 02:30 in Kai's Tokyo: after midnight, before the 03:00 rollover (issue 8's failure).
    live_server.set_clock(TOKYO_AT_2_30)
    try:
        page.clock.install(time=TOKYO_AT_2_30)
        sign_in(page, PATIENT)

        rate(page, "How anxious or distressed", 4)
        page.get_by_label("Craving").check()
        page.get_by_role("button", name="Save check-in").click()
        expect(page.get_by_text("You rated 4 out of 10")).to_be_visible()

        before = latest_practice_id(context)
        page.goto(f"/sessions/{shortest_breathing_session(context)}")
        rate(page, "Before you start", 6)
        page.get_by_role("button", name="Save and start").click()  # plays at once, no reload
        expect(page.get_by_role("heading", name="After your practice")).to_be_visible()
        page.evaluate(PLAY_TO_THE_END)
        practice = latest_practice_when_completed(context, after=before)
        assert practice["evidence"] == "observed_playback"
        assert practice["listened_seconds"] >= 0.8 * practice["duration_seconds"]

        rate(page, "How anxious do you feel now?", 3)
        page.get_by_role("button", name="Save rating").click()

        expect(page).to_have_url(re.compile(r"/progress$"))
        expect(page.get_by_text("Thank you. Your rating is saved.")).to_be_visible()
        streak = page.get_by_role("region", name="Practice days")
        expect(streak.get_by_text("1 day").first).to_be_visible()
        timeline = page.locator("#anxiety-timeline")
        expect(timeline.get_by_role("img", name="Anxiety over time")).to_be_visible()
        expect(timeline.locator("title", has_text="6 before, 3 after")).to_have_count(1)
        checked_in = re.compile(r"Check-in 4 Dec 2026, 02:3\d: 4 out of 10")
        expect(timeline.locator("title", has_text=checked_in)).to_have_count(1)
        page.screenshot(path=str(_artifact("progress-after-practice.png")), full_page=True)

    finally:
        live_server.set_clock(SERVER_START)  # what every other test starts from


def test_a_high_rating_shows_the_support_panel(page: Page) -> None:
    sign_in(page, PATIENT)

    rate(page, "How anxious or distressed", 9)
    page.get_by_role("button", name="Save check-in").click()

    expect(page).to_have_url(re.compile(r"/support$"))
    expect(page.get_by_role("heading", name="Thank you for telling us")).to_be_visible()
    expect(page.get_by_text("not watching around the clock")).to_be_visible()
    calming = page.locator(".calming-list a")
    assert calming.count() >= 1


def _artifact(name: str) -> Path:
    folder = Path("/tmp/wellness-browser-artifacts")
    folder.mkdir(exist_ok=True)
    return folder / name


START_PLAYING = """
async () => {
  const media = document.querySelector("[data-player-media]");
  media.muted = true;
  await media.play();
}
"""


def test_pressing_play_without_a_rating_starts_one_practice(
    context: BrowserContext, page: Page
) -> None:
    sign_in(page, "patient3@demo.wellness")
    before = len(context.request.get("/api/v1/practice").json()["items"])
    page.goto(f"/sessions/{shortest_breathing_session(context)}")
    expect(page.get_by_role("heading", name="After your practice")).to_be_hidden()

    page.evaluate(START_PLAYING)

    expect(page.get_by_role("heading", name="After your practice")).to_be_visible()
    expect(page.get_by_role("button", name="Save and start")).to_be_hidden()
    rate(page, "How anxious do you feel now?", 2)
    page.get_by_role("button", name="Save rating").click()
    expect(page).to_have_url(re.compile(r"/progress$"))
    practices = context.request.get("/api/v1/practice?per_page=100").json()["items"]
    assert len(practices) == before + 1
    assert practices[0]["evidence"] == "observed_playback"


def test_playing_before_the_player_script_has_run_is_still_recorded(
    context: BrowserContext, page: Page
) -> None:
    """On a slow connection the page shows the media with the browser's own controls before
    player.js and practice.js arrive; playing it then is recorded when the scripts run."""
    sign_in(page, "patient2@demo.wellness")
    before = latest_practice_id(context)
    held: list[Route] = []
    page.route("**/static/js/{player,practice}.js", lambda route: held.append(route))
    page.goto(f"/sessions/{shortest_breathing_session(context)}", wait_until="commit")
    page.locator("[data-player-media]").wait_for(state="attached")
    page.evaluate(START_PLAYING)
    deadline = time.monotonic() + 10
    while len(held) < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(50)  # lets the route handler run
    assert sorted(route.request.url.rsplit("/", 1)[1] for route in held) == [
        "player.js",
        "practice.js",
    ], "the page asks for the player's scripts"
    for route in held:
        route.continue_()

    page.evaluate(PLAY_TO_THE_END)
    practice = latest_practice_when_completed(context, after=before)
    assert practice["evidence"] == "observed_playback"
    assert practice["listened_seconds"] >= 0.8 * practice["duration_seconds"]
