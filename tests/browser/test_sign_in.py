"""Signing in and out through the real form, in Chromium, against `wellness demo`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo-wellness"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class DemoUser:
    role: str
    email: str
    display_name: str
    home: str
    role_label: str


DEMO_USERS = [
    DemoUser("patient", "patient@demo.wellness", "Pat Patient", "/patient", "Patient"),
    DemoUser("therapist", "therapist@demo.wellness", "Theo Therapist", "/therapist", "Therapist"),
    DemoUser(
        "coordinator",
        "coordinator@demo.wellness",
        "Cora Coordinator",
        "/coordinator",
        "Coordinator",
    ),
    DemoUser("admin", "admin@demo.wellness", "Ada Admin", "/admin", "Admin"),
]


def fill_sign_in_form(page: Page, email: str, password: str) -> None:
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def path_of(url: str) -> str:
    return urlsplit(url).path


@pytest.mark.parametrize("user", DEMO_USERS, ids=[user.role for user in DEMO_USERS])
def test_it_signs_each_role_in_to_its_home_and_out_again(
    page: Page, live_server: LiveServer, tmp_path: Path, user: DemoUser
) -> None:
    page.goto("/login")
    expect(page.locator("#email")).to_be_visible()

    fill_sign_in_form(page, user.email, DEMO_PASSWORD)

    expect(page).to_have_url(f"{live_server.url}{user.home}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    header = page.get_by_role("banner")
    expect(header).to_contain_text(user.display_name)
    expect(header).to_contain_text(user.role_label)
    screenshot = tmp_path / f"{user.role}-home.png"
    page.screenshot(path=screenshot, full_page=True)
    assert screenshot.stat().st_size > 0
    assert screenshot.read_bytes().startswith(PNG_SIGNATURE)

    header.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/login(\?.*)?$"))
    expect(page.locator("#email")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    # The session is really gone: the home page sends us back to sign in.
    page.goto(user.home)
    assert path_of(page.url) == "/login"


def test_it_shows_the_error_for_a_wrong_password_and_stays_on_sign_in(
    page: Page, live_server: LiveServer
) -> None:
    page.goto("/login")

    fill_sign_in_form(page, "patient@demo.wellness", "not-the-password")

    error = page.locator("#login-error")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text("don't match")
    assert path_of(page.url) == "/login"
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_it_sends_an_anonymous_admin_visit_to_sign_in_and_back(
    page: Page, live_server: LiveServer
) -> None:
    page.goto("/admin")

    assert path_of(page.url) == "/login"
    assert parse_qs(urlsplit(page.url).query).get("next") == ["/admin"]
    expect(page.locator("#email")).to_be_visible()

    fill_sign_in_form(page, "admin@demo.wellness", DEMO_PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/admin")
    expect(page.get_by_role("banner")).to_contain_text("Ada Admin")
