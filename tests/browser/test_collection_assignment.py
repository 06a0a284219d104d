"""Assigning a collection in Chromium, with script on: the form's third choice shows its select
only while it is chosen; the therapist's list names it "Collection: <title>"; the patient's
Today's plan and "My practices" offer the collection's next session with one tap, and axe-core
finds nothing on any of those pages. Screenshots at desktop and phone widths go to
COLLECTION_ASSIGNMENT_SHOTS (default: the test's tmp_path)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import axe_source as axe_source  # the fixture
from tests.browser.test_library_upload import new_context, sign_in
from tests.browser.test_reviews import no_axe_violations, shots

pytestmark = pytest.mark.browser

THERAPIST = "therapist2@demo.wellness"  # Tamsin looks after Lee
PATIENT = "patient9@demo.wellness"  # Lee, London: no assigned practice in the demo
PATIENT_NAME = "Lee Patient"
COLLECTION = "Evening wind-down"  # the demo's: slow breaths, body scan, drifting towards sleep
FIRST = "Slow breaths before sleep"
NOTE = "One each evening, in order: the next one waits for you."


def open_patient(page: Page) -> str:
    """The therapist's page of the patient: their id."""
    link = page.get_by_role("link", name=re.compile(PATIENT_NAME)).first.get_attribute("href")
    found = re.search(r"/care/patients/(\d+)", link or "")
    assert found, link
    return found.group(1)


def test_a_therapist_assigns_a_collection_and_the_patient_starts_its_next_session(
    browser: Browser, live_server: LiveServer, axe_source: str, tmp_path: Path
) -> None:
    directory = Path(os.environ.get("COLLECTION_ASSIGNMENT_SHOTS", tmp_path))
    directory.mkdir(parents=True, exist_ok=True)
    therapist = new_context(browser, live_server).new_page()
    sign_in(therapist, THERAPIST)
    patient_id = open_patient(therapist)

    therapist.goto(f"/care/patients/{patient_id}/assignments/new")
    collection, session = therapist.locator("#collection_id"), therapist.locator("#session_id")
    expect(collection).to_be_hidden()
    therapist.get_by_role("radio", name="A specific session").check()
    expect(session).to_be_visible()
    expect(collection).to_be_hidden()
    therapist.get_by_role("radio", name=re.compile("A collection")).check()
    expect(collection).to_be_visible()
    expect(session).to_be_hidden()
    expect(therapist.locator("#kind")).to_be_hidden()
    option = therapist.locator("#collection_id option", has_text=COLLECTION)
    collection.select_option(option.get_attribute("value"))
    therapist.get_by_role("radio", name="Every day").check()
    therapist.get_by_label("Part of the day").select_option("evening")
    therapist.get_by_label("Note to the patient").fill(NOTE)
    no_axe_violations(therapist, axe_source)
    shots(therapist, directory, "assign-collection-form")
    therapist.get_by_role("button", name="Assign").click()

    expect(therapist).to_have_url(re.compile(rf"/care/patients/{patient_id}/assignments$"))
    row = therapist.get_by_role("row", name=re.compile(f"Collection: {COLLECTION}"))
    expect(row).to_contain_text("Daily · Evening")
    no_axe_violations(therapist, axe_source)
    shots(therapist, directory, "assign-collection-list")
    therapist.goto(f"/care/patients/{patient_id}")
    expect(therapist.locator("#assigned")).to_contain_text(f"Collection: {COLLECTION}")

    patient = new_context(browser, live_server).new_page()
    sign_in(patient, PATIENT)
    plan = patient.get_by_role("region", name="Today's plan")
    expect(plan).to_contain_text(f"Collection: {COLLECTION}")
    expect(plan).to_contain_text(NOTE)
    start = plan.get_by_role("link", name=re.compile("Start"))
    expect(start).to_contain_text(FIRST)
    no_axe_violations(patient, axe_source)
    shots(patient, directory, "assign-collection-plan")
    patient.goto("/practice/assigned")
    expect(patient.get_by_role("link", name=re.compile(f"Start “{FIRST}”"))).to_be_visible()
    expect(patient.get_by_role("link", name=f"“{COLLECTION}”")).to_be_visible()
    no_axe_violations(patient, axe_source)
    shots(patient, directory, "assign-collection-my-practices")
    patient.goto("/patient")
    start.click()
    expect(patient).to_have_url(re.compile(r"/sessions/\d+$"))
    expect(patient.get_by_role("heading", level=1)).to_have_text(FIRST)
