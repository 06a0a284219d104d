"""The progress page's charts on a phone and a desktop: readable text, the scale in sight, and
scrolling frames that say so and take keyboard focus."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import ACTION_TIMEOUT_MS, LiveServer

pytestmark = pytest.mark.browser

# Pat has months of demo history, so every chart is drawn.
PATIENT = "patient@demo.wellness"

TEXT_SIZES = """
() => [...document.querySelectorAll("svg.chart__svg")].map((svg) => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const sizes = [...svg.querySelectorAll("text")].map(
    (text) => parseFloat(getComputedStyle(text).fontSize) * scale
  );
  return [svg.closest("figure").id, Math.min(...sizes)];
})
"""

# Texts outside their scrolling frame's box as the page opens (nothing scrolled by us).
HIDDEN_TEXTS = """
([selector, texts]) => {
  const frame = document.querySelector(selector);
  const box = frame.getBoundingClientRect();
  return [...frame.querySelectorAll(texts)]
    .filter((text) => {
      const r = text.getBoundingClientRect();
      return r.left < box.left - 0.5 || r.right > box.right + 0.5;
    })
    .map((text) => text.textContent);
}
"""

# The scale's labels a chart shows on top (not covered, not scrolled away), after scrolling its
# frame to `share` of the way from the newest dates (0) to the oldest (1).
SCALE_IN_SIGHT = """
([selector, share]) => {
  const frame = document.querySelector(selector + " .chart__frame");
  frame.scrollLeft = -share * (frame.scrollWidth - frame.clientWidth); // right-to-left frame
  const scale = frame.querySelector(".chart__scale");
  return [...scale.querySelectorAll("text")].filter((text) => {
    const r = text.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return hit !== null && hit.closest("svg") === scale;
  }).length + " of " + scale.querySelectorAll("text").length;
}
"""
SCROLLING_CHARTS = ("#practice-calendar", "#anxiety-timeline", "#weekly-minutes", "#gad7-chart")


def progress_page(
    browser: Browser, live_server: LiveServer, width: int
) -> tuple[BrowserContext, Page]:
    """The patient's progress page in a new context `width` pixels wide (the caller closes it)."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 844}
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("E-mail").fill(PATIENT)
    page.get_by_label("Password").fill("demo-wellness")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/patient$"))
    page.goto("/progress")
    return context, page


@pytest.mark.parametrize("width", [390, 1280])
def test_chart_text_reads_at_12_px_and_the_scale_is_in_sight(
    browser: Browser, live_server: LiveServer, width: int
) -> None:
    context, page = progress_page(browser, live_server, width)

    sizes = dict(page.evaluate(TEXT_SIZES))
    assert set(sizes) >= {"practice-calendar", "anxiety-timeline", "weekly-minutes", "gad7-chart"}
    assert all(size >= 11.95 for size in sizes.values()), sizes
    timeline = page.locator("#anxiety-timeline")
    frame = timeline.get_by_role("region", name="Anxiety over time, scrolls sideways")
    hint = timeline.get_by_text("Swipe or scroll sideways for earlier dates")
    # The scale repeated on the right (weekdays on the calendar) and the newest month's name
    # are in sight as the page opens, at either width.
    for chart in ("#practice-calendar", "#anxiety-timeline", "#weekly-minutes"):
        ends = [f"{chart} .chart__frame", ".chart__label--end"]
        assert page.evaluate(HIDDEN_TEXTS, ends) == [], chart
    newest_month = ["#practice-calendar .chart__frame", ".heatmap__months text:last-child"]
    assert page.evaluate(HIDDEN_TEXTS, newest_month) == []
    every_text = page.evaluate(HIDDEN_TEXTS, ["#anxiety-timeline .chart__frame", "text"])
    if width == 390:
        expect(hint).to_be_visible()
        assert "15 Nov" in every_text  # earlier dates are out of sight, but not the scale:
        assert "10 worst" not in every_text
        frame.focus()
        page.keyboard.press("ArrowLeft")
        # Chromium animates a keyboard scroll, so the offset moves a few frames after the key.
        page.wait_for_function("(frame) => frame.scrollLeft !== 0", arg=frame.element_handle())
    else:
        expect(hint).to_be_hidden()
        assert every_text == []
        assert page.evaluate(HIDDEN_TEXTS, ["#practice-calendar .chart__frame", "text"]) == []
    context.close()


def test_the_scale_stays_in_sight_wherever_a_chart_is_scrolled_on_a_phone(
    browser: Browser, live_server: LiveServer
) -> None:
    context, page = progress_page(browser, live_server, 390)

    for chart in SCROLLING_CHARTS:
        page.locator(chart).scroll_into_view_if_needed()
        frame = page.locator(f"{chart} .chart__frame")
        assert frame.evaluate("(f) => f.scrollWidth > f.clientWidth + 50"), chart  # it scrolls
        for share in (0, 0.5, 1):
            seen, _, every = page.evaluate(SCALE_IN_SIGHT, [chart, share]).partition(" of ")
            assert seen == every != "0", (chart, share, seen, every)
    context.close()
