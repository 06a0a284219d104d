"""Progress reports that do not reach the server are kept and sent again, so a patient on a
clinic's patchy Wi-Fi does not lose the practice that the session's last report would have
completed (practice.js, "Reports that do not arrive")."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

from tests.browser.test_accessibility import sign_in
from tests.browser.test_practice_flow import (
    PLAY_TO_THE_END,
    latest_practice_id,
    latest_practice_when_completed,
    shortest_breathing_session,
)

pytestmark = pytest.mark.browser

ADMIN = "admin@demo.wellness"
PROGRESS_REPORTS = "**/api/v1/practice/*/progress"
UNSENT_PREFIX = "wellness.unsent-progress."


def sign_in_as_a_new_patient(context: BrowserContext, page: Page, name: str) -> None:
    """A patient of this test's own, made through the admin's form: a demo patient may have a
    practice left open on a session by another test, which the session page would resume."""
    sign_in(page, ADMIN)
    page.goto("/admin/users/new")
    email = f"{name}@example.org"
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Name", exact=True).fill(f"Outbox {name}")
    page.get_by_label("Time zone").fill("Europe/Berlin")
    page.get_by_label("Choose it now", exact=False).check()  # the live app sends e-mail
    page.get_by_label("Password").fill("demo-wellness")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text(f"Account created for Outbox {name}.")).to_be_visible()
    context.clear_cookies()
    sign_in(page, email)


def stored_practice(context: BrowserContext, practice_id: int) -> dict[str, Any]:
    items = context.request.get("/api/v1/practice?per_page=100").json()["items"]
    return next(dict(item) for item in items if item["id"] == practice_id)


def unsent(page: Page) -> dict[str, str]:
    entries: dict[str, str] = page.evaluate(
        """prefix => Object.fromEntries(Object.keys(localStorage)
            .filter(key => key.startsWith(prefix))
            .map(key => [key, localStorage.getItem(key)]))""",
        UNSENT_PREFIX,
    )
    return entries


def shortest_session(context: BrowserContext, kind: str) -> int:
    """Each test plays a kind of its own: a session page resumes the practice left open on it."""
    listing = context.request.get(f"/api/v1/sessions?kind={kind}&per_page=50").json()
    playable = [item for item in listing["items"] if item["duration_seconds"] > 0]
    return int(min(playable, key=lambda item: item["duration_seconds"])["id"])


def play_to_the_end_while_reports_fail(
    context: BrowserContext, page: Page, kind: str, answer: Any
) -> tuple[int, list[str]]:
    """Plays the shortest session of `kind` to its end while every progress report is answered
    by `answer(route)`; gives the practice's id and the reports that failed."""
    before = latest_practice_id(context)
    failed: list[str] = []

    def fail(route: Route) -> None:
        failed.append(route.request.url)
        answer(route)

    page.route(PROGRESS_REPORTS, fail)
    page.goto(f"/sessions/{shortest_session(context, kind)}")
    page.evaluate(PLAY_TO_THE_END)
    deadline = time.monotonic() + 10
    while not failed and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    practice_id = latest_practice_id(context)
    assert practice_id > before, "playing starts a practice"
    assert failed, "the player reported its progress, and the report failed"
    assert not stored_practice(context, practice_id)["completed"], "no report arrived"
    return practice_id, failed


def test_reports_lost_offline_are_sent_when_the_browser_is_back_online(
    context: BrowserContext, page: Page
) -> None:
    sign_in_as_a_new_patient(context, page, "offline")
    practice_id, _ = play_to_the_end_while_reports_fail(
        context, page, "breathing", lambda route: route.abort("internetdisconnected")
    )
    patient_id = context.request.get("/api/v1/me").json()["id"]
    assert f"{UNSENT_PREFIX}{patient_id}.{practice_id}" in unsent(page)

    page.unroute(PROGRESS_REPORTS)
    page.evaluate("window.dispatchEvent(new Event('online'))")

    practice = latest_practice_when_completed(context, after=practice_id - 1)
    assert practice["id"] == practice_id
    assert practice["listened_seconds"] >= 0.8 * practice["duration_seconds"]
    page.wait_for_function(
        "prefix => !Object.keys(localStorage).some(k => k.startsWith(prefix))", arg=UNSENT_PREFIX
    )


def test_reports_the_server_could_not_take_are_sent_from_the_next_session_page(
    context: BrowserContext, page: Page
) -> None:
    sign_in_as_a_new_patient(context, page, "unavailable")
    practice_id, _ = play_to_the_end_while_reports_fail(
        context,
        page,
        "grounding",
        lambda route: route.fulfill(status=503, json={"code": "unavailable"}),
    )
    page.goto("/patient")  # the session page and its retries are gone

    page.unroute(PROGRESS_REPORTS)
    page.goto(f"/sessions/{shortest_breathing_session(context)}")

    practice = latest_practice_when_completed(context, after=practice_id - 1)
    assert practice["id"] == practice_id
    assert practice["listened_seconds"] >= 0.8 * practice["duration_seconds"]


def test_a_shared_browser_sends_only_the_signed_in_patients_reports(
    context: BrowserContext, page: Page
) -> None:
    sign_in_as_a_new_patient(context, page, "shared")
    patient_id = context.request.get("/api/v1/me").json()["id"]
    someone_else = f"{UNSENT_PREFIX}{patient_id + 1000}.7"
    gone_practice = f"{UNSENT_PREFIX}{patient_id}.2147483647"
    page.evaluate(
        "([a, b]) => { localStorage.setItem(a, '600'); localStorage.setItem(b, '600'); }",
        [someone_else, gone_practice],
    )
    sent: list[str] = []
    page.on(
        "request",
        lambda request: sent.append(request.url) if request.url.endswith("/progress") else None,
    )

    with page.expect_response("**/api/v1/practice/2147483647/progress") as answered:
        page.goto(f"/sessions/{shortest_breathing_session(context)}")
    assert answered.value.status == 404

    page.wait_for_function("key => localStorage.getItem(key) === null", arg=gone_practice)
    assert unsent(page) == {someone_else: "600"}, "another patient's report stays, unsent"
    assert not [url for url in sent if "/practice/7/" in url]
