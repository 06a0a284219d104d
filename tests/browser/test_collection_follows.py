"""Following a collection in Chromium: a patient starts one from its page, finds it on their home
page with their progress, goes to its next session from there, and stops following it again.
The home page and the collection page pass axe-core at desktop and phone widths; screenshots
go to FOLLOW_SHOTS (default: the test's tmp_path)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import axe_source as axe_source  # the fixture
from tests.browser.test_library_upload import new_context, sign_in
from tests.browser.test_reviews import no_axe_violations, shots

pytestmark = pytest.mark.browser

# A demo collection Pat does not follow; their seeded history completed its first and last
# sessions, never the second.
HIGH = "When anxiety runs high"
SECOND = "Füße, Stuhl, Atem: Ankommen im Hier und Jetzt"


@pytest.mark.parametrize("java_script", [True, False], ids=["script", "no-script"])
def test_a_patient_starts_a_collection_sees_it_at_home_and_goes_to_its_next_session(
    browser: Browser, live_server: LiveServer, axe_source: str, tmp_path: Path, java_script: bool
) -> None:
    directory = Path(os.environ.get("FOLLOW_SHOTS", tmp_path))
    directory.mkdir(parents=True, exist_ok=True)
    context = new_context(browser, live_server, java_script_enabled=java_script)
    page = context.new_page()
    sign_in(page, "patient@demo.wellness")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Library").click()
    page.get_by_role("navigation", name="Library").get_by_role("link", name="Collections").click()
    page.get_by_role("link", name=HIGH, exact=True).click()

    page.get_by_role("button", name="Start this collection").click()

    expect(page.get_by_text(f"You started “{HIGH}”")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Following since \d+ \w+ \d{4}"))).to_be_visible()
    expect(page.get_by_role("button", name="Stop following")).to_be_visible()
    if java_script:
        no_axe_violations(page, axe_source)
    shots(page, directory, f"follow-collection-{java_script}")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").click()
    block = page.get_by_role("region", name="Continue your collections")
    item = block.get_by_role("listitem").filter(has=page.get_by_role("link", name=HIGH))
    expect(item).to_contain_text("2 of 3 done")
    if java_script:
        no_axe_violations(page, axe_source)
    block.scroll_into_view_if_needed()
    shots(page, directory, f"follow-home-{java_script}")

    item.get_by_role("link", name=f"Next: {SECOND}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SECOND)

    # Leave the demo as it was for the other browser tests.
    page.goto("/collections")
    page.get_by_role("region", name="Following").get_by_role("link", name=HIGH).click()
    page.get_by_role("button", name="Stop following").click()
    expect(page.get_by_text(f"You stopped following “{HIGH}”")).to_be_visible()
    expect(page.get_by_role("button", name="Start this collection")).to_be_visible()
    context.close()
