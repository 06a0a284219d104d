"""A therapist sets what a patient should skip, the patient sees it in the library, an admin
finds it in the audit trail; the pages have no axe violations at phone and desktop width.

The live server is shared by the package's tests, so the test lifts everything it set."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import (
    WIDTHS,
    axe_source,  # noqa: F401  (a fixture)
    describe,
    sign_in,
    violations_on,
)

pytestmark = pytest.mark.browser

PATIENT = "patient2@demo.wellness"
SKIP = "Your care team has asked you to skip this one for now"


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def sized(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer
) -> Iterator[BrowserContext]:
    context = browser.new_context(
        base_url=live_server.url, viewport=WIDTHS[request.param], accept_downloads=True
    )
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


def patient_restrictions_url(page: Page) -> str:
    """The restrictions page of Robin, on the demo therapist's caseload."""
    page.goto("/therapist")
    # By name: the dashboard orders patients by who needs attention first, which changes.
    patients = page.get_by_role("region", name="Your patients")
    record = patients.get_by_role("link", name="Robin Patient", exact=True).get_attribute("href")
    assert record is not None
    return f"{record}/restrictions"


def lift_everything(page: Page, url: str) -> None:
    page.goto(url)
    page.locator("input[name=contraindications]:checked").evaluate_all(
        "boxes => boxes.forEach(box => box.checked = false)"
    )
    page.get_by_role("button", name="Save contraindications").click()
    while page.locator(".override-list button").count():
        page.locator(".override-list button").first.click()
        page.wait_for_load_state()


def test_a_ban_reaches_the_patient_and_the_audit_trail(
    sized: BrowserContext,
    axe_source: str,  # noqa: F811
) -> None:
    page = sized.new_page()
    sign_in(page, "therapist@demo.wellness")
    url = patient_restrictions_url(page)
    violations = {}
    try:
        page.goto(url)
        expect(page.get_by_role("heading", name="Contraindications, bans and pins")).to_be_visible()
        violations["restrictions"] = violations_on(page, axe_source)
        page.get_by_role("button", name="Ban for this patient").click()
        expect(page.locator(".error-summary")).to_be_visible()
        violations["restrictions with an error"] = violations_on(page, axe_source)

        page.get_by_label("Breath hold").check()
        page.get_by_role("button", name="Save contraindications").click()
        expect(page.get_by_text("Contraindications saved.")).to_be_visible()
        picker = page.get_by_label("Session", exact=True)
        title = picker.locator("option").nth(1).inner_text().rsplit(" (", 1)[0]
        picker.select_option(index=1)
        page.get_by_role("button", name="Ban for this patient").click()
        expect(page.locator(".override-list")).to_contain_text(title)
        violations["restrictions with a ban"] = violations_on(page, axe_source)

        patient = sized.new_page()
        sized.clear_cookies()
        sign_in(patient, PATIENT)
        patient.goto("/sessions")
        card = patient.locator(".session-card", has_text=title)
        expect(card).to_contain_text(SKIP)
        violations["library with marks"] = violations_on(patient, axe_source)
        card.get_by_role("link", name=title).click()
        expect(patient.get_by_role("note")).to_contain_text(SKIP)

        sized.clear_cookies()
        sign_in(patient, "admin@demo.wellness")
        patient.goto("/admin/audit")
        patient.get_by_label("Action").select_option("session_banned")
        patient.get_by_role("button", name="Show").click()
        expect(patient.locator("tbody")).to_contain_text("Theo Therapist")
        violations["audit"] = violations_on(patient, axe_source)
        with patient.expect_download() as download:
            patient.get_by_role("link", name=re.compile("Export CSV")).click()
        rows = list(csv.reader(io.StringIO(download.value.path().read_text(), newline="")))
        assert rows[0][:3] == ["id", "time", "time_utc"]
        assert {row[6] for row in rows[1:]} == {"session_banned"}
        patient.goto("/admin/audit?since=2026-02-30")
        violations["audit with an error"] = violations_on(patient, axe_source)
        expect(patient.locator(".error-summary")).to_contain_text("From")
    finally:
        sized.clear_cookies()
        sign_in(page, "therapist@demo.wellness")
        lift_everything(page, url)
    assert not page.locator("input[name=contraindications]:checked").count()
    found = {name: items for name, items in violations.items() if items}
    assert not found, describe(found)
