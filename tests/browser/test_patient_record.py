"""The patient's page for their care team in Chromium: a therapist opens a patient from the
caseload, the page passes axe-core at phone and desktop width without sideways scrolling, and
an open alert is acknowledged with a note that then shows in the alert history."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import (
    WIDTHS,
    axe_source,  # noqa: F401  (a fixture, used by name)
    describe,
    sign_in,
    violations_on,
)

pytestmark = pytest.mark.browser

THERAPIST = "therapist@demo.wellness"  # Theo looks after Pat and Robin
NOTE = "Phoned Robin; she is staying with her sister tonight."


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def sized(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer
) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=live_server.url, viewport=WIDTHS[request.param])
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


def open_patient(page: Page, name: str) -> None:
    page.goto("/therapist")
    page.get_by_role("region", name="Your patients").get_by_role(
        "link", name=name, exact=True
    ).click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()


@pytest.mark.parametrize("name", ["Pat Patient", "Robin Patient"])
def test_the_patients_page_is_accessible_at_every_width(
    sized: BrowserContext,
    axe_source: str,  # noqa: F811  (the fixture imported above)
    name: str,
) -> None:
    page = sized.new_page()
    sign_in(page, THERAPIST)

    open_patient(page, name)

    assert re.fullmatch(r".*/care/patients/\d+", page.url)
    for section in ("What helps", "Collections", "Practice calendar", "Practice history"):
        expect(page.get_by_role("heading", name=re.compile(section))).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    found = violations_on(page, axe_source)
    assert not found, describe({name: found})


def test_a_therapist_acknowledges_an_alert_with_a_note(page: Page) -> None:
    sign_in(page, THERAPIST)
    open_patient(page, "Robin Patient")
    alerts = page.get_by_role("region", name="Open alerts")
    # The demo's alert, raised by a rating with tags (other tests may raise alerts for Robin).
    alert = alerts.get_by_role("article").filter(has=page.locator(".tag")).first
    expect(alert.locator(".tag").first).to_be_visible()  # the tags given with the rating

    alert.get_by_label("Note").fill(NOTE)
    alert.get_by_role("button", name=re.compile("Acknowledge")).click()

    expect(page.locator(".flash")).to_have_text("Alert acknowledged.")
    history = page.get_by_role("region", name="Alert history")
    expect(history.get_by_text(NOTE)).to_be_visible()
    expect(history.get_by_text("Theo Therapist")).to_be_visible()
