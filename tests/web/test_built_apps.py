"""The test fixture that hands a built app from test to test (tests/built_apps.py) hands on
only an app left as built, and nothing a test's requests left in its memory."""

from __future__ import annotations

from datetime import timedelta

from litestar import get

from tests.built_apps import BuiltApps
from tests.conftest import BASE_URL, PERSONAS, TEST_NOW, Client, create_personas
from wellness.lib.clock import FixedClock
from wellness.settings import Settings
from wellness.web.context import STATE_KEY


def test_a_handed_on_app_keeps_no_session_throttle_or_memory_of_the_last_test(
    settings: Settings,
) -> None:
    built = BuiltApps(FixedClock(TEST_NOW))
    app, as_built = built.take(settings)
    with Client(app, base_url=BASE_URL) as first:
        first.run(lambda: create_personas(TEST_NOW))
        first.login_as(PERSONAS["patient"])
        first.post("/api/v1/auth/login", json={"email": "nobody@example.org", "password": "x"})
        cookies = dict(first.cookies)
        assert first.get("/api/v1/me/streak").status_code == 200
    context = app.state[STATE_KEY]
    reads, refusals = context.recent_reads, context.anonymous_refusals
    built.give_back(settings, app, as_built)

    again, _ = built.take(settings)

    assert again is app
    assert again.state[STATE_KEY].recent_reads is not reads
    assert again.state[STATE_KEY].anonymous_refusals is not refusals
    with Client(again, base_url=BASE_URL, cookies=cookies) as second:
        assert second.get("/api/v1/me/streak").status_code == 401  # the session is gone


def test_an_app_a_test_changed_is_not_handed_on(settings: Settings) -> None:
    built = BuiltApps(FixedClock(TEST_NOW))
    app, as_built = built.take(settings)

    @get("/probe", sync_to_thread=False)
    def probe() -> str:
        return "added by a test"

    app.register(probe)
    built.give_back(settings, app, as_built)

    assert built.take(settings)[0] is not app


def test_an_app_is_handed_on_only_for_equal_settings(settings: Settings) -> None:
    built = BuiltApps(FixedClock(TEST_NOW))
    app, as_built = built.take(settings)
    built.give_back(settings, app, as_built)

    other = settings.replace(session_lifetime_hours=settings.session_lifetime_hours + 1)

    assert built.take(other)[0] is not app
    assert built.take(settings)[0] is app


def test_the_clock_fixture_starts_each_test_at_test_now(clock: FixedClock) -> None:
    # The clock is shared by the built apps; a test before this one may have moved it.
    assert clock.now() == TEST_NOW
    clock.advance(timedelta(days=3))  # and the next test starts at TEST_NOW again
