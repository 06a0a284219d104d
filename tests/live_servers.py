"""Start a real `wellness` server in a subprocess for a test, and stop it afterwards.

Shared by the browser tests (the demo on a set clock) and the install test (the installed
wheel's `wellness demo`): both wait for /healthz and fail with the server's log when it dies or
does not answer in time.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@contextmanager
def running_server(
    command: list[str],
    *,
    url: str,
    cwd: Path,
    env: dict[str, str],
    log_path: Path,
    what: str,
    timeout: float,
) -> Iterator[subprocess.Popen[bytes]]:
    """`command` running until the block ends, once `url` answers /healthz (its output in
    `log_path`); `what` names the server in failures."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + timeout
        while not healthy(url):
            if process.poll() is not None:
                pytest.fail(
                    f"{what} exited with status {process.returncode} before answering /healthz; "
                    f"its log:\n{log_path.read_text(encoding='utf-8', errors='replace')}",
                    pytrace=False,
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"{what} did not answer {url}/healthz within {timeout:.0f} s; its log:\n"
                    f"{log_path.read_text(encoding='utf-8', errors='replace')}",
                    pytrace=False,
                )
            time.sleep(0.1)
        yield process
    finally:
        stop(process)
