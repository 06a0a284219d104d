"""Browser tests: a real demo server in a subprocess, driven by Debian's Chromium.

The server is `tests/browser/live_app.py`: what `wellness demo` runs, but on a clock the tests
set (`live_server.set_clock(moment)`), which starts at SERVER_START and then ticks at the real
pace; no browser test depends on the hour it runs at.

Playwright's sync API is used directly (pytest-playwright is disabled with `-p no:playwright`):
one browser and one server for the whole tests/browser package, a new context per test. Both are
package-scoped on purpose: while a sync Playwright is alive it marks its event loop as running in
the main thread, so `asyncio.run()` in any later test would fail. Without /usr/bin/chromium every
browser test is skipped, except under CI (CI=true), where a missing browser is a failure: install
it with `apt-get install -y chromium`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.live_servers import free_port, running_server
from tests.mail_servers import PUBLIC_URL, SENDER, Received, taking_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--mute-audio",  # silent runs without setting `muted`, which the player's Mute follows
]
STARTUP_TIMEOUT = 90.0
REPOSITORY = Path(__file__).resolve().parents[2]
# The demo is seeded and served as of this moment (a Tuesday, 11:00 in Berlin, 19:00 in Tokyo).
SERVER_START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
ACTION_TIMEOUT_MS = 10_000


def running_under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1"}


@pytest.fixture(scope="package")
def chromium_executable() -> Path:
    """The browser to drive; skips (or fails under CI) when it is not installed."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    reason = f"{CHROMIUM} is missing: install Debian's Chromium with `apt-get install -y chromium`"
    if running_under_ci():
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class LiveServer:
    url: str
    log_path: Path
    # What the live server's SMTP server took (the e-mails it sent), where e-mail is set up.
    mail: Received | None = None

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def set_clock(self, moment: datetime) -> None:
        """Move the server's clock to `moment` (aware); it ticks on from there."""
        request = urllib.request.Request(  # noqa: S310  (our own server on 127.0.0.1)
            f"{self.url}/__test__/clock",
            data=json.dumps({"now": moment.isoformat()}).encode(),
            headers={"Content-Type": "application/json"},
            method="PUT",
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            assert response.status == 204, response.status


@contextmanager
def demo_server(
    root: Path, *, what: str, audio_scale: str, **settings: str
) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    """The demo app on a free port with its database, data and media under `root`, its clock at
    SERVER_START, and `settings` (WELLNESS_* variables) on top; the server and its environment."""
    data_dir = root / "data"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environ = {
        name: value for name, value in os.environ.items() if not name.startswith("WELLNESS_")
    }
    environ.update(
        WELLNESS_DATA_DIR=str(data_dir),
        WELLNESS_DATABASE_URL=f"sqlite://{data_dir / 'wellness.sqlite3'}",
        WELLNESS_MEDIA_DIR=str(root / "media"),
        WELLNESS_DEMO_AUDIO_SCALE=audio_scale,
        WELLNESS_DEMO="true",
        PYTHONUNBUFFERED="1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPOSITORY), environ.get("PYTHONPATH")])),
        **settings,
    )
    log_path = root / "server.log"
    command = [
        *(sys.executable, "-m", "tests.browser.live_app"),
        *("--port", str(port), "--now", SERVER_START.isoformat()),
    ]
    with running_server(
        command,
        url=url,
        cwd=root,
        env=environ,
        log_path=log_path,
        what=what,
        timeout=STARTUP_TIMEOUT,
    ):
        yield LiveServer(url=url, log_path=log_path), environ


@pytest.fixture(scope="package")
def live_server(
    chromium_executable: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The demo server on a free port with its database, data and media in a temporary folder,
    its clock at SERVER_START, and e-mail set up (to a local SMTP server that takes every
    message), so the pages show what e-mail adds: the practice reminder form."""
    root = tmp_path_factory.mktemp("live-server")
    # The demo library's full audio takes half a minute of CPU to encode; a tenth of each track
    # still gives multi-minute sessions to play and seek in.
    with (
        taking_server() as (smtp_port, received),
        demo_server(
            root,
            what="the demo server",
            audio_scale="0.1",
            WELLNESS_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
            WELLNESS_MAIL_FROM=SENDER,
            WELLNESS_PUBLIC_URL=PUBLIC_URL,
        ) as (server, _),
    ):
        yield dataclasses.replace(server, mail=received)


@pytest.fixture(scope="package")
def browser(chromium_executable: Path) -> Iterator[Browser]:
    """One headless Chromium for the package."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_executable, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _fresh_context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(ACTION_TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    """A fresh context per test (no shared cookies); relative URLs go to the live server."""
    yield from _fresh_context(browser, live_server)


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def second_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A page in a context of its own, for a second person beside `page` (own cookies)."""
    for context in _fresh_context(browser, live_server):
        yield context.new_page()
