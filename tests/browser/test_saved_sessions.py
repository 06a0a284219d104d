"""Saved sessions in Chromium: the demo patient saves a session from a library card with
JavaScript on (in place: the button flips, a polite message is said, nothing moves), and another
from its page with JavaScript off (the form comes back to the page); both are under Saved,
newest first, beside the one archived since it was saved; then unsaved both ways. axe-core finds
nothing on the Saved tab; screenshots at desktop and phone widths go to SAVED_SHOTS (default:
the test's tmp_path). The Saved tab's search box and filters narrow the list, say when nothing
matches, and carry the search to the library's tab."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import axe_source as axe_source  # the fixture
from tests.browser.test_library_upload import new_context, sign_in
from tests.browser.test_reviews import no_axe_violations, shots

pytestmark = pytest.mark.browser

FIVE_SENSES = "Five senses: grounding in the room"
BREATHING_SPACE = "Three-minute breathing space"
ARCHIVED = "Walking meditation"  # saved by the demo patient before it was archived


def card(page: Page, title: str) -> Locator:
    return page.locator(".session-card").filter(has=page.get_by_role("heading", name=title))


def toggle(page: Page, title: str) -> Locator:
    return card(page, title).locator(".save-toggle__button")


def saved_titles(page: Page) -> list[str]:
    page.goto("/sessions?saved=1")
    return [text.strip() for text in page.locator(".session-card__title").all_inner_texts()]


def test_a_patient_saves_with_and_without_script_finds_them_under_saved_and_unsaves(
    browser: Browser, live_server: LiveServer, axe_source: str, tmp_path: Path
) -> None:
    directory = Path(os.environ.get("SAVED_SHOTS", tmp_path))
    directory.mkdir(parents=True, exist_ok=True)
    scripted = new_context(browser, live_server)
    page = scripted.new_page()
    sign_in(page, "patient@demo.wellness")
    before = saved_titles(page)
    assert FIVE_SENSES not in before
    assert BREATHING_SPACE not in before
    assert any(title.startswith(ARCHIVED) for title in before)

    page.goto("/sessions")
    button = toggle(page, FIVE_SENSES)
    expect(button).to_have_attribute("aria-pressed", "false")
    box = card(page, FIVE_SENSES).bounding_box()
    button_box = button.bounding_box()
    url = page.url
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_contain_text("Saved")
    expect(page.locator("[data-saved-status]")).to_have_text(f"“{FIVE_SENSES}” is saved.")
    assert page.url == url  # in place, no reload
    assert card(page, FIVE_SENSES).bounding_box() == box
    assert button.bounding_box() == button_box  # the same width for both words
    shots(page, directory, "library-saved-card")

    unscripted = new_context(browser, live_server, java_script_enabled=False)
    plain = unscripted.new_page()
    sign_in(plain, "patient@demo.wellness")
    plain.goto("/sessions")
    plain.get_by_role("link", name=BREATHING_SPACE).click()
    session_url = plain.url
    plain.get_by_role("button", name=f"Save “{BREATHING_SPACE}”").click()
    expect(plain).to_have_url(re.compile(re.escape(session_url) + "#save$"))
    expect(plain.get_by_text(f"“{BREATHING_SPACE}” is saved")).to_be_visible()
    expect(plain.get_by_role("button", name=f"Saved “{BREATHING_SPACE}”")).to_have_attribute(
        "aria-pressed", "true"
    )
    shots(plain, directory, "session-saved")

    titles = saved_titles(page)
    assert titles[:2] == [BREATHING_SPACE, FIVE_SENSES]  # newest saved first
    gone = page.locator(".session-card--gone")
    expect(gone).to_have_count(1)
    expect(gone).to_contain_text("No longer in the library")
    expect(gone.get_by_role("link")).to_have_count(0)
    no_axe_violations(page, axe_source)
    shots(page, directory, "saved-tab")

    plain.goto("/sessions?saved=1")
    toggle(plain, BREATHING_SPACE).click()  # without script: the form, back to the list
    expect(plain).to_have_url(re.compile(r"/sessions\?saved=1#session-\d+$"))
    expect(card(plain, BREATHING_SPACE)).to_have_count(0)
    unscripted.close()

    page.goto("/sessions")
    toggle(page, FIVE_SENSES).click()
    expect(toggle(page, FIVE_SENSES)).to_have_attribute("aria-pressed", "false")
    expect(page.locator("[data-saved-status]")).to_have_text(f"“{FIVE_SENSES}” is no longer saved.")
    assert saved_titles(page) == before
    scripted.close()


def test_a_patient_searches_their_saved_sessions_and_takes_the_search_to_the_library(
    browser: Browser, live_server: LiveServer, axe_source: str, tmp_path: Path
) -> None:
    directory = Path(os.environ.get("SAVED_SHOTS", tmp_path))
    directory.mkdir(parents=True, exist_ok=True)
    context = new_context(browser, live_server)
    page = context.new_page()
    sign_in(page, "patient@demo.wellness")
    everything = saved_titles(page)

    search = page.get_by_role("search", name="Saved sessions")
    search.get_by_label("Search your saved sessions").fill("walking")
    search.get_by_role("button", name="Search saved").click()

    titles = page.locator(".session-card__title")
    expect(titles).to_have_count(1)
    expect(titles.first).to_contain_text(ARCHIVED)  # gone from the library: found by its title
    expect(page.locator(".table-summary")).to_contain_text(
        f"1 of your {len(everything)} saved sessions matches “walking”."
    )
    expect(page.get_by_label("Search your saved sessions")).to_have_value("walking")
    no_axe_violations(page, axe_source)
    shots(page, directory, "saved-search")

    search = page.get_by_role("search", name="Saved sessions")
    search.get_by_label("Kind").select_option("yoga")
    search.get_by_role("button", name="Search saved").click()
    expect(page.locator(".empty")).to_contain_text(
        "None of your saved sessions match “walking” with these filters."
    )
    no_axe_violations(page, axe_source)
    shots(page, directory, "saved-search-empty")

    page.get_by_role("navigation", name="Library").get_by_role("link", name="Sessions").click()
    expect(page.get_by_role("heading", name="Practice sessions", level=1)).to_be_visible()
    expect(page.get_by_label("Search", exact=True)).to_have_value("walking")
    page.get_by_role("main").get_by_role("link", name="Clear filters").first.click()
    page.get_by_role("navigation", name="Library").get_by_role("link", name="Saved").click()
    expect(titles).to_have_count(len(everything))
    context.close()
