"""Assigned practice in Chromium: a therapist assigns a session with a note, the patient sees it
in Today's plan, starts it with one tap and plays it to the end, and both see it done."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import SERVER_START, LiveServer
from tests.browser.test_accessibility import axe_source, describe, sign_in, violations_on
from tests.browser.test_practice_flow import (
    PLAY_TO_THE_END,
    latest_practice_id,
    latest_practice_when_completed,
)

pytestmark = pytest.mark.browser

THERAPIST = "therapist2@demo.wellness"  # Tamsin looks after Sam
PATIENT = "patient3@demo.wellness"  # Sam, New York: no demo practice history
SESSION = "Five senses: grounding in the room"
NOTE = "Notice five things you can see, slowly."
# 10:00 in New York: well inside Sam's practice day.
MORNING_IN_NEW_YORK = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def test_assign_then_start_with_one_tap_and_see_it_done(
    context: BrowserContext, page: Page, second_page: Page, live_server: LiveServer
) -> None:
    live_server.set_clock(MORNING_IN_NEW_YORK)
    try:
        sign_in(page, THERAPIST)
        link = page.get_by_role("link", name=re.compile("Sam Patient")).first.get_attribute("href")
        found = re.search(r"/care/patients/(\d+)", link or "")
        assert found, link
        patient_id = found.group(1)

        page.goto(f"/care/patients/{patient_id}/assignments/new")
        page.get_by_role("radio", name="A specific session").check()
        option = page.locator("#session_id option", has_text=SESSION)
        page.locator("#session_id").select_option(option.get_attribute("value"))
        page.get_by_role("radio", name="Every day").check()
        page.get_by_label("Note to the patient").fill(NOTE)
        page.get_by_role("button", name="Assign").click()
        expect(page).to_have_url(re.compile(rf"/care/patients/{patient_id}/assignments$"))
        expect(page.get_by_role("row", name=re.compile(SESSION))).to_contain_text("0 of 0")

        sign_in(second_page, PATIENT)
        before = latest_practice_id(second_page.context)
        plan = second_page.get_by_role("region", name="Today's plan")
        expect(plan).to_contain_text(NOTE)
        plan.get_by_role("link", name=re.compile("Start")).click()
        expect(second_page).to_have_url(re.compile(r"/sessions/\d+$"))
        second_page.evaluate(PLAY_TO_THE_END)
        latest_practice_when_completed(second_page.context, after=before)

        second_page.goto("/patient")
        expect(plan).to_contain_text("Done today. Well done.")
        expect(plan.get_by_role("link", name=re.compile("Start"))).to_have_count(0)

        page.reload()
        expect(page.get_by_role("row", name=re.compile(SESSION))).to_contain_text("1 of 1")
    finally:
        live_server.set_clock(SERVER_START)


__all__ = ["axe_source"]  # the fixture, shared with the accessibility tests


def test_the_assignment_pages_and_the_plan_have_no_axe_violations(
    page: Page, second_page: Page, axe_source: str
) -> None:
    sign_in(page, THERAPIST)
    link = page.get_by_role("link", name=re.compile("Sam Patient")).first.get_attribute("href")
    found = re.search(r"/care/patients/(\d+)", link or "")
    assert found, link
    patient_id = found.group(1)
    violations: dict[str, list[dict[str, Any]]] = {}

    def check(where: str, on: Page) -> None:
        problems = violations_on(on, axe_source)
        if problems:
            violations[where] = problems

    page.goto(f"/care/patients/{patient_id}/assignments/new")
    check("form", page)
    page.get_by_role("button", name="Assign").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check("form with errors", page)
    page.goto(f"/care/patients/{patient_id}/assignments")
    check("list", page)
    sign_in(second_page, PATIENT)
    check("patient home", second_page)
    second_page.goto("/practice/assigned")
    check("my practices", second_page)

    assert not violations, f"axe-core found violations:\n{describe(violations)}"
