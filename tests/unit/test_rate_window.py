"""The request limit's arithmetic (`lib/rate_window.py`) and its per-worker counts
(`web/request_budget.MemoryCounters`): windows aligned to the epoch, their edges, and a table
that a flood of addresses cannot grow without bound."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar.connection import ASGIConnection

from wellness.accounts.models import User
from wellness.lib.rate_window import FixedWindow
from wellness.web.request_budget import requester
from wellness.web.request_counters import MemoryCounters, PerWindow, RequestBudget

MINUTE = FixedWindow(limit=3, seconds=60)
# 2026-11-24 14:30:00 UTC, a whole minute since the epoch.
ON_THE_MINUTE = datetime(2026, 11, 24, 14, 30, tzinfo=UTC).timestamp()


def test_a_moment_belongs_to_the_window_it_falls_in_up_to_but_not_including_its_end() -> None:
    assert MINUTE.index(ON_THE_MINUTE) == MINUTE.index(ON_THE_MINUTE + 59.999)
    assert MINUTE.index(ON_THE_MINUTE + 60) == MINUTE.index(ON_THE_MINUTE) + 1
    assert MINUTE.index(ON_THE_MINUTE - 0.001) == MINUTE.index(ON_THE_MINUTE) - 1


@pytest.mark.parametrize(
    ("offset", "left"), [(0, 60), (0.001, 60), (0.5, 60), (1, 59), (30, 30), (59, 1), (59.999, 1)]
)
def test_the_wait_is_whole_seconds_to_the_next_window_and_never_zero(
    offset: float, left: int
) -> None:
    assert MINUTE.seconds_left(ON_THE_MINUTE + offset) == left


def test_a_count_within_the_limit_waits_for_nothing_and_one_past_it_for_the_window() -> None:
    assert [MINUTE.retry_after(count, ON_THE_MINUTE + 45) for count in (1, 2, 3, 4, 40)] == [
        None,
        None,
        None,
        15,
        15,
    ]


@pytest.mark.parametrize(("limit", "seconds"), [(0, 60), (5, 0), (-1, 60)])
def test_a_window_without_a_limit_or_a_length_is_refused(limit: int, seconds: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        FixedWindow(limit, seconds)


def count(counters: MemoryCounters, key: str, window: int, times: int = 1) -> list[int]:
    async def add() -> list[int]:
        return [await counters.add(key, window) for _ in range(times)]

    return asyncio.run(add())


def test_each_key_is_counted_apart_and_starts_again_in_a_new_window() -> None:
    counters = MemoryCounters()
    assert count(counters, "user:1", 100, times=3) == [1, 2, 3]
    assert count(counters, "user:2", 100) == [1]
    assert count(counters, "user:1", 101, times=2) == [1, 2]
    # A clock set back to an earlier window starts that window afresh, never refuses for ever.
    assert count(counters, "user:1", 99) == [1]


def test_a_full_table_forgets_the_windows_that_are_over_before_refusing_anyone() -> None:
    counters = MemoryCounters(capacity=3)
    for key in ("a", "b", "c"):
        count(counters, key, 100)
    assert count(counters, "d", 101, times=2) == [1, 2]
    assert count(counters, "a", 101) == [1]


def test_past_its_capacity_a_new_key_goes_uncounted_while_the_counted_keep_counting() -> None:
    counters = MemoryCounters(capacity=2)
    count(counters, "flooder", 100, times=5)
    count(counters, "second", 100)
    # Every newcomer gets through (never refused because strangers filled the table)...
    assert count(counters, "newcomer", 100, times=4) == [1, 1, 1, 1]
    # ...and those already counted still are.
    assert count(counters, "flooder", 100) == [6]


def test_a_budget_refuses_the_request_past_the_limit_until_the_next_window() -> None:
    budget = RequestBudget(MINUTE, MemoryCounters())

    async def spend(at: float) -> int | None:
        return await budget.spend("user:1", at)

    at = ON_THE_MINUTE + 50
    assert [asyncio.run(spend(at)) for _ in range(4)] == [None, None, None, 10]
    assert asyncio.run(spend(ON_THE_MINUTE + 60)) is None


def test_without_a_window_nothing_is_counted_or_refused() -> None:
    counters = MemoryCounters()
    budget = RequestBudget(None, counters)
    assert all(asyncio.run(budget.spend("user:1", ON_THE_MINUTE)) is None for _ in range(100))
    assert count(counters, "user:1", MINUTE.index(ON_THE_MINUTE)) == [1]


def connection_from(
    host: str | None, user: User | None = None
) -> ASGIConnection[Any, Any, Any, Any]:
    scope: dict[str, Any] = {"type": "http", "client": (host, 5000) if host else None}
    if user is not None:
        scope["user"] = user
    return ASGIConnection(scope)  # type: ignore[arg-type]


def test_a_signed_in_person_spends_their_own_allowance_wherever_they_are() -> None:
    user = User(id=17)
    assert requester(connection_from("192.0.2.7", user)) == "user:17"
    assert requester(connection_from("198.51.100.1", user)) == "user:17"


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("192.0.2.7", "client:192.0.2.7"),
        ("2001:db8:1:2::1", "client:2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "client:2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "client:2001:db8:1:3::/64"),
        ("testclient", "client:testclient"),
        (None, "client:unknown"),
    ],
)
def test_without_a_session_an_address_spends_its_own_and_an_ipv6_host_its_64s(
    host: str | None, key: str
) -> None:
    assert requester(connection_from(host)) == key


def test_a_full_table_is_scanned_at_most_once_a_window() -> None:
    table: PerWindow[int] = PerWindow(capacity=3)
    for key, window in (("a", 99), ("b", 100), ("c", 100)):
        assert table.put(key, window, 1)
    assert table.put("d", 100, 1)  # full: scanned, and "a" (window 99) forgotten
    assert table.get("a", 99) is None
    assert table.put("b", 99, 1)  # a key already held may always be set (a clock set back)
    # Full again, and already scanned in window 100: not scanned again, though "b" is over.
    assert not table.put("e", 100, 1)
    assert table.get("e", 100) is None
    assert table.put("e", 101, 1)  # a new window: scanned, "b" goes
    assert table.get("b", 99) is None
