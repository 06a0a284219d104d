"""Browser tests: a real `wellness demo` server in a subprocess, driven by Debian's Chromium.

pytest-playwright provides the `playwright`, `browser`, `context` and `page` fixtures (one browser
per session, a new context per test); this file only tells it which Chromium to launch and where
the server is. Without /usr/bin/chromium every browser test is skipped, except under CI (CI=true),
where a missing browser is a failure: install it with `apt-get install -y chromium`.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_TIMEOUT = 30.0
ACTION_TIMEOUT_MS = 10_000


def running_under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1"}


@pytest.fixture(scope="session")
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

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wellness_command() -> list[str]:
    beside_python = Path(sys.executable).with_name("wellness")
    if beside_python.is_file():
        return [str(beside_python)]
    on_path = shutil.which("wellness")
    if on_path:
        return [on_path]
    return [sys.executable, "-c", "from wellness.cli import main; main()"]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server(
    chromium_executable: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """`wellness demo` on a free port with its database, data and media in a temporary folder."""
    root = tmp_path_factory.mktemp("live-server")
    data_dir = root / "data"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    environ = {
        name: value for name, value in os.environ.items() if not name.startswith("WELLNESS_")
    }
    environ.update(
        WELLNESS_DATA_DIR=str(data_dir),
        WELLNESS_DATABASE_URL=f"sqlite://{data_dir / 'wellness.sqlite3'}",
        WELLNESS_MEDIA_DIR=str(root / "media"),
        PYTHONUNBUFFERED="1",
    )
    log_path = root / "server.log"
    server = LiveServer(url=url, log_path=log_path)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*_wellness_command(), "demo", "--port", str(port)],
            cwd=root,
            env=environ,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _healthy(url):
            if process.poll() is not None:
                pytest.fail(
                    f"`wellness demo` exited with status {process.returncode} before answering "
                    f"/healthz; its log:\n{server.log()}",
                    pytrace=False,
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"`wellness demo` did not answer {url}/healthz within {STARTUP_TIMEOUT:.0f} s; "
                    f"its log:\n{server.log()}",
                    pytrace=False,
                )
            time.sleep(0.1)
        yield server
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], chromium_executable: Path
) -> dict[str, Any]:
    """pytest-playwright's launch options, pointed at Debian's Chromium."""
    return {
        **browser_type_launch_args,
        "executable_path": str(chromium_executable),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    """Every context talks to the live server, so tests can `page.goto("/login")`.

    Defining `base_url` here also replaces pytest-playwright's own fallback fixture (used when
    pytest-base-url is not installed), which pytest 9.2 deprecates with a warning that
    `filterwarnings = error` turns into an error.
    """
    return live_server.url


@pytest.fixture
def context(context: BrowserContext) -> BrowserContext:
    """A fresh context per test (cookies included) that gives up after 10 s rather than 30 s."""
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(ACTION_TIMEOUT_MS)
    return context
