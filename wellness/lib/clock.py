"""The clock: the one object that says what time it is. Nothing else in wellness reads the wall
clock; code below the app and the command line takes `now` as an argument.

`create_app(settings, clock=...)` and the `wellness` command hold a `Clock`: `SystemClock` in
production, a `FixedClock` in tests, a `TickingClock` where a test needs time to pass at the
real pace from a moment it chose (a live server under a browser).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable


@runtime_checkable  # Litestar checks injected dependencies with isinstance
class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, aware, in UTC."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive moment is refused, since it names no instant."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a clock needs an aware moment, got {moment!r}")
    return moment.astimezone(UTC)


class FixedClock:
    """Stands still at a set moment until it is set again or moved on (tests)."""

    def __init__(self, moment: datetime) -> None:
        self._moment = as_utc(moment)

    def now(self) -> datetime:
        return self._moment

    def set(self, moment: datetime) -> None:
        self._moment = as_utc(moment)

    def advance(self, by: timedelta) -> None:
        self._moment += by


class TickingClock:
    """Starts at a set moment and moves on at the pace of real time (measured with a monotonic
    timer, so a change of the machine's clock does not move it)."""

    def __init__(self, start: datetime, *, timer: Callable[[], float] = time.monotonic) -> None:
        self._timer = timer
        self._start = as_utc(start)
        self._started = timer()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._timer() - self._started)

    def set(self, moment: datetime) -> None:
        self._start, self._started = as_utc(moment), self._timer()
