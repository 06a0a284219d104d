"""Suggestions in Chromium: a patient at high distress is offered only short gentle sessions with
their reasons, starts one from its card, and their therapist sees that list and what was started
from it on the patient's page."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SERVER_START, LiveServer
from tests.browser.test_accessibility import axe_source, describe, sign_in, violations_on

pytestmark = pytest.mark.browser

THERAPIST = "therapist2@demo.wellness"  # Tamsin looks after Sam
PATIENT = "patient3@demo.wellness"  # Sam, New York
# 09:00 in New York the day after the other tests' morning: a new practice day for Sam.
NEXT_MORNING_IN_NEW_YORK = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
HIGH = 8
START_PLAYING = """
async () => {
  const media = document.querySelector("[data-player-media]");
  media.muted = true;
  await media.play();
  await new Promise(resolve => setTimeout(resolve, 1500));
  media.pause();
}
"""

__all__ = ["axe_source"]  # the fixture, shared with the accessibility tests


def practice_of(page: Page, session_id: int) -> dict[str, Any]:
    """The patient's newest practice, once the player has reported it; give it a moment."""
    deadline = time.monotonic() + 10
    while True:
        items = page.context.request.get("/api/v1/practice").json()["items"]
        if items and items[0]["session_id"] == session_id:
            return dict(items[0])
        assert time.monotonic() < deadline, f"no practice of session {session_id}: {items[:1]}"
        time.sleep(0.2)


def test_a_distressed_patient_gets_gentle_suggestions_and_the_therapist_sees_them(
    page: Page, second_page: Page, live_server: LiveServer, axe_source: str
) -> None:
    live_server.set_clock(NEXT_MORNING_IN_NEW_YORK)
    try:
        sign_in(page, PATIENT)
        scale = page.get_by_role("group", name="How anxious or distressed")
        scale.get_by_role("radio", name=str(HIGH), exact=True).check()
        page.get_by_role("button", name="Save check-in").click()
        page.goto("/patient")

        suggested = page.get_by_role("region", name="Suggested for you now")
        cards = suggested.locator(".suggestion")
        expect(cards.first).to_be_visible()
        assert 1 <= cards.count() <= 5
        expect(suggested).to_contain_text(f"Your anxiety is {HIGH}/10")
        for text in cards.all_inner_texts():
            minutes = re.search(r"· (under 1|\d+) min", text)
            assert minutes, text
            assert minutes.group(1) == "under 1" or int(minutes.group(1)) <= 10, text
        problems = violations_on(page, axe_source)
        assert not problems, f"axe-core found violations:\n{describe({'home': problems})}"

        more = suggested.locator("details.suggestion__more").first
        if more.count():
            more.locator("summary").click()
            expect(more.locator("li").first).to_be_visible()

        first = cards.first.get_by_role("link")
        title = first.inner_text()
        first.click()
        expect(page).to_have_url(re.compile(r"/sessions/\d+\?suggestion=\d+$"))
        session_id = int(re.search(r"/sessions/(\d+)", page.url).group(1))  # type: ignore[union-attr]
        page.evaluate(START_PLAYING)
        practice_of(page, session_id)

        sign_in(second_page, THERAPIST)
        second_page.get_by_role("region", name="Your patients").get_by_role(
            "link", name="Sam Patient", exact=True
        ).click()
        last = second_page.get_by_role("region", name="Last suggested")
        expect(last).to_contain_text(f"latest rating {HIGH}/10")
        started = last.locator("ol > li", has=second_page.get_by_text("Started from this list"))
        expect(started).to_have_count(1)
        expect(started).to_contain_text(title)
    finally:
        live_server.set_clock(SERVER_START)
