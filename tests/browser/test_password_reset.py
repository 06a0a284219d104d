"""Forgot your password, the whole way in Chromium against `wellness demo` with e-mail set up:
the link on the sign-in page, the request, the e-mail at the local SMTP server, its link, the new
password, and signing in with it."""

from __future__ import annotations

import time
from email.message import EmailMessage

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.mail_servers import PUBLIC_URL

pytestmark = pytest.mark.browser

# A demo patient no other browser test signs in as: the new password stays theirs.
EMAIL = "patient8@demo.wellness"
NEW_PASSWORD = "a brand new passphrase for Noor"


def reset_email(server: LiveServer, *, timeout: float = 15.0) -> EmailMessage:
    assert server.mail is not None, "the live server has e-mail set up"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in list(server.mail.messages):
            if message["To"] == EMAIL and message["Subject"] == "Set a new password":
                return message
        time.sleep(0.1)
    raise AssertionError(f"no reset e-mail reached {EMAIL}")


def test_a_patient_who_forgot_their_password_sets_a_new_one_by_e_mail(
    page: Page, live_server: LiveServer
) -> None:
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("status").first).to_contain_text("is on its way")

    body = reset_email(live_server).get_body(preferencelist=("plain",))
    assert body is not None
    link = next(word for word in body.get_content().split() if "/password-reset/" in word)
    page.goto(link.replace(PUBLIC_URL, live_server.url))
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_role("button", name="Set the new password").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Use at least 8 characters")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()

    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.get_by_text("Your new password is set")).to_be_visible()
    page.goto(link.replace(PUBLIC_URL, live_server.url))
    expect(page.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    page.goto("/login")
    page.locator("#email").fill(EMAIL)
    page.locator("#password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/patient")
