"""The usage page in Chromium, at desktop (1280 px) and phone (390 px) width: the table is read,
sorted by its heading links and by the form's Order menu (the headings are hidden on a phone,
where each session is a card), the page never scrolls sideways on a phone, and axe finds no
violations, also in the error state.

It runs on a demo server of its own, to which this test adds more use (`usage_seed.py`: more
patients, an archived session with a formula for a title) without changing the others' world.
With WELLNESS_SCREENSHOTS=<folder> set, each state is saved there as a PNG.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    ACTION_TIMEOUT_MS,
    SERVER_START,
    LiveServer,
    demo_server,
)
from tests.browser.test_accessibility import (
    WIDTHS,
    axe_source,
    describe,
    sign_in,
    violations_on,
)

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("WELLNESS_SCREENSHOTS", "")
BREATHING_ROW = "Paced breathing: six breaths a minute"

__all__ = ["axe_source"]  # the fixture, shared with the accessibility tests


@pytest.fixture(scope="module")
def usage_server(
    chromium_executable: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A demo server of this module's own, with the use `usage_seed` adds."""
    root = tmp_path_factory.mktemp("usage-server")
    with demo_server(
        root,
        what="the usage page's demo server",
        audio_scale="0.05",
        WELLNESS_CLINIC_TIMEZONE="Europe/Berlin",
    ) as (server, environ):
        seeded = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.browser.usage_seed",
                environ["WELLNESS_DATABASE_URL"],
                SERVER_START.isoformat(),
            ],
            cwd=root,
            env=environ,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert seeded.returncode == 0, seeded.stdout + seeded.stderr
        yield server


def page_at(browser: Browser, server: LiveServer, width: str) -> Iterator[Page]:
    context = browser.new_context(base_url=server.url, viewport=WIDTHS[width])
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    try:
        page = context.new_page()
        sign_in(page, "coordinator@demo.wellness")
        yield page
    finally:
        context.close()


@pytest.fixture
def desktop(browser: Browser, usage_server: LiveServer) -> Iterator[Page]:
    yield from page_at(browser, usage_server, "desktop")


@pytest.fixture
def phone(browser: Browser, usage_server: LiveServer) -> Iterator[Page]:
    yield from page_at(browser, usage_server, "phone")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def no_violations(page: Page, axe_source: str, where: str) -> None:
    found = violations_on(page, axe_source)
    assert not found, f"axe-core found violations:\n{describe({where: found})}"


def test_the_table_reads_and_sorts_by_its_headings_on_a_desktop(
    desktop: Page, axe_source: str
) -> None:
    page = desktop
    page.goto("/coordinator")
    page.get_by_role("link", name="How the library is used").click()

    table = page.get_by_role("table")
    expect(table).to_be_visible()
    expect(page.locator("caption")).to_contain_text("sorted by starts, descending")
    breathing = table.get_by_role("row").filter(has_text=BREATHING_ROW)
    # Seven seeded patients, and the demo's own who played it (wellness.demo.clinic_use).
    expect(breathing.locator("td[data-label='Patients']")).to_have_text(re.compile(r"^(1[2-9])$"))
    expect(breathing.locator("td[data-label='Mean change']")).to_contain_text("calmer")
    expect(table.get_by_text("fewer than 5").first).to_be_visible()
    expect(table.get_by_text("Archived")).to_be_visible()
    shot(page, "usage-desktop")
    no_violations(page, axe_source, "usage, desktop")

    page.get_by_role("link", name=re.compile(r"^Mean change\W+sort by mean change$")).click()

    expect(page).to_have_url(re.compile(r"[?&]sort=change(&|$)"))
    first = page.get_by_role("table").get_by_role("row").nth(1)
    expect(first).to_contain_text(BREATHING_ROW)  # the calmest mean change; hidden ones last
    expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Mean change")
    scroll = page.evaluate("document.querySelector('.usage-table').scrollWidth")
    visible = page.evaluate("document.querySelector('.usage-table').clientWidth")
    assert scroll <= visible, "the table scrolls sideways at 1280 px"


def test_on_a_phone_each_session_is_a_card_sorted_with_the_order_menu(
    phone: Page, axe_source: str
) -> None:
    page = phone
    page.goto("/library/usage")

    card = page.get_by_role("row").filter(has_text=BREATHING_ROW)
    expect(card.locator("td[data-label='Starts']")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTHS["phone"]["width"], f"the page is {width} px wide on a phone"
    shot(page, "usage-phone")
    no_violations(page, axe_source, "usage, phone")

    page.get_by_label("Order", exact=True).select_option(label="Session")
    page.get_by_role("button", name="Show").click()

    expect(page).to_have_url(re.compile(r"[?&]sort=title(&|$)"))
    expect(page.locator("caption")).to_contain_text("sorted by session, ascending")
    shot(page, "usage-phone-by-title")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_bad_period_names_the_field_and_passes_axe(
    browser: Browser, usage_server: LiveServer, axe_source: str, width: str
) -> None:
    for page in page_at(browser, usage_server, width):
        page.goto("/library/usage?from=2020-01-01")

        summary = page.locator(".error-summary")
        expect(summary).to_be_visible()
        expect(summary).to_contain_text("From: Choose a period of at most 366 days.")
        expect(page.get_by_label("From")).to_have_attribute("aria-invalid", "true")
        expect(page.get_by_role("table")).to_have_count(0)
        shot(page, f"usage-error-{width}")
        no_violations(page, axe_source, f"usage error, {width}")


def test_the_edit_page_shows_the_sessions_own_figures(desktop: Page, axe_source: str) -> None:
    page = desktop
    page.goto("/library/usage")
    page.get_by_role("link", name=BREATHING_ROW).click()

    figures = page.locator("section").filter(
        has=page.get_by_role("heading", name="Use in the last 28 days")
    )
    expect(figures).to_contain_text("Patients who played")
    expect(figures.locator("dd").nth(2)).to_have_text(re.compile(r"^(1[2-9])$"))
    shot(page, "usage-edit-page")
    no_violations(page, axe_source, "edit page with usage")
