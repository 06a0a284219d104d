"""Clinical review in Chromium: a therapist previews the breath-hold draft (playing it records no
practice) and asks for changes; the coordinator sees the request on the edit page, and publishing
asks first. axe-core finds nothing on these pages; screenshots at desktop and phone widths go to
REVIEW_SHOTS (default: the test's tmp_path)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import axe_source as axe_source  # the fixture
from tests.browser.test_accessibility import violations_on
from tests.browser.test_library_upload import new_context, sign_in

pytestmark = pytest.mark.browser

DRAFT = "Box breathing with holds (awaiting clinical review)"
COMMENT = "Make every hold optional and say plainly that anyone still tapering should skip them."
WIDTHS = (1280, 390)
# What starts or reports a practice: /practice/start, /api/v1/practice..., not /static/practice.css.
PRACTICE = re.compile(r"//[^/]+/(api/v1/)?practice(/|$|\?)")


def shots(page: Page, directory: Path, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        path = directory / f"{name}-{width}.png"
        page.screenshot(path=path, full_page=True)
        assert path.stat().st_size > 0
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def no_axe_violations(page: Page, axe_source: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert violations_on(page, axe_source) == [], (page.url, width)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def test_a_therapist_reviews_a_draft_and_the_coordinator_sees_it(
    browser: Browser, live_server: LiveServer, axe_source: str, tmp_path: Path
) -> None:
    directory = Path(os.environ.get("REVIEW_SHOTS", tmp_path))
    directory.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    practice_requests: list[str] = []

    def watch(request: Request) -> None:
        if PRACTICE.search(request.url):
            practice_requests.append(f"{request.method} {request.url}")

    therapist = new_context(browser, live_server)
    page = therapist.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", watch)
    sign_in(page, "therapist2@demo.wellness")

    # The menu counts the drafts no therapist reviewed as they stand; the seeded one has
    # Theo's request for changes, so nothing is waiting, and the link is there all the same.
    menu = page.get_by_role("navigation", name="Main")
    menu.get_by_role("link", name=re.compile(r"^Drafts to review")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Drafts to review")
    row = page.locator(".draft-list__item", has_text=DRAFT)
    expect(row).to_contain_text("Changes requested by Theo Therapist")
    no_axe_violations(page, axe_source)
    shots(page, directory, "drafts-to-review")

    # The preview: the session as patients would see it; playing it records nothing.
    row.get_by_role("link", name=DRAFT).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(DRAFT)
    expect(page.get_by_text("Patients can't see this draft yet")).to_be_visible()
    audio = page.locator("audio")
    expect(audio).to_have_attribute("src", re.compile(r"^/media/\d+$"))
    page.locator("[data-player-toggle]").click()
    page.wait_for_function("() => document.querySelector('audio').currentTime > 0.5")
    page.locator("[data-player-toggle]").click()
    expect(page.locator("[data-after-rating], [data-before-rating]")).to_have_count(0)
    no_axe_violations(page, axe_source)

    # Asking for changes needs a comment: refused first, with the error summary focused.
    page.get_by_label("Request changes").check()
    page.get_by_role("button", name="Save review").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".error-summary")).to_contain_text("Comment: Say what needs to change")
    no_axe_violations(page, axe_source)
    expect(page.get_by_label("Request changes")).to_be_checked()
    page.get_by_label("Comment").fill(COMMENT)
    shots(page, directory, "draft-preview-with-review-form")
    page.get_by_role("button", name="Save review").click()
    expect(page.locator(".flash--success")).to_contain_text(f"“{DRAFT}” is sent back")
    expect(page.locator(".draft-list__item", has_text=DRAFT)).to_contain_text(
        "Changes requested by Theo Therapist and Tamsin Therapist"
    )
    assert practice_requests == []
    therapist.close()

    # The coordinator reads both requests on the edit page; publishing asks first.
    coordinator = new_context(browser, live_server)
    page = coordinator.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, "coordinator@demo.wellness")
    page.goto("/sessions?status=draft")
    card = page.locator(".session-card", has_text=DRAFT)
    expect(card).to_contain_text("Changes requested by Theo Therapist and Tamsin Therapist")
    card.get_by_role("link", name=DRAFT).click()
    page.get_by_role("link", name=re.compile("^Edit")).click()
    reviews = page.locator(
        "section", has=page.get_by_role("heading", name="Clinical review", exact=True)
    )
    expect(reviews).to_contain_text(COMMENT)
    expect(reviews).to_contain_text("Changes requested by Tamsin Therapist")
    expect(reviews).to_contain_text("Of an earlier version")  # Tamsin's first approval
    no_axe_violations(page, axe_source)
    shots(page, directory, "edit-page-with-reviews")

    page.get_by_role("button", name="Save and publish").click()
    check = page.locator(".publish-check")
    expect(check).to_be_focused()
    expect(check).to_contain_text("Changes requested by Theo Therapist and Tamsin Therapist")
    no_axe_violations(page, axe_source)
    shots(page, directory, "publish-check")
    coordinator.close()
    assert errors == []
