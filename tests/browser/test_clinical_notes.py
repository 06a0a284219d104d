"""Clinician notes and the printable report in Chromium: a therapist writes a note on a
patient's page, adds an addendum to it, opens the report from the page and finds both there;
the page and the report pass axe-core at phone and desktop width, and the report printed shows
no app chrome, no period form, and says it is confidential."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_accessibility import (
    WIDTHS,
    axe_source,  # noqa: F401  (a fixture, used by name)
    describe,
    sign_in,
    violations_on,
)
from tests.browser.test_patient_record import THERAPIST, open_patient

pytestmark = pytest.mark.browser


def test_a_note_and_its_addendum_are_on_the_page_and_in_the_report(
    page: Page,
    axe_source: str,  # noqa: F811  (the fixture imported above)
) -> None:
    marker = uuid4().hex[:8]
    note = f"Phoned Robin ({marker}): she is staying with her sister this week."
    addendum = f"Correction ({marker}): it was her cousin."
    sign_in(page, THERAPIST)
    open_patient(page, "Robin Patient")

    notes = page.get_by_role("region", name="Clinician notes")
    expect(notes.get_by_text("Robin Patient never sees these notes")).to_be_visible()
    if not notes.get_by_label("Kind of contact").is_visible():
        notes.get_by_text("Write a note", exact=True).click()
    notes.get_by_label("Kind of contact").select_option("phone_call")
    notes.get_by_label("Note", exact=True).fill(note)
    notes.get_by_role("button", name="Save note").click()

    expect(page.locator(".flash")).to_have_text("Note saved.")
    assert re.search(r"/care/patients/\d+#note-\d+$", page.url)
    written = page.locator("article.clinical-note").filter(has_text=marker)
    expect(written.get_by_role("heading", name=re.compile("^Phone call, "))).to_be_visible()
    written.get_by_text("Add an addendum").click()
    written.get_by_label("Addendum").fill(addendum)
    written.get_by_role("button", name="Add addendum").click()

    expect(page.locator(".flash")).to_have_text("Addendum added.")
    written = page.locator("article.clinical-note").filter(has_text=marker)
    expect(written.locator(".addendum")).to_contain_text(addendum)
    expect(written.locator(".addendum")).to_contain_text("Addendum by Theo Therapist")

    page.get_by_role("link", name="Printable report").click()

    expect(page).to_have_url(re.compile(r"/care/patients/\d+/report$"))
    expect(page.get_by_role("heading", level=1, name="Robin Patient")).to_be_visible()
    expect(page.get_by_text("Confidential: clinical record.").first).to_be_visible()
    in_report = page.locator("article.clinical-note").filter(has_text=marker)
    expect(in_report).to_contain_text(note)
    expect(in_report.locator(".addendum")).to_contain_text(addendum)
    found = violations_on(page, axe_source)
    assert not found, describe({"report": found})

    # Without the notes, as for a report shared outside the care team.
    page.get_by_label("Leave out clinician notes").check()
    page.get_by_role("button", name="Show report").click()
    expect(page).to_have_url(re.compile(r"notes=0"))
    expect(page.get_by_text("Left out of this report.")).to_be_visible()
    expect(page.get_by_text(marker)).to_have_count(0)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_report_prints_without_the_apps_chrome_and_passes_axe(
    page: Page,
    axe_source: str,  # noqa: F811
    width: str,
) -> None:
    page.set_viewport_size(WIDTHS[width])
    sign_in(page, THERAPIST)
    open_patient(page, "Pat Patient")
    found = {"patient page": violations_on(page, axe_source)}
    page.get_by_role("link", name="Printable report").click()
    found["report"] = violations_on(page, axe_source)
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_visible()  # print.js

    page.emulate_media(media="print")

    for hidden in (".site-header", ".site-footer", ".report__controls", ".breadcrumb"):
        expect(page.locator(hidden)).to_be_hidden()
    for shown in ("Confidential: clinical record.", "Printed on", "Anxiety ratings", "GAD-7"):
        expect(page.get_by_text(shown, exact=False).first).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="Pat Patient")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the printed report is wider than the page by {overflow}px"
    page.emulate_media(media="screen")
    assert not any(found.values()), describe({k: v for k, v in found.items() if v})
