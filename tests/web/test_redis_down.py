"""With `WELLNESS_REDIS_URL` set and Redis out of reach, every answer is a `503` that says the
service is briefly unavailable (with `Retry-After`), in JSON for the API and in words on pages,
never a `500`; the health check names the session store as the part that does not answer.

No Redis server is needed: the app is pointed at a port where nothing listens.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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
        "detail": "The service is briefly unavailable. Please try again in a minute.",
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


def test_the_health_check_names_the_session_store(redis_down: Client) -> None:
    answer = redis_down.get("/healthz")

    assert answer.status_code == 503
    assert answer.json() == {"status": "unavailable", "database": "ok", "sessions": "unreachable"}
