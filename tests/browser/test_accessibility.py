"""axe-core over every page of every role, at phone and desktop width, in the light and the
dark theme: no violations (text contrast 4.5:1 among them).

The dark run is a device that asks for dark (`prefers-color-scheme: dark`, emulated) with every
account left at "As my device", so every page of every role is drawn dark as the server writes
it; a last test chooses "Dark" on the account page of a device that asks for light.

axe-core comes from the npm registry, pinned by tests/browser/package.json and package-lock.json
and installed by `make install` into tests/browser/node_modules (git-ignored). Its file is
evaluated in each page by Playwright (a DevTools evaluation, which the page's CSP does not
govern): no page ever loads it, and the app's CSP stays as it is. Without the file (no Node.js
or npm) these tests skip with the reason, and fail under CI=true.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from tests.browser.conftest import LiveServer, running_under_ci

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo-wellness"
AXE_SOURCE = Path(__file__).with_name("node_modules") / "axe-core" / "axe.min.js"
WIDTHS: dict[str, ViewportSize] = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 800},
}
SCHEMES = ("light", "dark")
RUN_AXE = """
async () => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    nodes: violation.nodes.map((node) => ({
      target: node.target.join(" "),
      summary: node.failureSummary,
    })),
  }));
}
"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if AXE_SOURCE.is_file():
        return AXE_SOURCE.read_text(encoding="utf-8")
    reason = (
        f"{AXE_SOURCE} is missing: install Node.js and npm (`apt-get install -y npm`), "
        "then `make install` (it runs `npm ci --prefix tests/browser`)"
    )
    if running_under_ci():
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class Visit:
    """A page state to check: a path, or a step that gets the page there."""

    name: str
    path: str = ""
    step: Callable[[Page], None] | None = None


def first_link(page: Page, home: str, selector: str) -> str:
    page.goto(home)
    href = page.locator(selector).first.get_attribute("href")
    assert href, f"no link matching {selector} on {home}"
    return href


def submit_empty_new_session(page: Page) -> None:
    page.goto("/library/sessions/new")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".error-summary")).to_be_visible()


def submit_inverted_download_period(page: Page) -> None:
    """The progress page's "Download your data" with its last day before its first."""
    page.goto("/progress")
    page.get_by_label("First day").fill("2026-01-10")
    page.get_by_label("Last day").fill("2026-01-01")
    page.get_by_role("button", name="Download (FHIR JSON)").click()
    expect(page.locator(".error-summary")).to_be_visible()


def submit_empty_log(page: Page, path: str) -> None:
    """The practice form (a patient's log or a therapist's attestation) with every field empty."""
    page.goto(path)
    form = page.locator(f"form[action='{path}']")
    form.evaluate("form => { form.noValidate = true; form.reset(); }")
    form.locator("input:not([type=hidden])").evaluate_all(
        "inputs => inputs.forEach(i => i.value = '')"
    )
    form.locator("button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()


def submit_empty_new_user(page: Page) -> None:
    page.goto("/admin/users/new")
    page.locator("main form").last.get_by_role("button").last.click()
    expect(page.locator(".error-summary")).to_be_visible()


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def patient_visits(page: Page) -> list[Visit]:
    session = first_link(page, "/sessions", "a[href^='/sessions/']")
    collection = first_link(page, "/collections", "a[href^='/collections/']")
    return [
        Visit("home", "/patient"),
        Visit("library", "/sessions"),
        Visit("session", session),
        Visit("saved sessions, one no longer in the library", "/sessions?saved=1"),
        Visit("collections", "/collections"),
        Visit("collection with its next session", collection),
        Visit("progress", "/progress"),
        Visit("progress download with errors", step=submit_inverted_download_period),
        Visit("gad7", "/gad7"),
        Visit("log practice", "/practice/log"),
        Visit(
            "log practice with errors", step=lambda page: submit_empty_log(page, "/practice/log")
        ),
        Visit("support", "/support"),
        Visit("account", "/account"),
        Visit("account reminder with errors", step=submit_reminder_without_days),
        Visit("404", "/sessions/999999999"),
    ]


def submit_reminder_without_days(page: Page) -> None:
    page.goto("/account")
    page.get_by_label("On: e-mail me a reminder").check()
    for day in page.locator("input[name=reminder_days]").all():
        day.uncheck()
    page.get_by_role("button", name="Save reminder").click()
    expect(page.locator(".error-summary")).to_be_visible()


def submit_empty_review(page: Page, preview: str) -> None:
    page.goto(preview)
    page.get_by_role("button", name="Save review").click()
    expect(page.locator(".error-summary")).to_be_visible()


def therapist_visits(page: Page) -> list[Visit]:
    attest = first_link(page, "/therapist", "a[href$='/attest']")
    report = attest.removesuffix("/attest") + "/report"
    preview = first_link(page, "/reviews/drafts", "a[href^='/reviews/drafts/']")
    return [
        Visit("home", "/therapist"),
        Visit("collections", "/collections"),
        Visit("drafts to review", "/reviews/drafts"),
        Visit("draft preview", preview),
        Visit("review with errors", step=lambda page: submit_empty_review(page, preview)),
        Visit("attest", attest),
        Visit("patient report", report),
        Visit("patient report without notes", f"{report}?notes=0"),
        Visit("patient report with errors", f"{report}?from=2026-13-01&to=x&notes=2"),
        Visit("attest with errors", step=lambda page: submit_empty_log(page, attest)),
        Visit("group attendance", "/care/attendance"),
        Visit(
            "group attendance with errors",
            step=lambda page: submit_empty_log(page, "/care/attendance"),
        ),
        Visit("account", "/account"),
        Visit("404", "/no-such-page"),
    ]


def coordinator_visits(page: Page) -> list[Visit]:
    session = first_link(page, "/sessions", "a[href^='/sessions/']")
    return [
        Visit("home", "/coordinator"),
        Visit("library", "/sessions"),
        Visit("upload", "/library/upload"),
        Visit("new session", "/library/sessions/new"),
        Visit("new session with errors", step=submit_empty_new_session),
        Visit("edit session", f"/library{session}/edit"),
        Visit("library usage", "/library/usage"),
        Visit("library usage with errors", "/library/usage?from=2026-02-30&kind=juggling"),
        Visit("drafts in the library", "/sessions?status=draft"),
        Visit("edit draft", step=edit_the_draft),
        Visit("collections", "/collections"),
        Visit("collection", first_link(page, "/collections", "a[href^='/collections/']")),
        Visit("new collection", "/library/collections/new"),
        Visit("new collection with errors", step=submit_empty_new_collection),
        Visit("edit collection, a session moved", step=move_a_session_down),
    ]


def submit_empty_new_collection(page: Page) -> None:
    page.goto("/library/collections/new")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".error-summary")).to_be_visible()


def move_a_session_down(page: Page) -> None:
    """The editor of a stored collection after a step that stores nothing (no JavaScript)."""
    page.goto(first_link(page, "/collections", "a[href^='/collections/']"))
    page.get_by_role("link", name="Edit collection").click()
    page.get_by_role("button", name=re.compile(r"^Move .* Down$")).first.click()
    expect(page.get_by_text("Not saved yet")).to_be_visible()


def edit_the_draft(page: Page) -> None:
    """The draft's edit page, with its clinical reviews."""
    page.goto(first_link(page, "/sessions?status=draft", "a[href^='/sessions/']"))
    page.get_by_role("link", name=re.compile("^Edit")).click()
    expect(page.get_by_role("heading", name="Clinical review", exact=True)).to_be_visible()


def admin_visits(page: Page) -> list[Visit]:
    user = first_link(page, "/admin/users", "a[href^='/admin/users/']:not([href$='/new'])")
    return [
        Visit("home", "/admin"),
        Visit("users", "/admin/users"),
        Visit("users filtered", "/admin/users?role=patient&status=active&therapist=none"),
        Visit("users with unreadable filters", "/admin/users?role=wizard&status=maybe&page=0"),
        Visit("user detail", user),
        Visit("new user", "/admin/users/new"),
        Visit("new user with errors", step=submit_empty_new_user),
        Visit("library usage", "/library/usage"),
    ]


def submit_empty_password_reset(page: Page) -> None:
    page.goto("/password-reset")
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator(".error-summary")).to_be_visible()


def anonymous_visits(page: Page) -> list[Visit]:
    return [
        Visit("login", "/login"),
        Visit("404", "/no-such-page"),
        Visit("forgot password", "/password-reset"),
        # An empty address is refused before anything is counted against the throttle.
        Visit("forgot password with errors", step=submit_empty_password_reset),
        Visit("reset link no longer working", "/password-reset/" + "a" * 43),
    ]


ROLES: dict[str, tuple[str, Callable[[Page], list[Visit]]]] = {
    "anonymous": ("", anonymous_visits),
    "patient": ("patient@demo.wellness", patient_visits),
    "therapist": ("therapist@demo.wellness", therapist_visits),
    "coordinator": ("coordinator@demo.wellness", coordinator_visits),
    "admin": ("admin@demo.wellness", admin_visits),
}


@pytest.fixture(params=list(SCHEMES), ids=list(SCHEMES))
def scheme(request: pytest.FixtureRequest) -> Literal["light", "dark"]:
    chosen: Literal["light", "dark"] = request.param
    return chosen


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def sized_context(
    request: pytest.FixtureRequest,
    browser: Browser,
    live_server: LiveServer,
    scheme: Literal["light", "dark"],
) -> Iterator[BrowserContext]:
    context = browser.new_context(
        base_url=live_server.url, viewport=WIDTHS[request.param], color_scheme=scheme
    )
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


def violations_on(page: Page, axe_source: str) -> list[dict[str, Any]]:
    page.wait_for_load_state("load")
    page.evaluate(axe_source)
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return found


def describe(violations: dict[str, list[dict[str, Any]]]) -> str:
    lines = []
    for where, found in violations.items():
        for violation in found:
            lines.append(f"{where}: {violation['id']} ({violation['impact']}) {violation['help']}")
            lines.extend(
                f"    {node['target']}: {' '.join(node['summary'].split())}"
                for node in violation["nodes"]
            )
    return "\n".join(lines)


def drawn_dark(page: Page) -> bool:
    """Whether the page's background is the dark theme's (dark.css applies)."""
    background: str = page.evaluate("getComputedStyle(document.body).backgroundColor")
    return background == "rgb(29, 27, 24)"


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_of_the_role_has_no_axe_violations(
    sized_context: BrowserContext, axe_source: str, role: str, scheme: str
) -> None:
    email, visits_for = ROLES[role]
    page = sized_context.new_page()
    if email:
        sign_in(page, email)
    page.goto("/login" if not email else "/account")
    assert drawn_dark(page) is (scheme == "dark")
    visits = visits_for(page)
    violations: dict[str, list[dict[str, Any]]] = {}

    for visit in visits:
        if visit.step is not None:
            visit.step(page)
        else:
            page.goto(visit.path)
        found = violations_on(page, axe_source)
        if found:
            violations[f"{role} {visit.name} ({page.url})"] = found

    assert not violations, f"axe-core found violations:\n{describe(violations)}"


def test_a_chosen_dark_display_has_no_axe_violations_on_a_light_device(
    browser: Browser, live_server: LiveServer, axe_source: str
) -> None:
    """The patient chooses "Dark" on a device that asks for light: her pages turn dark at once,
    and back to the device's light when she chooses "As my device" again."""
    context = browser.new_context(
        base_url=live_server.url, viewport=WIDTHS["phone"], color_scheme="light"
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        sign_in(page, "patient@demo.wellness")
        page.goto("/account")
        page.get_by_label("Dark", exact=True).check()
        page.get_by_role("button", name="Save display").click()
        expect(page.get_by_text("Your pages are now dark.")).to_be_visible()
        assert drawn_dark(page)
        violations = {}
        for path in ("/account", "/patient", "/progress", "/support"):
            page.goto(path)
            assert drawn_dark(page), path
            found = violations_on(page, axe_source)
            if found:
                violations[f"patient in dark {path}"] = found
        page.goto("/account")
        page.get_by_label("As my device").check()
        page.get_by_role("button", name="Save display").click()
        expect(page.get_by_text("follow your device")).to_be_visible()
        assert not drawn_dark(page)
    finally:
        context.close()
    assert not violations, f"axe-core found violations:\n{describe(violations)}"
