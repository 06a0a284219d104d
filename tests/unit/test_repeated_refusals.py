"""Refusals without a session: the first per client, action and route in a window is recorded,
the rest counted, and every count handed out once its window is over or the worker stops."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wellness.audit.repeated_refusals import (
    MANY_CLIENTS,
    REFUSAL_WINDOW,
    AnonymousRefusals,
    RefusalKey,
    RepeatedRefusals,
)

NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
SECOND = timedelta(seconds=1)
SIGN_IN = RefusalKey("203.0.113.7", "csrf_refused", "POST /login")


def test_the_first_refusal_is_recorded_and_the_rest_of_its_window_counted() -> None:
    refusals = AnonymousRefusals()

    assert refusals.refused(SIGN_IN, NOW) == (True, [])
    assert refusals.refused(SIGN_IN, NOW + SECOND) == (False, [])
    assert refusals.refused(SIGN_IN, NOW + REFUSAL_WINDOW - SECOND) == (False, [])


def test_the_count_is_handed_out_by_the_first_refusal_after_its_window() -> None:
    refusals = AnonymousRefusals()
    for seconds in range(5):
        refusals.refused(SIGN_IN, NOW + seconds * SECOND)

    record, over = refusals.refused(SIGN_IN, NOW + REFUSAL_WINDOW)

    assert record is True
    assert over == [RepeatedRefusals(SIGN_IN, 4, NOW + SECOND, NOW + 4 * SECOND)]
    assert refusals.drain() == []


def test_any_later_refusal_hands_out_the_counts_of_windows_that_are_over() -> None:
    refusals = AnonymousRefusals()
    refusals.refused(SIGN_IN, NOW)
    refusals.refused(SIGN_IN, NOW + SECOND)
    other = RefusalKey("198.51.100.2", "csrf_refused", "POST /api/v1/auth/login")

    assert refusals.refused(other, NOW + 2 * REFUSAL_WINDOW) == (
        True,
        [RepeatedRefusals(SIGN_IN, 1, NOW + SECOND, NOW + SECOND)],
    )


def test_a_window_with_no_repeats_hands_out_nothing() -> None:
    refusals = AnonymousRefusals()
    refusals.refused(SIGN_IN, NOW)

    assert refusals.refused(SIGN_IN, NOW + REFUSAL_WINDOW) == (True, [])


def test_each_client_action_and_route_has_its_own_window() -> None:
    refusals = AnonymousRefusals()
    refusals.refused(SIGN_IN, NOW)

    for key in (
        RefusalKey("203.0.113.8", SIGN_IN.action, SIGN_IN.route),
        RefusalKey(SIGN_IN.client, "not_found_for_viewer", SIGN_IN.route),
        RefusalKey(SIGN_IN.client, SIGN_IN.action, "POST /api/v1/auth/login"),
        RefusalKey(SIGN_IN.client, SIGN_IN.action, SIGN_IN.route, "user", "7"),
    ):
        assert refusals.refused(key, NOW) == (True, []), key


def test_past_the_limit_new_addresses_share_one_window() -> None:
    refusals = AnonymousRefusals(limit=2)
    for address in ("203.0.113.1", "203.0.113.2"):
        refusals.refused(RefusalKey(address, SIGN_IN.action, SIGN_IN.route), NOW)

    recorded = [
        refusals.refused(RefusalKey(f"2001:db8::{n}", SIGN_IN.action, SIGN_IN.route), NOW)[0]
        for n in range(100)
    ]

    assert recorded == [True] + [False] * 99
    many = RefusalKey(MANY_CLIENTS, SIGN_IN.action, SIGN_IN.route)
    assert refusals.drain() == [RepeatedRefusals(many, 99, NOW, NOW)]


def test_a_clock_set_back_ends_the_window_and_hands_out_its_count() -> None:
    refusals = AnonymousRefusals()
    refusals.refused(SIGN_IN, NOW)
    refusals.refused(SIGN_IN, NOW + SECOND)

    record, over = refusals.refused(SIGN_IN, NOW - timedelta(hours=1))

    assert record is True
    assert over == [RepeatedRefusals(SIGN_IN, 1, NOW + SECOND, NOW + SECOND)]


def test_stopping_hands_out_the_counts_of_open_windows_once() -> None:
    refusals = AnonymousRefusals()
    for seconds in range(3):
        refusals.refused(SIGN_IN, NOW + seconds * SECOND)

    assert refusals.drain() == [RepeatedRefusals(SIGN_IN, 2, NOW + SECOND, NOW + 2 * SECOND)]
    assert refusals.drain() == []
    assert refusals.refused(SIGN_IN, NOW + 3 * SECOND) == (True, [])
