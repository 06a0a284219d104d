"""Collections in Chromium: a coordinator puts one together with JavaScript turned off (find and
add sessions, move one up, save, publish), and a patient finds it with what they have done and
the session to do next. axe-core finds nothing on the patient's page (the coordinator's are
in the accessibility sweep); screenshots at desktop and phone
widths go to COLLECTION_SHOTS (default: the test's tmp_path)."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import axe_source as axe_source  # the fixture
from tests.browser.test_library_upload import new_context, sign_in
from tests.browser.test_reviews import no_axe_violations, shots

pytestmark = pytest.mark.browser

# Sessions of the demo library: the demo patient has completed the first and the last (their
# seeded history), never the second.
SLOW = "Slow breathing for hard moments"
KINDNESS = "Kindness on a hard day"
FIVE_SENSES = "Five senses: grounding in the room"


def add(page: Page, words: str, title: str) -> None:
    page.get_by_label("Find sessions").fill(words)
    page.get_by_role("button", name="Find", exact=True).click()
    page.get_by_role("button", name=f"Add “{title}”").click()
    expect(page.locator(".collection-editor__list")).to_contain_text(title)


def order_on(page: Page, selector: str) -> list[str]:
    return [text.strip() for text in page.locator(selector).all_inner_texts()]


def test_a_coordinator_builds_and_publishes_a_collection_and_a_patient_sees_what_is_next(
    browser: Browser, live_server: LiveServer, axe_source: str, tmp_path: Path
) -> None:
    directory = Path(os.environ.get("COLLECTION_SHOTS", tmp_path))
    directory.mkdir(parents=True, exist_ok=True)
    title = f"Browser week {secrets.token_hex(3)}"

    coordinator = new_context(browser, live_server, java_script_enabled=False)
    page = coordinator.new_page()
    sign_in(page, "coordinator@demo.wellness")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Library").click()
    page.get_by_role("navigation", name="Library").get_by_role("link", name="Collections").click()
    page.get_by_role("link", name="New collection").click()
    page.get_by_label("Title").fill(title)
    add(page, "kindness", KINDNESS)
    add(page, "slow breathing hard", SLOW)
    add(page, "five senses", FIVE_SENSES)
    expect(page.get_by_label("Title")).to_have_value(title)  # kept through every step
    page.get_by_role("button", name=f"Move “{SLOW}” Up").click()
    titles = ".collection-editor__title a"
    assert order_on(page, titles) == [SLOW, KINDNESS, FIVE_SENSES]
    expect(page.get_by_text("Not saved yet")).to_be_visible()
    # No axe here: it runs in the page, which runs no script (the sweep checks these pages).
    shots(page, directory, "collection-new")

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("The collection was saved as a draft.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert order_on(page, titles) == [SLOW, KINDNESS, FIVE_SENSES]
    shots(page, directory, "collection-edit")
    page.get_by_role("button", name="Save and publish").click()
    expect(page.get_by_text(f"“{title}” is published")).to_be_visible()
    coordinator.close()

    patient = new_context(browser, live_server)
    page = patient.new_page()
    sign_in(page, "patient@demo.wellness")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Library").click()
    page.get_by_role("navigation", name="Library").get_by_role("link", name="Collections").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Collections")
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=2, name=f"Next: {KINDNESS}")).to_be_visible()
    rows = page.locator(".collection-session")
    assert order_on(page, ".collection-session__title") == [SLOW, KINDNESS, FIVE_SENSES]
    expect(rows.nth(0)).to_contain_text("Done")
    expect(rows.nth(1)).to_contain_text("Next")
    expect(rows.nth(2)).to_contain_text("Done")
    expect(page.get_by_text("You have done 2 of 3")).to_be_visible()
    no_axe_violations(page, axe_source)
    shots(page, directory, "collection-patient")

    page.get_by_role("link", name=re.compile(r"^Go to this session")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(KINDNESS)
    patient.close()
