"""The assignment form in Chromium: a choice's own fields show only while it is chosen, and a
refused form comes back with the chosen fields showing, the error beside them and what was
typed kept. (Without script every field shows: tests/web/test_assignment_pages.py.)"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_accessibility import axe_source, describe, sign_in, violations_on

pytestmark = pytest.mark.browser

__all__ = ["axe_source"]  # the fixture, shared with the accessibility tests

THERAPIST = "therapist2@demo.wellness"  # Tamsin looks after Sam


def open_new_form(page: Page) -> None:
    sign_in(page, THERAPIST)
    link = page.get_by_role("link", name=re.compile("Sam Patient")).first.get_attribute("href")
    found = re.search(r"/care/patients/(\d+)", link or "")
    assert found, link
    page.goto(f"/care/patients/{found.group(1)}/assignments/new")


def test_each_choice_shows_only_its_own_fields(page: Page) -> None:
    open_new_form(page)
    session, kind, shortest = (
        page.locator("#session_id"),
        page.locator("#kind"),
        page.locator("#min_minutes"),
    )
    times, days = (
        page.get_by_role("spinbutton", name="Times a week"),
        page.get_by_role("group", name="Days of the week"),
    )

    # Nothing chosen yet for what to practise; "Every day" needs nothing more.
    for field in (session, kind, shortest, times, days):
        expect(field).to_be_hidden()

    page.get_by_role("radio", name="A specific session").check()
    expect(session).to_be_visible()
    expect(kind).to_be_hidden()

    page.get_by_role("radio", name="Any session of a kind").check()
    expect(session).to_be_hidden()
    expect(kind).to_be_visible()
    expect(shortest).to_be_visible()

    page.get_by_role("radio", name="On chosen days of the week").check()
    expect(days).to_be_visible()
    expect(times).to_be_hidden()

    page.get_by_role("radio", name="A number of times a week").check()
    expect(times).to_be_visible()
    expect(days).to_be_hidden()
    # The script names a field by where it is, so the words for a page without it are gone.
    expect(page.get_by_text("(for a number of times a week)")).to_be_hidden()


def test_a_refused_form_shows_the_chosen_fields_with_the_error_and_what_was_typed(
    page: Page, axe_source: str
) -> None:
    open_new_form(page)
    page.get_by_role("radio", name="Any session of a kind").check()
    page.locator("#kind").select_option("breathing")
    page.get_by_label("Shortest, in minutes").fill("5")
    page.get_by_label("Longest, in minutes").fill("10")
    page.get_by_role("radio", name="A number of times a week").check()
    page.get_by_label("Note to the patient").fill("Slowly, please.")

    page.get_by_role("button", name="Assign").click()

    expect(page).to_have_title(re.compile(r"^Error: Assign a practice"))
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Times a week: Enter a whole number from 1 to 7.")
    times = page.get_by_role("spinbutton", name="Times a week")
    expect(times).to_be_visible()
    expect(times).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#times_a_week-error")).to_be_visible()
    expect(page.locator("#kind")).to_have_value("breathing")
    expect(page.get_by_label("Shortest, in minutes")).to_have_value("5")
    expect(page.get_by_label("Note to the patient")).to_have_value("Slowly, please.")
    expect(page.locator("#session_id")).to_be_hidden()
    expect(page.get_by_role("group", name="Days of the week")).to_be_hidden()
    summary.get_by_role("link").click()
    expect(times).to_be_focused()
    found = violations_on(page, axe_source)
    assert not found, describe({"refused assignment form": found})
