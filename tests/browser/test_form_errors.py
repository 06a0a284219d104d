"""A form refused with several problems starts the keyboard and screen reader at the list of
them (the error summary has focus on load), not at the top of the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_accessibility import sign_in

pytestmark = pytest.mark.browser


def test_a_refused_form_puts_focus_on_its_error_summary(page: Page) -> None:
    sign_in(page, "admin@demo.wellness")
    page.goto("/admin/users/new")

    page.get_by_role("button", name="Create account").click()

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")  # the first problem's link comes next
    expect(page.get_by_role("link", name="E-mail address: Enter an e-mail address")).to_be_focused()
