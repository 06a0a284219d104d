"""With `WELLNESS_REDIS_URL` set and Redis out of reach, every answer is a `503` that says the
service is briefly unavailable (with `Retry-After`), in JSON for the API and in words on pages,
never a `500`; the health check names the session store as the part that does not answer.

No Redis server is needed: the app is pointed at a port where nothing listens, or at one that
takes connections and never answers.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import wellness.app
from tests.conftest import Client, settings_for
from wellness.app import SESSION_COOKIE, create_app
from wellness.lib.clock import FixedClock
from wellness.settings import Settings

NOWHERE = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(app_home: Path, database_url: str, clock: FixedClock) -> Iterator[Client]:
    settings: Settings = settings_for(app_home, database_url).replace(
        redis_url=NOWHERE, memory_stores=False
    )
    with Client(create_app(settings, clock=clock), base_url="http://testserver.local") as client:
        yield client


def test_a_signed_in_request_gets_503_with_retry_after_in_json_and_on_pages(
    redis_down: Client,
) -> None:
    redis_down.cookies.set(SESSION_COOKIE, "a-session-kept-in-redis")

    api = redis_down.get("/api/v1/me")
    assert api.status_code == 503
    assert api.headers["retry-after"] == "30"
    assert api.json() == {
        "status_code": 503,
        "detail": (
            "Part of the app (its database or its session store) is not answering. "
            "Please try again in a minute."
        ),
        "code": "unavailable",
    }

    page = redis_down.get("/patient")
    assert page.status_code == 503
    assert "The service is briefly unavailable" in page.text
    assert "Please try again in a minute." in page.text


def test_signing_in_gets_503_not_500(redis_down: Client) -> None:
    answer = redis_down.post(
        "/api/v1/auth/login", json={"email": "patient@example.org", "password": "x" * 12}
    )

    assert answer.status_code == 503
    assert answer.json()["code"] == "unavailable"


@pytest.mark.parametrize("cookie", [None, "a-session-kept-in-redis"])
def test_the_health_check_names_the_session_store(redis_down: Client, cookie: str | None) -> None:
    if cookie:  # a monitor that keeps cookies, or a person's browser
        redis_down.cookies.set(SESSION_COOKIE, cookie)

    answer = redis_down.get("/healthz")

    assert answer.status_code == 503
    assert answer.json() == {"status": "unavailable", "database": "ok", "sessions": "unreachable"}
    assert SESSION_COOKIE not in answer.headers.get("set-cookie", "")


@pytest.fixture
def silent_redis() -> Iterator[str]:
    """A server that takes connections and never answers, as a Redis behind a cut network
    looks: the URL of it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    taken: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                taken.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for connection in taken:
        connection.close()
    listener.close()


def test_a_redis_that_never_answers_is_a_503_within_the_store_timeout(
    app_home: Path,
    database_url: str,
    clock: FixedClock,
    silent_redis: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(wellness.app, "SESSION_STORE_TIMEOUT_SECONDS", 0.3)
    settings = settings_for(app_home, database_url).replace(
        redis_url=silent_redis, memory_stores=False
    )
    with Client(create_app(settings, clock=clock), base_url="http://testserver.local") as client:
        client.cookies.set(SESSION_COOKIE, "a-session-kept-in-redis")
        started = time.monotonic()
        answer = client.get("/api/v1/me")
        waited = time.monotonic() - started

    assert answer.status_code == 503
    assert waited < 3  # without the timeout the request waits (this test hangs) for ever
