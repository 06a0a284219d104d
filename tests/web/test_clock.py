"""The app reads the time from the clock it was given, in handlers and in sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar import get

from tests.conftest import BASE_URL, PERSONAS, Client, web_context_of
from wellness.accounts.models import User
from wellness.app import create_app
from wellness.lib.clock import FixedClock, SystemClock
from wellness.settings import Settings
from wellness.web.dependencies import AppClock


def test_without_a_clock_the_app_uses_the_system_clock(settings: Settings) -> None:
    assert isinstance(web_context_of(create_app(settings)).clock, SystemClock)


def test_handlers_can_take_the_apps_clock_as_a_dependency(
    settings: Settings, clock: FixedClock
) -> None:
    @get("/what-time", opt={"exclude_from_auth": True}, sync_to_thread=False)
    def what_time(clock: AppClock) -> dict[str, str]:
        return {"now": clock.now().isoformat()}

    app = create_app(settings, clock=clock)
    app.register(what_time)
    clock.set(datetime(2026, 12, 1, 17, 30, tzinfo=UTC))

    with Client(app, base_url=BASE_URL) as client:
        answer = client.get("/what-time")

    assert answer.status_code == 200
    assert answer.json() == {"now": "2026-12-01T17:30:00+00:00"}


def test_what_the_app_records_is_stamped_by_its_clock(
    client: Client, personas: dict[str, User], clock: FixedClock
) -> None:
    clock.set(datetime(2026, 12, 1, 17, 30, 5, tzinfo=UTC))
    client.login_as(PERSONAS["patient"])

    response = client.post("/api/v1/checkins", json={"level": 3})

    assert response.status_code == 201
    stored = datetime.fromisoformat(response.json()["checkin"]["occurred_at"])
    assert stored == datetime(2026, 12, 1, 17, 30, 5, tzinfo=UTC)


def test_sessions_age_by_the_apps_clock(
    client: Client, personas: dict[str, User], clock: FixedClock
) -> None:
    client.login_as(PERSONAS["patient"])
    clock.advance(timedelta(hours=1, minutes=59))
    assert client.get("/api/v1/me").status_code == 200
    clock.advance(timedelta(hours=2, minutes=1))
    assert client.get("/api/v1/me").status_code == 401
